"""The patch phase: candidate edits from a ``PatchStrategy`` (``strategies``: the offline
``templates``, or a model reading the code with the ``explore`` tools and answering in
``replies``)."""
