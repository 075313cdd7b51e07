"""The warm runner of pytest: a test server started once per sandbox that runs each candidate's
tests in a fresh fork (``pytest_server.py``, with its live session ``pytest_live.py``), with the
project's modules already imported and edited ones swapped in place (``hotswap``); ``client`` is
the host's side. A run that cannot be served warm goes cold, and its event says why.
"""
