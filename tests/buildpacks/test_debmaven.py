"""Maven artifacts from Debian's Maven repository where Maven Central cannot be reached: the script
run by a real shell with mvn, apt-get and apt-helper standing in (apache/commons-cli at HEAD ended
on "The project commons-cli:commons-cli:1.12.0-SNAPSHOT has 1 error": Central unreachable, the
cause unnamed)."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

from rfsn.buildpacks.java.buildpack import find_poms
from rfsn.buildpacks.java.debmaven import BASE_PACKAGES, SCRIPT, artifact_paths
from rfsn.buildpacks.steplog import step_error

#: mvn that cannot reach Central, and with Debian's repository as the mirror fails on $MISSING
FAKE_MVN = """#!/bin/sh
if grep -q 'file:///usr/share/maven-repo' "$SETTINGS" 2>/dev/null; then
  [ -n "$SAID" ] && echo "[ERROR]     $SAID" && exit 1
  [ -z "$MISSING" ] && exit 0
  echo "[ERROR] Failed to execute goal on project a: Could not find artifact $MISSING in debian"; exit 1
fi
echo "[ERROR] Non-resolvable parent POM: Could not transfer artifact org.apache.commons:commons-parent:pom:54"
echo "  from/to central (https://repo.maven.apache.org/maven2): java.net.UnknownHostException: repo.maven.apache.org"
exit 1
"""
FAKE_APT_GET = '#!/bin/sh\necho "$@" >> "$APT_SEEN"\n'
FAKE_APT_HELPER = '#!/bin/sh\ncp "$CONTENTS" "$3"\n'
CONTENTS = """\
usr/share/maven-repo/junit/junit/4.13.2/junit-4.13.2.pom   java/junit4
usr/share/maven-repo/junit/junit/debian/junit-debian.pom   java/junit4
usr/share/maven-repo/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.pom   java/libcommons-lang3-java
usr/share/maven-repo/org/hamcrest/hamcrest/2.2/hamcrest-2.2.pom   java/libhamcrest-java,java/libhamcrest2-java
usr/share/doc/junit4/copyright   java/junit4
"""
POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.apache.commons</groupId><artifactId>commons-parent</artifactId><version>54</version></parent>
  <artifactId>commons-a</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId></dependency>
    <dependency><groupId>org.hamcrest</groupId><artifactId>hamcrest</artifactId></dependency>
    <dependency><groupId>${g}</groupId><artifactId>x</artifactId></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId></plugin></plugins></build>
</project>
"""


def _run(tmp_path: Path, missing: str = "", said: str = "") -> subprocess.CompletedProcess[str]:
    tools, etc = tmp_path / "bin", tmp_path / "etc"
    tools.mkdir()
    etc.mkdir()
    for name, text in (("mvn", FAKE_MVN), ("apt-get", FAKE_APT_GET), ("apt-helper", FAKE_APT_HELPER)):
        (tools / name).write_text(text)
        (tools / name).chmod(0o755)
    with gzip.open(tmp_path / "contents.gz", "wt") as handle:
        handle.write(CONTENTS)
    (tmp_path / "pom.xml").write_text(POM)
    (tmp_path / "rfsn-maven.txt").write_text("".join(f"{n}\n" for n in artifact_paths(tmp_path, ["pom.xml"])))
    script = (
        SCRIPT.replace("$RFSN_ENV/notes.txt", str(tmp_path / "notes.txt"))
        .replace("/etc/maven/settings.xml", str(etc / "settings.xml"))
        .replace("/usr/lib/apt/apt-helper", str(tools / "apt-helper"))
        .replace('ls "/usr/share/maven-repo', f'ls "{tmp_path}/maven-repo')
    )
    env = {
        **os.environ,
        "PATH": f"{tools}:{os.environ['PATH']}",
        "APT_SEEN": str(tmp_path / "apt.txt"),
        "MISSING": missing,
        "SAID": said,
        "CONTENTS": str(tmp_path / "contents.gz"),
        "SETTINGS": str(etc / "settings.xml"),
    }
    return subprocess.run(
        ["sh", "-c", script, "sh", str(tmp_path / "m2")], capture_output=True, text=True, cwd=tmp_path, env=env
    )


def test_the_poms_parent_dependencies_and_plugins_are_named_by_their_repository_path(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text(POM)
    assert artifact_paths(tmp_path, find_poms(tmp_path)) == [
        "org/apache/commons/commons-lang3",
        "org/apache/commons/commons-parent",
        "org/apache/maven/plugins/maven-surefire-plugin",
        "org/hamcrest/hamcrest",
    ]


def test_unreachable_central_falls_back_to_debians_maven_repository(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    installs = (tmp_path / "apt.txt").read_text().splitlines()
    assert installs[-1] == (
        "install -y -q --no-install-recommends " + " ".join(BASE_PACKAGES) + " libcommons-lang3-java libhamcrest2-java"
    )
    settings = (tmp_path / "etc" / "settings.xml").read_text()
    assert "<mirrorOf>*</mirrorOf><url>file:///usr/share/maven-repo</url>" in settings
    assert "Debian's Maven repository" in (tmp_path / "notes.txt").read_text()


def test_an_artifact_debian_lacks_is_the_one_line_cause(tmp_path: Path) -> None:
    done = _run(tmp_path, missing="org.example:gone:jar:1.0")
    assert done.returncode == 1
    assert step_error(done.stdout) == (
        "mvn test: org.example:gone:jar:1.0: not in Debian's Maven repository, "
        "and no Maven repository reachable (Maven Central)"
    )


def test_a_version_debian_lacks_is_named_with_the_versions_it_has_apache_commons_cli(tmp_path: Path) -> None:
    """apache/commons-cli at HEAD: its parent commons-parent 104, where Debian (bullseye) has 43."""
    for version in ("43", "debian"):
        (tmp_path / "maven-repo" / "org" / "apache" / "commons" / "commons-parent" / version).mkdir(parents=True)
    done = _run(tmp_path, missing="org.apache.commons:commons-parent:pom:104")
    assert step_error(done.stdout) == (
        "mvn test: org.apache.commons:commons-parent:pom:104: Debian's Maven repository has only 43, "
        "and no Maven repository reachable (Maven Central)"
    )


def test_a_build_that_names_no_artifact_is_said_by_maven_apache_commons_csv(tmp_path: Path) -> None:
    """apache/commons-csv at HEAD: with Debian's older parent, a version property the pom uses is unset."""
    said = "'build.plugins.plugin.version' for org.a:b must be a valid version but is '${b.version}'."
    done = _run(tmp_path, said=f"{said} @ line 145, column 20")
    assert step_error(done.stdout) == (
        f"mvn test: {said} @ line 145, column 20 (Debian's Maven repository, "
        "and no Maven repository reachable (Maven Central))"
    )
