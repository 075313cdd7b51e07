"""Run in an env build with the environment's Python: the project's own installed copy, found and
removed, so the image keeps the project's dependencies and nothing of its code.

    python project_copy.py names TREE LISTED   after the install: the tree and the project's names
    python project_copy.py remove LISTED       at the end of the build: its copies in the venv

The env is built at an instance's environment setup commit, which may be later than the base
commit: a non-editable install (``pip install .``, ``setup.py install``) leaves that commit's code
in site-packages, and an editable one (``pip install -e .``) that commit's metadata (its version,
its packages' names, its entry points), where a session could read them. The project is a
distribution pip installed from TREE (its ``direct_url.json``), or one named as the tree's
``*.egg-info`` names it (an egg of ``setup.py install``, an ``.egg-info`` of a legacy install).
What is removed is said, one line. The standard library only, on the environment's Python (3.5
and later).
"""

import csv
import glob
import json
import os
import re
import shutil
import sys
import sysconfig


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def tree_names(tree):
    """The names the tree's ``*.egg-info`` (top level, or one folder down: a src layout) give."""
    names = set()
    for info in glob.glob(os.path.join(tree, "*.egg-info")) + glob.glob(os.path.join(tree, "*", "*.egg-info")):
        try:
            with open(os.path.join(info, "PKG-INFO"), encoding="utf-8", errors="replace") as fh:
                found = re.search(r"^Name:\s*(\S+)", fh.read(), re.M)
        except OSError:
            continue
        if found:
            names.add(norm(found.group(1)))
    return names


def from_tree(info, tree):
    """Whether the dist-info ``info`` was installed from ``tree`` (editable or not)."""
    try:
        with open(os.path.join(info, "direct_url.json"), encoding="utf-8") as fh:
            url = json.load(fh)
    except (OSError, ValueError):
        return False
    path = re.sub(r"^file://", "", str(url.get("url", ""))).rstrip("/")
    return bool(tree) and (path == tree or path.startswith(tree + "/"))


def listed(info):
    """The files the metadata directory ``info`` says were installed (``RECORD``, or a legacy
    install's ``installed-files.txt``), as paths."""
    base = os.path.dirname(info)
    record, legacy = os.path.join(info, "RECORD"), os.path.join(info, "installed-files.txt")
    if os.path.exists(record):
        with open(record, encoding="utf-8", newline="") as fh:
            return [os.path.normpath(os.path.join(base, row[0])) for row in csv.reader(fh) if row]
    if os.path.exists(legacy):
        with open(legacy, encoding="utf-8") as fh:
            return [os.path.normpath(os.path.join(info, line.strip())) for line in fh if line.strip()]
    return []


def remove(path, site):
    """``path`` gone, and the folders it leaves empty up to ``site`` (an empty package folder
    would be imported as a namespace package, before an editable reinstall's finder)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.remove(path)
    if path.endswith(".py"):  # its bytecode, which no RECORD lists when an import wrote it later
        stem = os.path.splitext(os.path.basename(path))[0]
        for cached in glob.glob(os.path.join(os.path.dirname(path), "__pycache__", glob.escape(stem) + ".*.pyc")):
            remove(cached, site)
    folder = os.path.dirname(path)
    while folder.startswith(site + os.sep) and os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)
        folder = os.path.dirname(folder)


def copies(site, tree, names):
    """The project's installed copies in the site directory ``site``: (what, paths)."""
    found = []
    for entry in sorted(os.listdir(site)):
        path = os.path.join(site, entry)
        name = norm(entry.split("-")[0])
        # a wheel's install from the tree, or of the project's name with no say where from; a
        # legacy install's egg-info
        wheel = entry.endswith(".dist-info") and (
            from_tree(path, tree) or (name in names and not os.path.exists(os.path.join(path, "direct_url.json")))
        )
        legacy = entry.endswith(".egg-info") and name in names and os.path.isdir(path)
        if wheel or legacy:
            found.append((entry, [*listed(path), path]))
        elif entry.endswith(".egg") and name in names:
            found.append((entry, [path]))
    return found


def unlisted(site, eggs):
    """``easy-install.pth`` without the lines of the removed ``eggs``."""
    pth = os.path.join(site, "easy-install.pth")
    if not eggs or not os.path.exists(pth):
        return
    with open(pth, encoding="utf-8") as fh:
        lines = fh.readlines()
    with open(pth, "w", encoding="utf-8") as fh:
        fh.writelines(line for line in lines if os.path.basename(line.strip().rstrip("/")) not in eggs)


def main(action, *args):
    if action == "names":  # TREE OUT: the tree, then its names, one a line
        tree, out = os.path.abspath(args[0]), args[1]
        with open(out, "w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in [tree, *sorted(tree_names(tree))]))
        return 0
    lines = []
    if os.path.exists(args[0]):  # LISTED: what ``names`` wrote; none: the install left no tree
        with open(args[0], encoding="utf-8") as fh:
            lines = [line.strip() for line in fh if line.strip()]
    tree, names = os.path.normpath(lines[0]) if lines else "", {norm(name) for name in lines[1:]}
    removed = []
    for site in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        if not os.path.isdir(site):
            continue
        found = copies(site, tree, names)
        for entry, paths in found:
            for path in paths:
                remove(path, site)
            removed.append(entry)
        unlisted(site, {entry for entry, _ in found if entry.endswith(".egg")})
    if removed:
        print(
            "rfsn: the project's copy the build installed is removed ("
            + ", ".join(removed)
            + "); sessions install it from their own checkout"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
