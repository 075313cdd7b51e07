"""What every phase knows of code: a place in it (``location``), an edit of it (``candidates``),
its files (``sources``) and its tokens (``lexer``). The floor of the planner: it imports no
other part of ``rfsn.planners``."""
