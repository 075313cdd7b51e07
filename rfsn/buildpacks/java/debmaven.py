"""Maven plugins and dependencies for an env image: from Maven Central, else from Debian's Maven repository.

``mvn dependency:go-offline`` runs against Central first. Where that cannot be reached, the
Debian packages that ship what the poms name under ``/usr/share/maven-repo`` (Debian's Contents
index answers which package holds which group/artifact), with Maven's own plugins and JUnit,
are installed with apt, and Maven's global settings make that directory the mirror of every
repository: the versions Debian has. Maven takes no other version: where the build stops on one
Debian has at another version, ``debsubst`` puts Debian's into the build's local repository under
the requested one, and the build runs again, round after round while a round puts something new.
``aether.offline.protocols=file`` lets offline test runs resolve from it too. What neither has
ends the step with one cause line naming it (or Maven's own line).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.debindex import CONTENTS_FUNCTION
from rfsn.buildpacks.java import debsubst
from rfsn.buildpacks.steplog import STEP_CAUSE

SCRIPT_NAME = "rfsn-maven.sh"
NAMES_FILE = "rfsn-maven.txt"
REPOSITORY = debsubst.REPOSITORY
#: lets offline runs (``-o``) still read a file:// repository such as Debian's
OFFLINE_FILES = "-Daether.offline.protocols=file"
#: Maven's default lifecycle plugins and the test frameworks surefire runs, as Debian packages them
BASE_PACKAGES = (
    "libmaven-compiler-plugin-java",
    "libmaven-resources-plugin-java",
    "libmaven-jar-plugin-java",
    "libmaven-install-plugin-java",
    "libsurefire-java",
    "maven-debian-helper",
    "junit4",
    "junit5",
)

SCRIPT = (
    r"""#!/bin/sh
# $1: the local repository; rfsn-maven.txt: group/artifact paths the poms name, one a line
log=/tmp/rfsn-fetch.log
unreachable='UnknownHostException|Could not transfer|Connection refused|Network is unreachable'
unreachable="$unreachable|[Cc]onnect timed out|Temporary failure in name resolution|No route to host"
offline="no Maven repository reachable (Maven Central)"
mvn -B -Dmaven.repo.local="$1" dependency:go-offline > $log 2>&1; s=$?; cat $log
[ $s -eq 0 ] && exit 0
grep -Eq "$unreachable" $log || exit $s
echo "Maven Central cannot be reached: plugins and dependencies from Debian's Maven repository (REPOSITORY)"
apt-get update -q > /tmp/rfsn-apt.log 2>&1
CONTENTS_FUNCTION
debian_contents /tmp/rfsn-contents.gz /tmp/rfsn-apt.log
zcat /tmp/rfsn-contents.gz 2>/dev/null \
  | sed -nE 's|^usr/share/maven-repo/(.+)/[^/]+/[^/]+\.pom[[:space:]]+(.*)$|\1 \2|p' \
  | sed -E 's| [^ ]*/([^/ ,]+)[^ ]*$| \1|' | sort -u > /tmp/rfsn-maven-index
want=$(sort -u rfsn-maven.txt | join - /tmp/rfsn-maven-index | cut -d' ' -f2 | sort -u)
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends BASE $want \
    >> /tmp/rfsn-apt.log 2>&1; then
  tail -n 3 /tmp/rfsn-apt.log
  echo "CAUSE mvn dependency:go-offline: Debian's Maven packages could not be installed, and $offline"
  exit 1
fi
printf '<settings><mirrors><mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file://REPOSITORY</url>
</mirror></mirrors></settings>\n' > /etc/maven/settings.xml
# the plugins and dependencies of the phases up to test (go-offline would want every phase's plugins);
# an artifact Debian has at another version is put in the local repository (SUBST), and mvn run again
rounds=0
while :; do
  mvn -B -Dmaven.repo.local="$1" -DskipTests test > $log 2>&1; s=$?
  [ $s -eq 0 ] && break
  what=$(sed -nE 's/.*(Could not find artifact|Failure to find|could not be resolved: ) *([^ ,]+).*/\2/p' $log \
    | head -n 1)
  unmanaged=$(sed -nE "s/.*'dependencies\.dependency\.version' for ([^: ]+:[^: ]+):.* is missing.*/\1/p" $log | sort -u)
  rounds=$((rounds + 1)); new=""
  plugin=$(sed -nE "s/.*Error resolving version for plugin '([^']+)'.*/\1/p" $log | head -n 1)
  unset=$(sed -nE "s/.*' for ([^: ]+:[^: ]+)[^ ]* must be a valid version but is '\\\$\\{([^}]+)\\}'.*/\1=\2/p" $log \
    | sort -u)
  for name in $unmanaged $plugin $(echo "$what" | cut -s -d: -f1,2) $(echo "$unset" | sed 's/=.*//'); do
    sh SUBST "$1" install "$name" && new=yes
  done
  for name in $unmanaged; do sh SUBST "$1" manage "$name" && new=yes; done
  for name in $unset; do sh SUBST "$1" property "${name%%=*}" "${name#*=}" && new=yes; done
  [ -z "$plugin" ] || ! sh SUBST "$1" version "$plugin" || new=yes
  [ -n "$what" ] && sh SUBST "$1" "$what" && new=yes
  [ -n "$new" ] && [ $rounds -le 40 ] || break
done
cat $log
if [ $s -ne 0 ]; then
  group=$(echo "$what" | cut -d: -f1 | tr . /); artifact=$(echo "$what" | cut -d: -f2)
  have=$(ls "REPOSITORY/$group/$artifact" 2>/dev/null | grep -vx debian | tr '\n' ' ' | sed 's/ $//')
  lacks="not in Debian's Maven repository"
  [ -z "$what" ] || [ -z "$have" ] || lacks="Debian's Maven repository has only $have"
  said="'[^ ]+' for [^ ]+ (is missing|must be a valid version but is '[^']*')|Failed to execute goal .*"
  said="$said|Error resolving version for plugin [^ ]+|Invalid plugin descriptor for .*"
  said=$(sed -nE "s/^\[ERROR\] +($said)/\1/p" $log | sed -E 's/ -> \[Help [0-9]+\]$//' | head -n 1)
  cause="${what:-an artifact}: $lacks, and $offline"
  [ -n "$what" ] || [ -z "$said" ] || cause="$said (Debian's Maven repository, and $offline)"
  echo "CAUSE mvn test: $cause"
  exit $s
fi
echo "Maven artifacts: Debian's Maven repository (Maven Central cannot be reached): the versions Debian has" \
  >> "NOTES"
""".replace("CAUSE ", STEP_CAUSE)
    .replace("REPOSITORY", REPOSITORY)
    .replace("NOTES", BUILD_NOTES)
    .replace("BASE", " ".join(BASE_PACKAGES))
    .replace("CONTENTS_FUNCTION", CONTENTS_FUNCTION)
    .replace("SUBST", debsubst.SCRIPT_NAME)
)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def artifact_paths(repo: Path, poms: list[str]) -> list[str]:
    """``group/path/artifact`` of every parent, dependency, plugin and extension the ``poms`` name
    (a plugin without a group is Maven's own), less the project's own modules."""
    own: set[str] = set()
    named: set[str] = set()
    for pom in poms:
        try:
            root = ET.parse(repo / pom).getroot()
        except (OSError, ET.ParseError):
            continue
        parent = {_local(c.tag): (c.text or "").strip() for e in root if _local(e.tag) == "parent" for c in e}
        for element in root.iter():
            kind = _local(element.tag)
            if kind in ("project", "parent", "dependency", "plugin", "extension"):
                fields = {_local(c.tag): (c.text or "").strip() for c in element}
                default = {"plugin": "org.apache.maven.plugins", "project": parent.get("groupId", "")}.get(kind, "")
                group, artifact = fields.get("groupId") or default, fields.get("artifactId", "")
                if group and artifact and "${" not in group + artifact:
                    (own if kind == "project" else named).add(f"{group.replace('.', '/')}/{artifact}")
    return sorted(named - own)
