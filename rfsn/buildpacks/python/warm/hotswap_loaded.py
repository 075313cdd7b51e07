"""The project's modules as a warm server imported them, and the hot swaps planned for their edits
(stdlib only; runs in the sandbox beside hotswap.py, kept to Python 3.6 as it is).

Each file's loaded text is analysed once, and each edit once: a server plans the edits before
forking a run (``Loaded.prepare``), so the run inherits the plans, and the next run of the same
edit (a candidate's next tier) finds them made.
"""

import contextlib
import os

from hotswap import LoadedText, NotSwappable, apply, planned


class Loaded:
    """The project's modules as a process imported them: path -> (stat, text, module); and the
    plans worked out for them: each file's loaded text (``LoadedText``), and its last edit's swaps
    or why it cannot be swapped (the runs of one candidate share it)."""

    def __init__(self, root, modules):
        self.entries = {}
        self.analysed, self.plans = {}, {}
        root = os.path.join(os.path.realpath(root), "")  # "/" stays "/"
        for module in list(modules.values()):
            path = getattr(module, "__file__", None) or ""
            real = os.path.realpath(path) if path.endswith(".py") else ""
            if real.startswith(root) and os.sep + "site-packages" + os.sep not in real:
                self.entries[real] = (_stat(real), _read(real), module)

    def refresh(self):
        """Swap the edits made since loading into the modules; NotSwappable if one cannot be."""
        for module, swaps in self.planned():
            apply(module, swaps)

    def prepare(self):
        """Plan the edits made since loading, applying none: a server does it before forking a
        run, which inherits the plans (and the next run of the same edit finds them made)."""
        with contextlib.suppress(NotSwappable):
            self.planned()

    def planned(self):
        """(module, swaps) for each file edited since loading; NotSwappable if one cannot be."""
        found = []
        for path, (stat, text, module) in self.entries.items():
            if _stat(path) == stat:
                continue
            new_text = _read(path)
            if new_text is None or text is None:
                raise NotSwappable(f"{path} cannot be read")
            if new_text != text:
                found.append((module, self._plan(path, text, new_text)))
        return found

    def _plan(self, path, text, new_text):
        last = self.plans.get(path)
        if last is None or last[0] != new_text:
            try:
                if path not in self.analysed:
                    self.analysed[path] = LoadedText(text, path)
                last = (new_text, planned(self.analysed[path], new_text, path))
            except NotSwappable as exc:
                last = (new_text, exc)
            self.plans[path] = last
        if isinstance(last[1], NotSwappable):
            raise last[1]
        return last[1]


def _stat(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None
