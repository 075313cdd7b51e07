"""Warm test runs: a test server started once per sandbox that runs each candidate's tests in
a fresh fork (pytest, ``pytest_server.py``) or a fresh worker (``node --test``, the ``.cjs``
files), with the project's modules already imported and edited ones swapped in place
(``hotswap``); ``client``, ``node_client`` and ``ask`` are the host's side. A run that cannot be
served warm goes cold, and its event says why.
"""
