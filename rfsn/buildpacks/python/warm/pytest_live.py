"""The preloading pytest server's live session (run INSIDE the sandbox, beside pytest_server.py):
a plugin that stops the session before its run loop and runs requested items in it.
"""

import contextlib
import os
import sys

import hotswap_loaded  # beside this file
import pytest


def split(args):
    """(node ids, the other arguments, --junitxml's value, --maxfail's value, --tb's value) of
    pytest args."""
    ids, rest, junit, maxfail, tb = [], [], None, 0, None
    for arg in args:
        if "::" in arg:
            ids.append(arg)
        elif arg.startswith("--junitxml="):
            junit = arg.split("=", 1)[1]
        elif arg.startswith("--maxfail="):
            maxfail = int(arg.split("=", 1)[1])
        elif arg.startswith("--tb="):
            tb = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return ids, rest, junit, maxfail, tb


def per_test_limit(args):
    """(``args`` without a per-test limit's options, the limit as (seconds, method) or None): what a
    run asks pytest-timeout for (``-o timeout=N -o timeout_method=M``, or ``--timeout=N``)."""
    rest, seconds, method, at = [], None, None, 0
    while at < len(args):
        arg, value = args[at], args[at + 1] if args[at] == "-o" and at + 1 < len(args) else ""
        if value.startswith(("timeout=", "timeout_method=")):
            key, given = value.split("=", 1)
            seconds, method = (float(given), method) if key == "timeout" else (seconds, given)
            at += 2
            continue
        if arg.startswith("--timeout="):
            seconds = float(arg.split("=", 1)[1])
        else:
            rest.append(arg)
        at += 1
    return rest, None if seconds is None else (seconds, method)


def limit_items(items, config, limit):
    """Each of ``items`` without a timeout mark of its own gets the run's per-test ``limit`` as
    pytest-timeout's mark, as the ini value gives it in a session of the run's own (this child's
    items only: the next child forks from the session as it was). A pytest-timeout that is not
    there applies none either way."""
    if limit is None or not config.pluginmanager.hasplugin("timeout"):
        return
    seconds, method = limit
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(seconds, **({"method": method} if method else {})))


class Live:
    """A pytest plugin: the preloading session stops before running anything and serves from
    there (``then(live)`` never returns), so that children can run its collected items."""

    def __init__(self, options, then):
        _, rest, self.junit, _, _ = split(options)
        #: the session's options, and the per-test limit they set (a run may ask for another)
        self.options, self.limit = per_test_limit(rest)
        self.then = then
        self.loaded = None  # the project as this session imported it (hotswap_loaded.Loaded)
        self.session = None
        self.items = {}
        self.broken = []  # node ids of the collectors that failed (modules that cannot import)

    def pytest_collectreport(self, report):
        if report.failed and report.nodeid:
            self.broken.append(report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self.loaded = hotswap_loaded.Loaded(os.getcwd(), sys.modules)
        capman = session.config.pluginmanager.getplugin("capturemanager")
        if (
            session.testsfailed or not hasattr(capman, "stop_global_capturing") or self._project_hooks(session.config)
        ):  # (an older pytest names it otherwise)
            return True  # the session ends; children run pytest.main
        self.session, self.items = session, {item.nodeid: item for item in session.items}
        capman.stop_global_capturing()  # each child captures to its own output
        self.then(self)
        return True

    @staticmethod
    def _project_hooks(config):
        """Whether code of the project hooks session start or finish: that would run once, here,
        instead of once per run."""
        root = os.path.realpath(os.getcwd()) + os.sep
        for hook in (config.hook.pytest_sessionstart, config.hook.pytest_sessionfinish):
            if not hasattr(hook, "get_hookimpls"):  # a pluggy too old to tell
                return True
            for impl in hook.get_hookimpls():
                path = getattr(impl.plugin, "__file__", None) or ""
                if os.path.realpath(path).startswith(root):
                    return True
        return False

    def run(self, args):
        """Run the items ``args`` names; their exit status, or None when ``args`` ask for
        anything else (other options, other tests): pytest.main must run them."""
        ids, rest, junit, maxfail, tb = split(args)
        rest, limit = per_test_limit(rest)
        if (
            not ids
            or rest != self.options
            or (self.limit is not None and limit != self.limit)
            or (junit is None) != (self.junit is None)
            or any(i not in self.items for i in ids)
        ):
            return None
        session, config = self.session, self.session.config
        capman = config.pluginmanager.getplugin("capturemanager")
        try:  # a pytest of another age may lack something here: then pytest.main, before any test
            if junit is not None:
                xml = [p for p in config.pluginmanager.get_plugins() if type(p).__name__ == "LogXML"]
                if len(xml) != 1:
                    return None
                xml[0].logfile = os.path.normpath(os.path.abspath(junit))
            limit_items([self.items[i] for i in ids], config, limit)
            config.option.maxfail = maxfail
            if tb:  # this child's own: the next forks from the session as it was
                config.option.tbstyle = tb
            capman.start_global_capturing()  # saves this child's stdout and stderr: the output file
            capman.suspend_global_capture()
        except Exception:
            with contextlib.suppress(Exception):
                capman.stop_global_capturing()
            return None
        items = [self.items[i] for i in dict.fromkeys(ids)]
        session.testscollected = len(items)
        try:
            for index, item in enumerate(items):
                following = items[index + 1] if index + 1 < len(items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
                if session.shouldfail or session.shouldstop:
                    break
            code = 1 if session.testsfailed else 0
        except KeyboardInterrupt:  # the run's limit: the report still names the tests that ended
            code = 2  # pytest's ExitCode.INTERRUPTED
        config.hook.pytest_sessionfinish(session=session, exitstatus=code)
        capman.stop_global_capturing()
        return code
