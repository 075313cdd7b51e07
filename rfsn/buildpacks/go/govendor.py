"""A vendor/ tree of the Go sources Debian installed, for ``go -mod=vendor``: the script writing it.

``sh rfsn-govendor.sh SRC VENDOR GO`` (GO: go's version), ``rfsn-gomods.txt`` and ``rfsn-goreplace.txt``
in the working directory. SRC holds Debian's Go sources by import path. A module whose code lies
elsewhere in SRC (without its ``/vN`` where the go.mod there names it; a replacement's target) is
copied to its own path. VENDOR links SRC's top directories; its ``modules.txt`` lists each
requirement at go.mod's version (what vendor mode checks), ``## explicit``, the Go of Debian's
go.mod (at most GO; else GO) and its packages (a package is the deepest module's whose directory
holds it), then the replacements. Packages of modules go.mod does not require (a Debian package's
own dependencies) go under the required module of the newest Go: go 1.17 and later refuse a
vendored module go.mod does not require, go 1.23 and later a package modules.txt does not list.
``rfsn-gomissing.txt`` gets ``path@version: why`` of each direct requirement with no package.
"""

from __future__ import annotations

SCRIPT_NAME = "rfsn-govendor.sh"
MISSING_FILE = "rfsn-gomissing.txt"

#: (module path, its directory in SRC) -> SRC/path, the directory copied without the subtree that
#: is the path itself (``x/v2`` from ``x``)
_PLACE = r"""
while read -r path version from kind; do
  [ "$from" = - ] && continue
  at=$from
  if [ ! -d "$src/$at" ] && echo "$at" | grep -Eq '/v[0-9]+$'; then
    base=${at%/v*}
    if sed -nE 's/^module[[:space:]]+"?([^"[:space:]]+).*/\1/p' "$src/$base/go.mod" 2>/dev/null | grep -qxF "$at"; then
      at=$base
    fi
  fi
  [ -d "$src/$at" ] && [ "$at" != "$path" ] && [ ! -d "$src/$path" ] || continue
  inner=${path#"$at"/}
  mkdir -p "$src/$path"
  (cd "$src/$at" && tar -cf - --exclude="./${inner%%/*}" .) | (cd "$src/$path" && tar -xf -)
done < rfsn-gomods.txt
"""
#: ``dir go-version`` of every go.mod in SRC, then every package directory (non-test .go files,
#: outside testdata and ``_``/``.`` directories)
_SCAN = r"""
(cd "$src" && find -L . -name go.mod -type f 2>/dev/null) | sed 's|^\./||' | while read -r mod; do
  go=$(sed -nE 's/^go[[:space:]]+([0-9][0-9.]*).*/\1/p' "$src/$mod" | head -n 1)
  echo "${mod%/go.mod} ${go:--}"
done | sort > $tmp/roots
(cd "$src" && find -L . -name '*.go' ! -name '*_test.go' -type f 2>/dev/null) \
  | sed -E 's|^\./||; s|/[^/]*$||' | grep -Ev '(^|/)(testdata|[._][^/]*)(/|$)' | sort -u > $tmp/packages
"""
#: modules.txt from rfsn-gomods.txt, the roots and the packages
_MODULES = r"""
function newer(a, b,   x, y, i) {
  split(a, x, "."); split(b, y, ".")
  for (i = 1; i <= 3; i++) if (x[i] + 0 != y[i] + 0) return x[i] + 0 > y[i] + 0
  return 0
}
BEGIN { missing = ARGV[4]; local = ARGV[5]; ARGV[4] = ARGV[5] = "" }
FILENAME == ARGV[1] { n++; req[n] = $1; version[$1] = $2; dir[$1] = $3 == "-"; kind[$1] = $4; owner[$1] = 1; next }
FILENAME == ARGV[2] { gover[$1] = $2; owner[$1] = 1; next }
{
  a = $1
  while (!(a in owner) && index(a, "/")) sub(/\/[^\/]*$/, "", a)
  if (a in version) pkgs[a] = pkgs[a] $1 "\n"; else loose = loose $1 "\n"
}
END {
  for (i = 1; i <= n; i++) {
    m = req[i]; lang[m] = (m in gover && gover[m] != "-") ? gover[m] : local
    if (local != "" && newer(lang[m], local)) lang[m] = local
    if (!dir[m] && (host == "" || newer(lang[m], lang[host]))) host = m
    why = dir[m] ? "replaced by a directory of the project, which the build does not have" : LACKS
    if (pkgs[m] == "" && kind[m] == "direct") print m "@" version[m] ": " why > missing
  }
  if (host != "") pkgs[host] = pkgs[host] loose
  for (i = 1; i <= n; i++) {
    m = req[i]
    printf "# %s %s\n## explicit%s\n%s", m, version[m], (lang[m] == "" ? "" : "; go " lang[m]), pkgs[m]
  }
}
"""

SCRIPT = (
    (
        "#!/bin/sh\n# $1: Debian's Go sources (SRC), $2: the vendor directory to write, $3: go's version\n"
        "src=$1 vendor=$2 tmp=$(mktemp -d)\n: > MISSING\n"
        + _PLACE
        + _SCAN
        + 'mkdir -p "$vendor"\nfor top in "$src"/*; do [ -e "$top" ] && ln -sfn "$top" "$vendor/"; done\n'
        + "{ awk 'MODULES' rfsn-gomods.txt $tmp/roots $tmp/packages MISSING \"$3\"; cat rfsn-goreplace.txt; }"
        + ' > "$vendor/modules.txt"\n'
    )
    .replace("MODULES", _MODULES.strip())
    .replace("MISSING", MISSING_FILE)
    .replace("LACKS", '"not in Debian\\047s packaged Go sources"')
)
