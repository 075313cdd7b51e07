"""A pytest fork server, run INSIDE the sandbox (stdlib + pytest only).

``python pytest_server.py SOCKET [--preload CWD PYTEST_OPTION...]`` imports pytest once,
daemonizes, and returns once it listens on SOCKET. A request is one JSON line ``{"args", "cwd",
"env", "path", "tmp", "output", "timeout", "grace", "interrupts"}``; a forked child runs
``pytest.main(args)`` in a session of its own, with ``env`` set, ``path`` first on its path and ``tmp``
as its own ``TMPDIR``, output to ``output``, stopped past ``timeout`` as a cold run is (``stop_signals``);
the reply is ``{"exit_code", "timed_out", "duration"}``. Modules of the project the server imported
(pytest's own dependencies, installed editable) are hot-swapped in each child, as a preload's are.

``--preload`` first collects the suite in CWD and serves from inside that live session's
``pytest_runtestloop``: a request for collected node ids with the same options (``--junitxml``,
``--maxfail``, ``--tb`` and a per-test limit aside) runs those items in the child, after hot-swapping the functions
edited since (hotswap.py); an edit it cannot swap ends the child with ``NOT_SWAPPABLE``. Anything else
(uncollectable files, other options, projects hooking session start or finish) gets ``pytest.main``.
"""

import contextlib
import importlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time

import hotswap  # beside this file
import hotswap_loaded  # beside this file
import pytest  # the expensive imports, done once
import pytest_live  # beside this file
from _pytest.config import default_plugins

#: a child's exit status when the edit cannot be hot-swapped (EX_TEMPFAIL)
NOT_SWAPPABLE = 75
LOADED = None  # the project as the preloading server imported it (hotswap_loaded.Loaded)
LIVE = None  # the preloading server's live session, when requests may run its items (Live)
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
    if LOADED is not None:  # the edit's swaps planned here, once: this run inherits them, the next finds them
        LOADED.prepare()
    pid = os.fork()
    if pid == 0:  # the child: a fresh pytest run in its own process group
        try:
            os.setsid()
            signal.signal(signal.SIGINT, signal.default_int_handler)  # the server's may be ignored
            fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(request["cwd"])
            sys.path[0] = request["cwd"]  # as `python -m pytest` has it (not this script's dir)
            os.environ.update(request.get("env") or {})
            first_on_path(request.get("path") or [])
            own_tmp(request.get("tmp"))
            code = swap_in()
            if not code:
                ran = LIVE.run(list(request["args"])) if LIVE is not None else None
                code = pytest.main(list(request["args"])) if ran is None else ran
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # report, never return into the server loop
            code = 70
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    stops = stop_signals(request, started)
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if stops and time.monotonic() > stops[0][0]:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, stops.pop(0)[1])
        time.sleep(0.002)
    if request.get("tmp"):
        clear(request["tmp"])
    return {
        "exit_code": 124 if timed_out else exit_code(status),
        "timed_out": timed_out,
        "duration": time.monotonic() - started,
    }


def stop_signals(request, started):
    """(when, signal) that stop a run past its timeout: SIGINT, as Ctrl-C, ``interrupts`` times
    (pytest writes the report of the tests it finished), then SIGKILL."""
    deadline, grace = started + float(request["timeout"]), float(request.get("grace", 0))
    interrupts = int(request.get("interrupts", 0))
    stops = [(deadline + grace * i, signal.SIGINT) for i in range(interrupts)]
    return [*stops, (deadline + grace * interrupts, signal.SIGKILL)]


def first_on_path(folders):
    """``folders`` first on the path, after the working directory, as ``PYTHONPATH`` puts them in
    a cold run (and in ``PYTHONPATH`` itself, for the processes the run starts)."""
    sys.path[1:1] = folders
    if folders:
        os.environ["PYTHONPATH"] = os.pathsep.join([*folders, *filter(None, [os.environ.get("PYTHONPATH")])])


def own_tmp(path):
    """A ``/tmp`` of the run's own at ``path`` (none: the server's), empty, as a cold run's is."""
    if not path:
        return
    clear(path)
    os.mkdir(path)
    os.environ["TMPDIR"] = path
    tempfile.tempdir = None  # what the server's warm-up found is not this run's


def clear(path):
    """Remove ``path``, whatever a test left unwritable in it."""

    def writable(func, name, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700)
            func(name)

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=writable)


def exit_code(status):
    """A ``waitpid`` status as an exit code, a signal's as its negative (``os.waitstatus_to_exitcode``
    from Python 3.9 on; the servers run on the environment's Python, 3.6 to 3.8 too)."""
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


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
    """One throwaway session on a dummy test: pytest imports lazily what the first run needs.
    Only a head start: a pytest that refuses it (an option of later years) still serves."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rfsn-warmup-") as tmp:
        for name, text in (("test_rfsn_warmup.py", WARMUP_TEST), ("pytest.ini", "[pytest]\n")):
            with open(os.path.join(tmp, name), "w") as fh:  # the ini makes tmp the rootdir
                fh.write(text)
        with quiet(), contextlib.suppress(Exception, SystemExit):
            pytest.main(["-q", "-rA", f"--junitxml={tmp}/junit.xml", tmp])
    sys.modules.pop("test_rfsn_warmup", None)


def preload(cwd, options, then):
    """Collect the suite in ``cwd`` (importing the project) and serve from the live session
    (``then(live)``); returns only when that session cannot serve (``LOADED`` is set either way)."""
    global LOADED
    os.chdir(cwd)
    sys.path[0] = cwd
    lives = [pytest_live.Live(options, then)]
    with quiet():
        pytest.main([*options], plugins=[lives[0]])
        broken = [nodeid.split("::")[0] for nodeid in lives[0].broken]
        if broken:  # collect again without the files that cannot be collected:
            # their tests are not served live (a request naming them gets pytest.main)
            lives.append(pytest_live.Live(options, then))
            pytest.main([*options, *(f"--ignore={path}" for path in dict.fromkeys(broken))], plugins=[lives[-1]])
    loaded = [live.loaded for live in lives if live.loaded is not None]
    # the last session that reached its run loop; none did (a usage error, say): as now
    LOADED = loaded[-1] if loaded else hotswap_loaded.Loaded(cwd, sys.modules)


def serving(live, path):
    """Serve from inside ``live``'s session: its requests may run its items."""
    global LIVE, LOADED
    LIVE, LOADED = live, live.loaded
    daemon(path)


def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o666)
    server.listen(4)
    return server


def own_imports():
    """The modules this server imported from outside the interpreter's libraries: a project
    pytest itself depends on (iniconfig, pluggy), installed editable. A child inherits them as
    they were at the server's start, so their later edits must be swapped in like a preload's."""
    import sysconfig

    libs = tuple(
        os.path.join(os.path.realpath(sysconfig.get_path(key)), "")
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    return {
        name: module
        for name, module in sys.modules.items()
        if not os.path.realpath(getattr(module, "__file__", None) or os.sep).startswith(libs)
    }


def main():
    global LOADED
    path = sys.argv[1]
    warm_up()
    if sys.argv[2:3] == ["--preload"]:
        preload(sys.argv[3], sys.argv[4:], then=lambda live: serving(live, path))
    else:
        LOADED = hotswap_loaded.Loaded(os.sep, own_imports())
    daemon(path)


def daemon(path):
    """Listen on ``path``, detach (the starting process exits 0) and answer requests forever.
    The starter exits only once the server is in a session of its own: a sandbox stops what a
    command leaves in its process group when the command ends."""
    server = serve(path)
    detached, told = os.pipe()
    if os.fork():  # the parent returns once the socket listens and the server left its group
        os.close(told)
        os.read(detached, 1)  # end of file: the server closed its end after ``setsid``, or died
        os._exit(0)
    os.setsid()
    os.close(detached)
    os.close(told)
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
