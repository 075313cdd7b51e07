"""Go modules for an env image: from the module proxy, else from Debian's packaged Go sources (``golang-*-dev``).

``go mod download all`` runs against the proxy first. Where that cannot be reached, the Debian
packages that ship what go.mod requires under ``/usr/share/gocode/src/<module path>`` (Debian's
Contents index answers which package holds which path; of several, the newest) are installed with
apt, and a vendor/ tree of those sources (``govendor``) goes in the env: each session links it
into the working copy, and go runs with ``-mod=vendor`` (through ``GOENV``'s file, which the
step writes either way), which reads no go.sum: the versions Debian has, not go.mod's (the build
notes say so). A direct requirement neither has ends the step with one cause line naming it.
"""

from __future__ import annotations

import shlex

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.debindex import CONTENTS_FUNCTION
from rfsn.buildpacks.go import gomodreqs, govendor
from rfsn.buildpacks.steplog import STEP_CAUSE

#: where an env build downloads modules from (go's own default); test runs reach none
GO_PROXY = "https://proxy.golang.org,direct"
#: what go prints when it cannot reach the proxy
UNREACHABLE = r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake|proxyconnect|network is unreachable"
HINT = "the modules come only from the project's vendor/ offline: go mod vendor"
SCRIPT_NAME = "rfsn-gomods.sh"
NAMES_FILE = "rfsn-gomods.txt"
REPLACE_FILE = "rfsn-goreplace.txt"
#: go's own settings file in the env (``GOENV``): the step writes which ``-mod`` test runs use
GOENV = "$RFSN_ENV/goenv"
SOURCES = "/usr/share/gocode/src"
VENDOR = "$RFSN_ENV/vendor"
#: the setup command linking the env's vendor tree into a working copy that has none
LINK = f'[ -e vendor ] || [ ! -f "{VENDOR}/modules.txt" ] || ln -s "{VENDOR}" vendor'
#: ``path packages`` of each wanted path (``$tmp/want``: ``path module``, the path a module's own or,
#: for ``/vN``, the one without it, wanted only where the module's own is not shipped) Debian
#: ships: the packages of its go.mod, else of its files, else those with the most files under it
_LOOKUP = r"""
FILENAME == ARGV[1] { want[$1] = 1; if ($1 != $2) alt[$1] = alt[$1] " " $2; else required[$1] = 1; next }
{
  n = split($2, shipped, ","); pk = ""
  for (i = 1; i <= n; i++) { sub(/.*\//, "", shipped[i]); pk = pk (i > 1 ? "," : "") shipped[i] }
  file = $1; sub(/.*\//, "", file); d = $1; sub(/\/[^\/]*$/, "", d)
  if (file == "go.mod" && (d in want)) gomod[d] = pk
  if (d in want) here[d] = pk
  for (a = d; ; sub(/\/[^\/]*$/, "", a)) {
    if ((a in want) && ++under[a, pk] > most[a]) { most[a] = under[a, pk]; top[a] = pk }
    if (!index(a, "/")) break
  }
}
END {
  for (w in want) found[w] = (w in gomod) ? gomod[w] : (w in here) ? here[w] : top[w]
  for (w in found) {
    needed = (w in required)
    n = split(alt[w], versions, " ")
    for (i = 1; i <= n; i++) if (found[versions[i]] == "") needed = 1
    if (needed && found[w] != "") print w, found[w]
  }
}
"""

_SCRIPT = r"""#!/bin/sh
# rfsn-gomods.txt: go.mod's requirements (gomodreqs.debian_lines); writes $GOENV
tmp=$(mktemp -d) && log=$tmp/fetch.log
offline="no module proxy reachable (GOPROXY=THE_PROXY)"
GOFLAGS=-mod=mod GOPROXY=THE_PROXY go mod download all > $log 2>&1; s=$?; cat $log
[ $s -eq 0 ] && echo GOFLAGS=-mod=mod > "$GOENV" && exit 0
grep -Eq UNREACHABLE $log || exit $s
echo "the module proxy cannot be reached: the modules from Debian's packaged Go sources (golang-*-dev)"
apt-get update -q > $tmp/apt.log 2>&1
CONTENTS_FUNCTION
debian_contents $tmp/contents.gz $tmp/apt.log
if ! [ -s $tmp/contents.gz ]; then
  tail -n 3 $tmp/apt.log
  echo "CAUSE go mod download all: Debian's contents index could not be fetched, and $offline; HINT"
  exit 1
fi
awk '$3 != "-" { print $3, $3; m = $3; if (sub(/\/v[0-9]+$/, "", $3)) print $3, m }' NAMES | sort -u > $tmp/want
zcat $tmp/contents.gz 2>/dev/null | grep '^INDEXED/' | sed -nE 's|^INDEXED/([^[:space:]]+)[[:space:]]+(.*)$|\1 \2|p' \
  | awk 'LOOKUP' $tmp/want - > $tmp/found
want=""
while read -r path packages; do
  best="" newest=""
  for p in $(echo "$packages" | tr , ' '); do
    v=$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
    [ -n "$v" ] && { [ -z "$best" ] || dpkg --compare-versions "$v" gt "$newest"; } && best=$p newest=$v
  done
  want="$want $best"
done < $tmp/found
want=$(echo $want | tr ' ' '\n' | sort -u)
if [ -n "$want" ] && ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want \
    >> $tmp/apt.log 2>&1; then
  for p in $want; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >> $tmp/apt.log 2>&1 \
      || echo "rfsn: $p could not be installed, left out"
  done
fi
own=$(go version | sed -nE 's/^go version go([0-9.]+).*/\1/p')
sh VENDOR_SCRIPT SOURCES "VENDOR" "$own" || exit 1
what=$(head -n 1 MISSING)
if [ -n "$what" ]; then
  echo "CAUSE go mod download all: $what, and $offline; HINT"
  exit 1
fi
echo GOFLAGS=-mod=vendor > "$GOENV"
echo "Go modules: Debian's packaged Go sources (the module proxy cannot be reached), vendored: the versions" \
  "Debian has, not go.mod's" >> "NOTES"
"""

SCRIPT = (
    _SCRIPT.replace("CONTENTS_FUNCTION", CONTENTS_FUNCTION)
    .replace("LOOKUP", _LOOKUP.strip())
    .replace("UNREACHABLE", shlex.quote(UNREACHABLE))
    .replace("THE_PROXY", GO_PROXY)
    .replace("CAUSE ", STEP_CAUSE)
    .replace("HINT", HINT)
    .replace("NAMES", NAMES_FILE)
    .replace("MISSING", govendor.MISSING_FILE)
    .replace("VENDOR_SCRIPT", govendor.SCRIPT_NAME)
    .replace("INDEXED", SOURCES.lstrip("/"))
    .replace("SOURCES", SOURCES)
    .replace("VENDOR", VENDOR)
    .replace("NOTES", BUILD_NOTES)
)


def step_files(go_mod: str) -> tuple[tuple[str, str], ...]:
    """The files the step reads beside go.mod and go.sum, for go.mod ``go_mod``."""
    return (
        (NAMES_FILE, gomodreqs.debian_lines(go_mod)),
        (REPLACE_FILE, gomodreqs.replace_lines(go_mod)),
        (SCRIPT_NAME, SCRIPT),
        (govendor.SCRIPT_NAME, govendor.SCRIPT),
    )


#: the step (in the env's files)
STEP = f"cd $RFSN_ENV/files && sh {SCRIPT_NAME}"
