"""An artifact at a version Debian's Maven repository lacks, from the version it has: a shell helper.

Maven takes no version but the one a pom names, and Debian keeps only the versions it packages
(a real version directory and a ``debian`` alias per artifact). Where an offline build stops on
``group:artifact[:type[:classifier]]:version`` and Debian has that artifact at another version, the
helper copies Debian's version into the build's local repository under the requested one: its
files (``.pom``, ``.jar`` and classified jars), the pom's own ``<version>`` rewritten to the
requested one. Files put there by hand carry no ``_remote.repositories``, so Maven takes them
from any repository, offline too. The nearest version is the newest of the same major version,
else the newest. What an older parent no longer gives the project is given from Debian too: a
dependency version it no longer manages, a version property it no longer sets (the version Debian
has of the artifact it versions), a plugin named without a version (Debian's, else an empty
stand-in that runs no goal), an artifact of a Debian package not installed yet (the package). Each
is a line of the build notes; what was put before, or what Debian lacks, exits 1: nothing new.
"""

from __future__ import annotations

from rfsn.buildpacks.base import BUILD_NOTES

SCRIPT_NAME = "rfsn-maven-subst.sh"
REPOSITORY = "/usr/share/maven-repo"
#: marks a version directory of the local repository filled from another version of Debian's
MARK = ".rfsn-debian"
#: the version of a stand-in for a plugin named without a version that Debian lacks: Maven resolves
#: the version of every plugin of the build, and the descriptor, though it runs only the goals bound
#: to the phases up to test; a goal of the stand-in is Maven's "Could not find goal" naming it
STANDIN = "0-not-in-debian"

SCRIPT = (
    r"""#!/bin/sh
# $1: the local repository; then one of
#   group:artifact[:type[:classifier]]:version  Maven could not resolve: Debian's nearest version under it
#   install group:artifact    Debian's package that holds it (Debian's Contents index, /tmp/rfsn-maven-index)
#   version group:artifact    a plugin named without a version: the version Debian has, else an empty stand-in
#   manage group:artifact     a dependency the substituted poms no longer manage: at the version Debian has
#   property group:artifact NAME   a version property ${NAME} they no longer set: the version Debian has
# exits 1 when there is nothing new to put
path="$(echo "${3%:*}" | tr . /)/${3#*:}"
newest=$(ls "REPOSITORY/$path" 2>/dev/null | grep -vx debian | sort -V | tail -n 1)
done_before() { grep -qx "$1" "$2" 2>/dev/null && return 0; echo "$1" >> "$2"; return 1; }
if [ "$2" = install ]; then
  package=$(grep "^$path " /tmp/rfsn-maven-index | head -n 1 | cut -d' ' -f2)
  [ -n "$package" ] && [ ! -d "REPOSITORY/$path" ] && ! done_before "$3" "$1/MARK-installed" || exit 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" >> /tmp/rfsn-apt.log 2>&1 \
    && echo "Maven: ${3#*:} from Debian's $package" | tee -a "NOTES"
  exit
fi
if [ "$2" = version ]; then
  [ ! -e "$1/$path/maven-metadata-local.xml" ] && have=${newest:-STANDIN} && mkdir -p "$1/$path/$have" || exit 1
  said="Debian's $have"
  if [ "$have" = STANDIN ]; then
    said="not in Debian: an empty stand-in (it runs no goal)"; files=$(mktemp -d); mkdir -p "$files/META-INF/maven"
    coordinates="<groupId>${3%:*}</groupId><artifactId>${3#*:}</artifactId><version>$have</version>"
    echo "<plugin>$coordinates<mojos/></plugin>" > "$files/META-INF/maven/plugin.xml"
    echo "<project><modelVersion>4.0.0</modelVersion>$coordinates<packaging>maven-plugin</packaging></project>" \
      > "$1/$path/$have/${3#*:}-$have.pom"
    jar cf "$1/$path/$have/${3#*:}-$have.jar" -C "$files" META-INF || exit 1
  fi
  versions="<release>$have</release><versions><version>$have</version></versions>"
  printf '<metadata><groupId>%s</groupId><artifactId>%s</artifactId><versioning>%s</versioning></metadata>\n' \
    "${3%:*}" "${3#*:}" "$versions" > "$1/$path/maven-metadata-local.xml"
  echo "Maven: ${3#*:} named without a version: $said" | tee -a "NOTES"
  exit
fi
if [ "$2" = property ]; then
  [ -n "$newest" ] && ! done_before "$4" "$1/MARK-managed" || exit 1
  find "$1" -name MARK | sed 's|/[^/]*$||' | while read -r dir; do for pom in "$dir"/*.pom; do
    awk -v entry="<$4>$newest</$4>" '
      !done && /<properties>/ { sub(/<properties>/, "<properties>" entry); done = 1 }
      !done && /<\/project>/ { sub(/<\/project>/, "<properties>" entry "</properties></project>") }
      { print }' "$pom" > "$pom.new" && mv "$pom.new" "$pom"
  done; done
  echo "Maven: \${$4} (the version of ${3#*:}) not set by a pom from Debian at another version: Debian's $newest" \
    | tee -a "NOTES"
  exit
fi
if [ "$2" = manage ]; then
  [ -n "$newest" ] && ! done_before "$3" "$1/MARK-managed" || exit 1
  entry="<dependency><groupId>${3%:*}</groupId><artifactId>${3#*:}</artifactId><version>$newest</version></dependency>"
  find "$1" -name MARK | sed 's|/[^/]*$||' | while read -r dir; do for pom in "$dir"/*.pom; do
    awk -v entry="$entry" '
      /<dependencyManagement>/ { managed = 1 }
      managed == 1 && /<dependencies>/ { sub(/<dependencies>/, "<dependencies>" entry); managed = 2 }
      /<\/project>/ && managed != 2 { sub(/<\/project>/, "<dependencyManagement><dependencies>" entry \
        "</dependencies></dependencyManagement></project>") }
      { print }' "$pom" > "$pom.new" && mv "$pom.new" "$pom"
  done; done
  echo "Maven: ${3#*:} not managed by a pom from Debian at another version: Debian's $newest" | tee -a "NOTES"
  exit
fi
group=$(echo "$2" | cut -d: -f1 | tr . /); artifact=$(echo "$2" | cut -d: -f2); want=${2##*:}
[ -n "$artifact" ] && [ "$want" != "$2" ] || exit 1
from="REPOSITORY/$group/$artifact"; to="$1/$group/$artifact/$want"
[ -e "$to/MARK" ] || [ -d "$from/$want" ] && exit 1
versions=$(ls "$from" 2>/dev/null | grep -vx -e debian -e "$want" | sort -V)
have=$(echo "$versions" | grep -E "^${want%%[.-]*}([.-]|\$)" | tail -n 1)
[ -n "$have" ] || have=$(echo "$versions" | tail -n 1)
[ -n "$have" ] || { [ -d "$from/debian" ] && have=debian; } || exit 1
mkdir -p "$to" && rm -f "$to"/*.lastUpdated "$to"/_remote.repositories
for file in "$from/$have/$artifact-$have"*; do
  name=$(basename "$file"); target="$to/$artifact-$want${name#"$artifact-$have"}"
  case "$name" in
    *.pom) awk -v have="<version>$have</version>" -v want="<version>$want</version>" '
      /<parent>/ { parent = 1 }
      !done && !parent && index($0, have) { i = index($0, have)
        $0 = substr($0, 1, i - 1) want substr($0, i + length(have)); done = 1 }
      /<\/parent>/ { parent = 0 }
      { print }' "$file" > "$target" ;;
    *.jar) cp -L "$file" "$target" ;;
  esac
done
# a plugin's descriptor names its version too, and Maven checks it
files=$(mktemp -d); jar="$to/$artifact-$want.jar"
if [ -f "$jar" ] && (cd "$files" && jar xf "$jar" META-INF/maven/plugin.xml) 2>/dev/null \
    && [ -f "$files/META-INF/maven/plugin.xml" ]; then
  sed -i "0,/<version>$have<\/version>/s//<version>$want<\/version>/" "$files/META-INF/maven/plugin.xml"
  jar uf "$jar" -C "$files" META-INF/maven/plugin.xml
fi
touch "$to/MARK"
echo "Maven artifact from Debian at another version: $artifact $want -> Debian's $have" | tee -a "NOTES"
""".replace("REPOSITORY", REPOSITORY)
    .replace("MARK", MARK)
    .replace("STANDIN", STANDIN)
    .replace("NOTES", BUILD_NOTES)
)
