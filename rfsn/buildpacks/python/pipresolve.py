"""Ask pip what a project needs, in the env build, when its metadata compute it.

The build unpacks the project at the session's commit (``EnvRecipe.source``), lets pip build
its metadata and resolve it with its test extras (``pip install --dry-run --report``; a pip
before 22.2, on a Python no newer pip runs on, installs into a scratch directory instead), and
installs what pip chose, pinned, except the project itself: sessions reinstall the project
from their own checkout, offline (``--no-deps``), so the resolved set stays as it is.
"""

from __future__ import annotations

import shlex

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.python.pyenv import BUILD_REQUIRES, PIP_INSTALL, TODAY_PIP_INSTALL, ask_backend, keeping_listed

#: the script's exit status when the pip resolving refuses a version that is no PEP 440 version
#: (a legacy one, as setuptools before 66 wrote: ``1.4.9.dev0dev``), which pip 24.1 stopped reading
LEGACY_EXIT = 3
#: the last pip that reads a legacy version (a deprecation warning), which then resolves
LEGACY_PIP = "pip>=23.1,<24.1"
#: the build's helper, a file of the recipe (run by the venv's Python, 3.7 or later)
SCRIPT_NAME = "pipresolve.py"
SCRIPT = '''\
"""argv: comma-separated extras to include when the project has them, output file."""
import json, os, re, subprocess, sys, tempfile

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

# RFSN_RESOLVE_INSTALLED: what is installed stays where it satisfies the project (only the rest)
FRESH = [] if os.environ.get("RFSN_RESOLVE_INSTALLED") else ["--ignore-installed"]

def report(target, *options):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", *FRESH, "--quiet",
                               "--report", out.name, *options, target], stderr=subprocess.PIPE,
                              universal_newlines=True)
        sys.stderr.write(done.stderr)
        if done.returncode and "Invalid version: " in done.stderr:
            sys.exit(@LEGACY_EXIT@)  # a version no PEP 440 one: the step asks an older pip
        done.check_returncode()
        return json.load(open(out.name))["install"]

def installed(target, *options):
    """report() for a pip without --report (before 22.2): what it installs into a scratch
    directory, read from the installed metadata."""
    from email.parser import Parser
    import glob, os
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-m", "pip", "install", "--ignore-installed", "--quiet",
                        "--target", scratch, *options, target], check=True)
        found = []
        for path in glob.glob(os.path.join(scratch, "*.dist-info", "METADATA")) + glob.glob(
                os.path.join(scratch, "*.egg-info", "PKG-INFO")):
            meta = Parser().parse(open(path, encoding="utf-8", errors="replace"))
            extras = meta.get_all("Provides-Extra") or []
            requires = os.path.join(os.path.dirname(path), "requires.txt")
            if not extras and os.path.exists(requires):  # an old setuptools names them only here
                extras = [m.split(":")[0] for m in re.findall(r"^\\[([^\\]]+)\\]", open(requires).read(), re.M)]
            found.append({"metadata": {"name": meta["Name"], "version": meta["Version"],
                                       "provides_extra": extras}})
        return found

pip_version = __import__("pip").__version__
how = ""
if tuple(int(p) for p in re.findall(r"\\d+", pip_version)[:2]) < (22, 2):
    report, how = installed, " (pip %s, no --report: installed into a scratch directory)" % pip_version

wanted = {norm(e) for e in sys.argv[1].split(",") if e}
meta = report(".", "--no-deps")[0]["metadata"]
extras = sorted(e for e in meta.get("provides_extra", []) if norm(e) in wanted)
pins = []
for item in report(".[%s]" % ",".join(extras) if extras else "."):
    name, info = item["metadata"]["name"], item.get("download_info", {})
    if norm(name) == norm(meta["name"]):
        continue  # the project itself: each session installs its own checkout
    if "vcs_info" in info:
        vcs = info["vcs_info"]
        pins.append("%s @ %s+%s@%s" % (name, vcs["vcs"], info["url"], vcs["commit_id"]))
    elif item.get("is_direct"):
        pins.append("%s @ %s" % (name, info["url"]))
    else:
        pins.append("%s==%s" % (name, item["metadata"]["version"]))
open(sys.argv[2], "w").write("".join(p + "\\n" for p in sorted(pins)))
print("pip resolved %d requirement(s) of %s%s%s" % (len(pins), meta["name"], extras and " %s" % extras or "", how))
'''.replace("@LEGACY_EXIT@", str(LEGACY_EXIT))


def resolve_step(
    extras: tuple[str, ...] | list[str] | set[str] | frozenset[str], dated: bool = False, keep_installed: bool = False
) -> str:
    """The build step: pip resolves the project in ``$RFSN_ENV/src`` with those of ``extras``
    it declares, and the result is installed (``build_requires_step`` follows, in the same copy). ``dated``: the
    build's index is of another date; the resolving pip is today's, the era's pip comes back.
    ``keep_installed``: what earlier steps installed (the raised test tools) stays where the
    project's requirements allow it: pip resolves against it, and only the rest is pinned."""
    # --report needs pip 22.2; setuptools_scm projects have no history in the copy
    era = "ERA_PIP=$($RFSN_ENV/venv/bin/python -m pip --version | cut -d' ' -f2) && " if dated else ""
    back = f' && {PIP_INSTALL} "pip==$ERA_PIP"' if dated else ""
    # no pip 23.1 runs on this Python (3.6): the script asks its own pip another way. pip 23.1
    # wants Python 3.7, which a pip before 9 does not read (it installed a pip that cannot run)
    upgrade = (
        f"{{ $RFSN_ENV/venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 7))' && "
        f"{TODAY_PIP_INSTALL} --upgrade 'pip>=23.1' || echo 'rfsn: no pip 23.1 for this "
        "Python: its own pip resolves'; }"
        if dated
        else f"{PIP_INSTALL} --upgrade 'pip>=23.1'"
    )
    script = (
        f"$RFSN_ENV/venv/bin/python $RFSN_ENV/files/{SCRIPT_NAME} "
        f"{shlex.quote(','.join(sorted(extras)))} $RFSN_ENV/resolved.txt"
    )
    if keep_installed:
        script = f"RFSN_RESOLVE_INSTALLED=1 {script}"
    said = "pip refused a version that is no PEP 440 version: pip 24.0, the last that reads one, resolved"
    legacy = f"{TODAY_PIP_INSTALL if dated else PIP_INSTALL} '{LEGACY_PIP}' && echo '{said}' >> \"{BUILD_NOTES}\""
    script = f"{{ {script} || {{ [ $? = {LEGACY_EXIT} ] && {legacy} && {script}; }}; }}"
    return (
        f"cd $RFSN_ENV/src && export SETUPTOOLS_SCM_PRETEND_VERSION=0.0 && {era}{upgrade} && "
        f"{script} && "
        f"{PIP_INSTALL} -r $RFSN_ENV/resolved.txt{back}"
    )


def build_requires_step(backend: str) -> str:
    """The build step, in ``$RFSN_ENV/src`` after the project's requirements are installed: its
    build ``backend`` asked what building it needs (a setup.py's ``SetupRequirementsError``, its
    ``setup_requires``; what setuptools fetched into the copy while ``resolve_step`` ran it), as
    pip asks it, and that installed from the build's index without moving what is installed:
    sessions build the project offline, with no build isolation. The copy is removed after."""
    ask = ask_backend(backend, "the sessions' build has what is installed", "$RFSN_ENV/venv/bin/python")
    whose = "the project's"
    return (
        f"cd $RFSN_ENV/src && export SETUPTOOLS_SCM_PRETEND_VERSION=0.0 && {ask} && "
        f"{keeping_listed(BUILD_REQUIRES, PIP_INSTALL, whose)} && rm -f {BUILD_REQUIRES} $RFSN_ENV/ask.log"
        " && cd / && rm -rf $RFSN_ENV/src"
    )
