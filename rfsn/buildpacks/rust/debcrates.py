"""Crates for an env image: from crates.io, else from Debian's packaged crates (``librust-*-dev``).

``cargo fetch`` runs against crates.io first. Where that cannot be reached, the crates the project
names (its manifests' dependencies and its Cargo.lock's packages) that Debian packages are
installed with apt, and cargo's home replaces crates.io with their directory
(``/usr/share/cargo/registry``): the versions Debian has, not the lock's, which cargo re-resolves
(the build notes say so). A crate neither has ends the step with one cause line naming it.
"""

from __future__ import annotations

import re
from pathlib import Path

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.steplog import STEP_CAUSE
from rfsn.fsutil import read_toml

SCRIPT_NAME = "rfsn-crates.sh"
NAMES_FILE = "rfsn-crates.txt"
REGISTRY = "/usr/share/cargo/registry"
_LOCKED_NAME = re.compile(r'^name = "([^"]+)"$', re.M)
_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")

SCRIPT = (
    r"""#!/bin/sh
# $@: cargo fetch's options; rfsn-crates.txt: the crates the project names, one a line
log=/tmp/rfsn-fetch.log
unreachable='Could not resolve host|failed to connect|Couldn.t connect|network failure|Connection refused'
unreachable="$unreachable|Connection timed out|failed to query replaced source"
offline="no crate registry reachable (crates.io)"
cargo fetch "$@" > $log 2>&1; s=$?; cat $log
[ $s -eq 0 ] && exit 0
grep -Eq "$unreachable" $log || exit $s
echo "crates.io cannot be reached: the crates from Debian's packages (librust-*-dev)"
apt-get update -q > /tmp/rfsn-apt.log 2>&1
apt-cache pkgnames librust- | sed -nE 's/^librust-(.*)-dev$/\1/p' | sort -u > /tmp/rfsn-avail
want=$(tr 'A-Z_' 'a-z-' < rfsn-crates.txt | sort -u | comm -12 - /tmp/rfsn-avail | sed 's/.*/librust-&-dev/')
if [ -n "$want" ] && ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want \
    >> /tmp/rfsn-apt.log 2>&1; then
  tail -n 3 /tmp/rfsn-apt.log
  echo "CAUSE cargo fetch: Debian's packaged crates could not be installed, and $offline"
  exit 1
fi
mkdir -p "$CARGO_HOME"
printf '[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "REGISTRY"\n' \
  >> "$CARGO_HOME/config.toml"
cargo fetch > $log 2>&1; s=$?; cat $log
if [ $s -ne 0 ]; then
  named='s/.*(failed to select a version for( the requirement)?|no matching package named) `([^`]+)`'
  what=$(sed -nE "$named"'( \(locked to [^)]*\))?.*/\3\4/p' $log | head -n 1)
  have=$(sed -nE 's/^candidate versions found which didn.t match: (.*)/\1/p' $log | head -n 1)
  lacks="not in Debian's packaged crates"
  [ -z "$have" ] || lacks="Debian's packaged crates have only $have"
  echo "CAUSE cargo fetch: ${what:-a crate}: $lacks, and $offline;" \
    "the crates come only from the project's vendor/ offline: cargo vendor"
  exit $s
fi
echo "crates: Debian's packaged crates (crates.io cannot be reached): the versions Debian has," \
  "not Cargo.lock's" >> "NOTES"
""".replace("CAUSE ", STEP_CAUSE)
    .replace("REGISTRY", REGISTRY)
    .replace("NOTES", BUILD_NOTES)
)


def crate_names(repo: Path, manifests: list[str]) -> list[str]:
    """The crates ``repo`` names: every dependency of its ``manifests`` (by the package's own
    name where renamed) and every package of its Cargo.lock, less its own packages."""
    own: set[str] = set()
    names: set[str] = set()
    for path in manifests:
        manifest = read_toml(repo / path)
        own.add(str((manifest.get("package") or {}).get("name") or ""))
        scopes = [manifest, *((manifest.get("target") or {}).values()), manifest.get("workspace") or {}]
        for scope in scopes:
            for table in (scope.get(t) for t in _TABLES if isinstance(scope, dict)):
                for key, spec in (table or {}).items() if isinstance(table, dict) else ():
                    path_only = isinstance(spec, dict) and "path" in spec and "version" not in spec
                    if not path_only:
                        names.add(str(spec.get("package", key)) if isinstance(spec, dict) else key)
    lock = repo / "Cargo.lock"
    if lock.is_file():
        names.update(_LOCKED_NAME.findall(lock.read_text(encoding="utf-8", errors="replace")))
    return sorted(names - own)
