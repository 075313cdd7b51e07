"""How many well-known C-extension sdists get the Debian packages they need found (issue #70,
Build item 5): each built from source, pinned, in the Python 3.11 env image (gcc and Python's
headers, no other library), with rfsn's finding of system packages on.

The list is fixed before any run (``SDISTS``): each needs a system library, a tool or both, and
each says so its own way (``pg_config``, ``xml2-config`` and headers, pkg-config, meson, a
linker). A row's outcome: the first build's failure (what it lacked), the packages each retry
added, and whether the last build imported the extension. Rows are appended to ``--out`` as JSON
lines as they finish (a run can stop and resume: rows already there are skipped), and the images
each row built are removed after it. The contents index is fetched once into ``--home``.

    PYTHONPATH=. python benchmarks/bench_syspkgs.py [--out FILE] [--home DIR] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import docker
from structlog.testing import capture_logs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.pyenv import CREATE_VENV, PIP_INSTALL, VENV_ENV
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.errors import ImageError
from rfsn.sandbox import syspkgs
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from rfsn.settings import load_settings

#: (requirement, module to import, environment of the install): chosen before the first run
SDISTS: tuple[tuple[str, str, str], ...] = (
    ("psycopg2==2.9.9", "psycopg2", ""),
    ("lxml==5.2.2", "lxml.etree", ""),
    ("mysqlclient==2.2.4", "MySQLdb", ""),
    ("pycairo==1.26.0", "cairo", ""),
    ("python-ldap==3.4.4", "ldap", ""),
    ("cffi==1.16.0", "_cffi_backend", ""),
    ("gssapi==1.8.3", "gssapi", ""),
    ("PyGObject==3.48.2", "gi", ""),
    ("pycurl==7.45.3", "pycurl", ""),
    ("dbus-python==1.3.2", "dbus", ""),
    ("PyAudio==0.2.14", "pyaudio", ""),
    ("PyYAML==6.0.2", "yaml._yaml", "PYYAML_FORCE_LIBYAML=1"),  # with libyaml, as its option asks
)


def recipe(requirement: str, module: str, env: str) -> EnvRecipe:
    name = requirement.split("==")[0]
    install = f"{env} {PIP_INSTALL} --no-binary {name} {requirement}".strip()
    check = f"$RFSN_ENV/venv/bin/python -c 'import {module}'"
    return EnvRecipe(
        buildpack="python", base=python_image("3.11"), env=VENV_ENV, steps=(CREATE_VENV, f"{install} && {check}")
    )


def row(client: docker.DockerClient, requirement: str, module: str, env: str, home: Path) -> dict:
    settings = load_settings()
    wanted = recipe(requirement, module, env)
    started = time.monotonic()
    error = ""
    with capture_logs() as logs:
        try:
            tag = ensure_env_image(
                client,
                wanted,
                BuildOptions(
                    settings.base_image_source,
                    settings.resolved_ca_bundle(),
                    step_timeout=settings.setup_timeout,
                    mirror=settings.debian_mirror,
                    home=home,
                ),
            )
        except ImageError as exc:
            tag, error = "", str(exc)
    builds = [e for e in logs if e["event"] == "image.build"]
    rounds = [
        {"lacked": e["wanted"], "found": e["found"], "added": e["added"]}
        for e in logs
        if e["event"] == "image.system_packages"
    ]
    for built in builds:
        if client.images.list(name=built["tag"]):
            client.images.remove(built["tag"], force=True)
    first = builds[0].get("system_packages") if builds else None  # recalled from an earlier run's home
    return {
        "requirement": requirement,
        "built": bool(tag),
        "builds": len(builds),
        "started_with": first or [],
        "needed": len(builds) > 1 or bool(error) or bool(first),
        "rounds": rounds,
        "packages": [p for r in rounds for p in r["added"]],
        "error": error[:400],
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/work/data/syspkgs/bench.jsonl"))
    parser.add_argument("--home", type=Path, default=Path("/work/data/syspkgs/home"))
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    done = (
        {json.loads(line)["requirement"] for line in args.out.read_text().splitlines()} if args.out.is_file() else set()
    )
    client = docker.from_env(timeout=3600)
    for requirement, module, env in SDISTS:
        if requirement in done or (args.only and requirement.split("==")[0] not in args.only):
            continue
        result = row(client, requirement, module, env, args.home)
        print(json.dumps(result), flush=True)
        with args.out.open("a") as out:
            out.write(json.dumps(result) + "\n")
    rows = [json.loads(line) for line in args.out.read_text().splitlines()]
    needed = [r for r in rows if r["needed"]]
    once = [r for r in needed if r["built"] and r["builds"] <= 2]
    print(
        f"{sum(r['built'] for r in needed)} of {len(needed)} sdists that lacked system packages built "
        f"with those found ({len(once)} after one retry, the rest after up to {syspkgs.RETRIES}); "
        f"{len(rows) - len(needed)} needed none"
    )


if __name__ == "__main__":
    main()
