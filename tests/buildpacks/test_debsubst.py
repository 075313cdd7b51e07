"""An artifact at a version Debian's Maven repository lacks, from the version it has: the helper run
by a real shell on a stand-in of Debian's repository (apache/commons-cli at an old commit: its
parent commons-parent 54, where Debian has 43, and the plugins and JUnit versions that parent 54
managed and 43 does not)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from rfsn.buildpacks.java.debsubst import MARK, REPOSITORY, SCRIPT, STANDIN

PARENT = """<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.apache</groupId><artifactId>apache</artifactId><version>43</version></parent>
  <groupId>org.apache.commons</groupId><artifactId>commons-parent</artifactId><version>43</version>
  <dependencyManagement>
    <dependencies>
    </dependencies>
  </dependencyManagement>
</project>
"""


def _debian(tmp_path: Path) -> Path:
    debian = tmp_path / "debian"
    parent = debian / "org/apache/commons/commons-parent"
    for version in ("43", "debian"):
        (parent / version).mkdir(parents=True)
        (parent / version / f"commons-parent-{version}.pom").write_text(PARENT)
    for version in ("2.8.0", "1.4", "debian"):
        (debian / "commons-io/commons-io" / version).mkdir(parents=True)
        (debian / "commons-io/commons-io" / version / f"commons-io-{version}.pom").write_text("<project/>")
        (debian / "commons-io/commons-io" / version / f"commons-io-{version}.jar").write_text(version)
    (debian / "org/junit/jupiter/junit-jupiter-api/5.3.2").mkdir(parents=True)
    return debian


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = SCRIPT.replace(REPOSITORY, str(tmp_path / "debian")).replace(
        "$RFSN_ENV/notes.txt", str(tmp_path / "notes.txt")
    )
    return subprocess.run(["sh", "-c", script, "sh", str(tmp_path / "m2"), *args], capture_output=True, text=True)


def test_a_parent_debian_has_at_another_version_is_put_under_the_requested_one(tmp_path: Path) -> None:
    _debian(tmp_path)
    done = _run(tmp_path, "org.apache.commons:commons-parent:pom:54")
    assert done.returncode == 0, done.stderr
    put = tmp_path / "m2/org/apache/commons/commons-parent/54"
    pom = (put / "commons-parent-54.pom").read_text()
    assert "<artifactId>apache</artifactId><version>43</version></parent>" in pom  # its parent's stays
    assert "<artifactId>commons-parent</artifactId><version>54</version>" in pom
    assert sorted(p.name for p in put.iterdir()) == sorted([MARK, "commons-parent-54.pom"])
    assert "commons-parent 54 -> Debian's 43" in (tmp_path / "notes.txt").read_text()
    assert _run(tmp_path, "org.apache.commons:commons-parent:pom:54").returncode == 1  # nothing new


def test_the_nearest_version_is_the_newest_of_the_same_major_with_its_jar(tmp_path: Path) -> None:
    _debian(tmp_path)
    assert _run(tmp_path, "commons-io:commons-io:jar:1.7").returncode == 0
    assert (tmp_path / "m2/commons-io/commons-io/1.7/commons-io-1.7.jar").read_text() == "1.4"
    assert _run(tmp_path, "commons-io:commons-io:jar:3.1").returncode == 0
    assert (tmp_path / "m2/commons-io/commons-io/3.1/commons-io-3.1.jar").read_text() == "2.8.0"


def test_a_version_debian_has_or_an_artifact_it_lacks_puts_nothing(tmp_path: Path) -> None:
    _debian(tmp_path)
    assert _run(tmp_path, "commons-io:commons-io:jar:2.8.0").returncode == 1
    assert _run(tmp_path, "org.example:gone:jar:1.0").returncode == 1
    assert not (tmp_path / "m2").exists()


def test_a_version_the_substituted_parent_no_longer_manages_is_debians(tmp_path: Path) -> None:
    _debian(tmp_path)
    _run(tmp_path, "org.apache.commons:commons-parent:pom:54")
    assert _run(tmp_path, "manage", "org.junit.jupiter:junit-jupiter-api").returncode == 0
    pom = (tmp_path / "m2/org/apache/commons/commons-parent/54/commons-parent-54.pom").read_text()
    assert (
        "<dependencies><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter-api</artifactId>"
        "<version>5.3.2</version></dependency>" in pom
    )
    assert _run(tmp_path, "manage", "org.junit.jupiter:junit-jupiter-api").returncode == 1
    assert _run(tmp_path, "manage", "org.example:gone").returncode == 1


def test_a_plugin_named_without_a_version_gets_the_version_debian_has(tmp_path: Path) -> None:
    _debian(tmp_path)
    assert _run(tmp_path, "version", "commons-io:commons-io").returncode == 0
    metadata = (tmp_path / "m2/commons-io/commons-io/maven-metadata-local.xml").read_text()
    assert "<release>2.8.0</release>" in metadata
    assert _run(tmp_path, "version", "commons-io:commons-io").returncode == 1


def test_a_version_property_the_substituted_parent_no_longer_sets_is_debians_apache_commons_pool(
    tmp_path: Path,
) -> None:
    """apache/commons-pool at HEAD: asm-util at ${commons.asm.version}, set by commons-parent 103, not 56."""
    debian = _debian(tmp_path)
    (debian / "org/ow2/asm/asm-util/9.4").mkdir(parents=True)
    _run(tmp_path, "org.apache.commons:commons-parent:pom:103")
    assert _run(tmp_path, "property", "org.ow2.asm:asm-util", "commons.asm.version").returncode == 0
    pom = (tmp_path / "m2/org/apache/commons/commons-parent/103/commons-parent-103.pom").read_text()
    assert "<properties><commons.asm.version>9.4</commons.asm.version></properties></project>" in pom
    assert "${commons.asm.version} (the version of asm-util)" in (tmp_path / "notes.txt").read_text()
    assert _run(tmp_path, "property", "org.ow2.asm:asm-util", "commons.asm.version").returncode == 1


def test_a_plugin_debian_lacks_named_without_a_version_is_an_empty_stand_in_apache_commons_cli(
    tmp_path: Path,
) -> None:
    """apache/commons-cli at an old commit: japicmp-maven-plugin, versioned by commons-parent 54 only
    (the JDK's jar makes the stand-in: skipped without one)."""
    if not shutil.which("jar"):
        pytest.skip("no JDK jar tool")
    _debian(tmp_path)
    done = _run(tmp_path, "version", "com.github.siom79.japicmp:japicmp-maven-plugin")  # with the JDK's jar
    assert done.returncode == 0, done.stderr
    plugin = tmp_path / "m2/com/github/siom79/japicmp/japicmp-maven-plugin"
    assert f"<release>{STANDIN}</release>" in (plugin / "maven-metadata-local.xml").read_text()
    with zipfile.ZipFile(plugin / STANDIN / f"japicmp-maven-plugin-{STANDIN}.jar") as jar:
        assert "<mojos/>" in jar.read("META-INF/maven/plugin.xml").decode()
    assert (
        "<packaging>maven-plugin</packaging>" in (plugin / STANDIN / f"japicmp-maven-plugin-{STANDIN}.pom").read_text()
    )
    assert "japicmp-maven-plugin named without a version: not in Debian" in (tmp_path / "notes.txt").read_text()


def test_a_plugin_from_debian_at_another_version_names_the_requested_one_in_its_descriptor_apache_commons_io(
    tmp_path: Path,
) -> None:
    """apache/commons-io at an old commit: maven-enforcer-plugin 3.1.0, Debian's 3.0.0-M2, whose
    descriptor Maven refused ("Plugin's descriptor contains the wrong version: 3.0.0-M2")."""
    if not shutil.which("jar"):
        pytest.skip("no JDK jar tool")
    debian = _debian(tmp_path) / "org/apache/maven/plugins/maven-enforcer-plugin/3.0.0-M2"
    (debian / "META-INF/maven").mkdir(parents=True)
    (debian / "META-INF/maven/plugin.xml").write_text(
        "<plugin><artifactId>maven-enforcer-plugin</artifactId><version>3.0.0-M2</version><dependencies>"
        "<dependency><version>3.0.0-M2</version></dependency></dependencies></plugin>"
    )
    subprocess.run(
        ["jar", "cf", str(debian / "maven-enforcer-plugin-3.0.0-M2.jar"), "-C", str(debian), "META-INF"], check=True
    )
    assert _run(tmp_path, "org.apache.maven.plugins:maven-enforcer-plugin:3.1.0").returncode == 0
    jar = tmp_path / "m2/org/apache/maven/plugins/maven-enforcer-plugin/3.1.0/maven-enforcer-plugin-3.1.0.jar"
    with zipfile.ZipFile(jar) as opened:
        assert opened.read("META-INF/maven/plugin.xml").decode() == (
            "<plugin><artifactId>maven-enforcer-plugin</artifactId><version>3.1.0</version><dependencies>"
            "<dependency><version>3.0.0-M2</version></dependency></dependencies></plugin>"
        )
