"""A pytest fork server, run INSIDE the sandbox (stdlib + pytest only).

    python pytest_server.py SOCKET
    python pytest_server.py SOCKET --preload CWD PYTEST_OPTION...

Imports pytest once, daemonizes, and returns as soon as it listens on the
unix socket SOCKET. Each request is one JSON line
``{"args": [...], "cwd": ..., "env": {...}, "output": PATH, "timeout": S}``;
the server forks, the child runs ``pytest.main(args)`` in a session of its
own with stdout/stderr to PATH, and the reply is one JSON line
``{"exit_code": N, "timed_out": bool, "duration": S}``. Without ``--preload``
the server never imports the project, so every child sees the files as they
are now.

With ``--preload`` the server first collects the suite in CWD, which imports
the tests and the project, and each child hot-swaps the functions edited since
(see hotswap.py) before it runs: no import is repeated. An edit that cannot be
swapped ends the child with ``NOT_SWAPPABLE`` before any test runs, and the
caller runs the request on a server without preload instead.
"""

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import time

import hotswap  # beside this file
import pytest  # the expensive imports, done once
from _pytest.config import default_plugins

#: a child's exit status when the edit cannot be hot-swapped (EX_TEMPFAIL)
NOT_SWAPPABLE = 75
LOADED = None  # the project as the preloading server imported it (hotswap.Loaded)
#: seconds between checks that the socket still exists (a local sandbox's server outlives its
#: process group: it is a daemon; it exits once the session removed its scratch directory)
ORPHAN_CHECK = 2.0

for _name in default_plugins:
    with contextlib.suppress(ImportError):
        importlib.import_module(f"_pytest.{_name}")


def swap_in():
    """NOT_SWAPPABLE when the edits since the preload cannot be swapped in; else 0."""
    if LOADED is None:
        return 0
    try:
        LOADED.refresh()
    except hotswap.NotSwappable as exc:
        print(f"rfsn: not swappable: {exc}")
        return NOT_SWAPPABLE
    return 0


def run(request):
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: a fresh pytest run in its own process group
        try:
            os.setsid()
            fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(request["cwd"])
            sys.path[0] = request["cwd"]  # as `python -m pytest` has it (not this script's dir)
            os.environ.update(request.get("env") or {})
            code = swap_in() or pytest.main(list(request["args"]))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # report, never return into the server loop
            code = 70
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    deadline = started + float(request["timeout"])
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    code = os.waitstatus_to_exitcode(status)
    return {"exit_code": 124 if timed_out else code, "timed_out": timed_out,
            "duration": time.monotonic() - started}


WARMUP_TEST = """
def test_passes():
    assert [1, 2] == [1, 2]

def test_fails():
    assert {"a": [1, 2]} == {"a": [1, 3]}
"""


@contextlib.contextmanager
def quiet():
    saved = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def warm_up():
    """One throwaway session on a dummy test: pytest imports lazily what the first run needs."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rfsn-warmup-") as tmp:
        with open(os.path.join(tmp, "test_rfsn_warmup.py"), "w") as fh:
            fh.write(WARMUP_TEST)
        with quiet():
            pytest.main(["-q", "-rA", "-p", "no:cacheprovider", "--rootdir", tmp,
                         f"--junitxml={tmp}/junit.xml", tmp])
    sys.modules.pop("test_rfsn_warmup", None)


def preload(cwd, options):
    """Collect the suite in ``cwd`` (importing the project); what it imported, for hot swaps."""
    os.chdir(cwd)
    sys.path[0] = cwd
    with quiet():
        pytest.main(["--collect-only", "-q", *options])
    return hotswap.Loaded(cwd, sys.modules)


def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o666)
    server.listen(4)
    return server


def main():
    global LOADED
    path = sys.argv[1]
    warm_up()
    if sys.argv[2:3] == ["--preload"]:
        LOADED = preload(sys.argv[3], sys.argv[4:])
    server = serve(path)
    if os.fork():  # the parent returns once the socket listens
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    server.settimeout(ORPHAN_CHECK)
    while True:
        try:
            conn, _ = server.accept()
        except socket.timeout:  # noqa: UP041 (an alias of TimeoutError only from Python 3.10)
            if not os.path.exists(path):  # the sandbox's scratch is gone: nobody can ask again
                os._exit(0)
            continue
        with conn:
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data:
                continue
            reply = run(json.loads(data))
            conn.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    main()
