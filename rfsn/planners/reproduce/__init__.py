"""The reproduce phase: which tests are the targets. The baseline's failures by cause
(``targets``), ordered by their evidence (``evidence``), or, in the issue-only setting, a test the
model writes from the issue (``issue``) and the old tests it restates (``restated``)."""
