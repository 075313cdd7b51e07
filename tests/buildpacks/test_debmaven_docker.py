"""Maven offline from Debian's Maven repository, for real: a JUnit 4 project whose artifacts Debian
ships at the declared versions builds and runs its tests on the JDK its pom declares, with Maven
Central unreachable (the sandbox's build has no route to it here). About three minutes (apt and
Debian's contents index), so opt-in with the other sweeps: -m sweep or RFSN_SWEEP=1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.buildpacks.test_e2e_docker import _needs_docker  # noqa: F401  (skips without a daemon)

pytestmark = [pytest.mark.docker, pytest.mark.sweep]

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>t</groupId><artifactId>a</artifactId><version>1</version>
  <properties><maven.compiler.source>1.8</maven.compiler.source>
    <maven.compiler.target>1.8</maven.compiler.target></properties>
  <dependencies><dependency><groupId>junit</groupId><artifactId>junit</artifactId>
    <version>4.13.1</version><scope>test</scope></dependency></dependencies>
</project>
"""
TEST = """package t;
import static org.junit.Assert.assertEquals;
import org.junit.Test;
public class ATest {
  @Test public void runtime() { assertEquals("11", System.getProperty("java.specification.version")); }
  @Test public void wrong() { assertEquals(3, 1 + 1); }
}
"""


def test_junit4_project_of_debians_versions_runs_offline_on_the_jdk_its_pom_declares(tmp_path: Path) -> None:
    repo = tmp_path / "a"
    _project(repo, POM)
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", "test", str(repo), "--sandbox", "docker", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert dict(json.loads(proc.stdout)["tests"]) == {"t.ATest#runtime": "passed", "t.ATest#wrong": "failed"}


PARENT_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.apache.commons</groupId><artifactId>commons-parent</artifactId><version>54</version></parent>
  <groupId>t</groupId><artifactId>a</artifactId><version>1</version>
  <properties><maven.compiler.source>1.8</maven.compiler.source>
    <maven.compiler.target>1.8</maven.compiler.target></properties>
  <dependencies><dependency><groupId>junit</groupId><artifactId>junit</artifactId>
    <version>4.13.1</version><scope>test</scope></dependency></dependencies>
</project>
"""


def test_a_parent_at_a_version_debian_lacks_is_debians_nearest_apache_commons_cli(tmp_path: Path) -> None:
    """apache/commons-cli (2022): its parent commons-parent 54, where Debian (bullseye) has only 43."""
    repo = tmp_path / "a"
    _project(repo, PARENT_POM)
    log = tmp_path / "log.jsonl"
    argv = ["test", str(repo), "--sandbox", "docker", "--json", "--log-file", str(log)]
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", *argv], capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert dict(json.loads(proc.stdout)["tests"]) == {"t.ATest#runtime": "passed", "t.ATest#wrong": "failed"}
    assert "commons-parent 54 -> Debian's 43" in log.read_text()


def _project(repo: Path, pom: str) -> None:
    """A committed Maven project of ``pom`` and the one test class."""
    (repo / "src/test/java/t").mkdir(parents=True)
    (repo / "pom.xml").write_text(pom)
    (repo / "src/test/java/t/ATest.java").write_text(TEST)
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "a"],
    ):
        subprocess.run(argv, cwd=repo, check=True)
