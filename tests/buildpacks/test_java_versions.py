"""Which Java an environment runs: the pom's Java release against Debian's OpenJDKs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rfsn.buildpacks.java.buildpack import JavaBuildpack
from rfsn.buildpacks.java.javaversions import DEBIAN_JDK, choose, declared, java_image

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>g</groupId><artifactId>a</artifactId><version>1</version>
  {body}
</project>
"""


def _pom(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pom.xml").write_text(POM.format(body=body))
    return tmp_path


def test_commons_properties_source_and_target_1_8_get_bullseyes_jdk_11(tmp_path: Path) -> None:
    """apache/commons-cli (``maven.compiler.source``/``target`` 1.8) ran on bookworm's JDK 17
    whatever it declared; Debian ships no JDK 8, so the nearest later one."""
    repo = _pom(
        tmp_path,
        "<properties><maven.compiler.source>1.8</maven.compiler.source>"
        "<maven.compiler.target>1.8</maven.compiler.target></properties>",
    )
    choice = choose(repo, None)
    assert choice.version == 11
    assert choice.why == (
        "Java 11.0.24 (Debian's openjdk-11-jdk-headless, bullseye): the pom declares "
        "maven.compiler.source 1.8; maven.compiler.target 1.8; Debian ships no JDK 8, "
        "the nearest later one"
    )
    image = java_image(choice)
    assert image.debian_release == "bullseye" and "openjdk-11-jdk-headless" in image.debian_packages


def test_the_highest_release_named_wins_and_a_shipped_one_is_used_as_is(tmp_path: Path) -> None:
    """apache/commons-pool at HEAD names 17 in ``commons.compiler.release`` and source/target."""
    repo = _pom(
        tmp_path,
        "<properties><maven.compiler.source>1.8</maven.compiler.source>"
        "<commons.compiler.release>17</commons.compiler.release></properties>",
    )
    assert choose(repo, None).version == 17
    assert choose(repo, None).why.endswith("the pom declares maven.compiler.source 1.8; commons.compiler.release 17")


def test_the_compiler_plugins_release_is_read_through_a_property(tmp_path: Path) -> None:
    repo = _pom(
        tmp_path,
        """<properties><jv>21</jv></properties>
      <build><pluginManagement><plugins><plugin>
        <groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId>
        <configuration><release>${jv}</release></configuration>
      </plugin></plugins></pluginManagement></build>""",
    )
    assert declared(repo) == [(21, "the compiler plugin's <release> 21")]
    assert choose(repo, None).version == 21


def test_a_profiles_properties_are_not_the_projects(tmp_path: Path) -> None:
    repo = _pom(
        tmp_path,
        """<properties><java.version>11</java.version></properties>
      <profiles><profile><id>java9</id><properties><maven.compiler.release>25</maven.compiler.release>
      </properties></profile></profiles>""",
    )
    assert declared(repo) == [(11, "java.version 11")]


def test_a_release_later_than_debian_ships_gets_the_newest_said_so(tmp_path: Path) -> None:
    choice = choose(
        _pom(tmp_path, "<properties><maven.compiler.release>99</maven.compiler.release></properties>"), None
    )
    assert choice.version == max(DEBIAN_JDK)
    assert choice.why.endswith("no JDK that late is shipped by Debian, the newest")


@pytest.mark.parametrize(
    ("day", "version"),
    [(date(2019, 5, 1), 11), (date(2022, 11, 1), 17), (date(2010, 1, 1), 11), (None, max(DEBIAN_JDK))],
)
def test_a_pom_without_a_release_gets_the_newest_jdk_of_the_commits_day(
    tmp_path: Path, day: date | None, version: int
) -> None:
    assert choose(_pom(tmp_path, ""), day).version == version


def test_the_recipe_runs_the_chosen_jdk_and_says_why(tmp_path: Path) -> None:
    repo = _pom(tmp_path, "<properties><maven.compiler.release>17</maven.compiler.release></properties>")
    recipe = JavaBuildpack().env_recipe(repo)
    assert recipe.base.debian_release == "bookworm" and recipe.base.version == "17"
    assert recipe.notes == (
        "Java 17.0.19 (Debian's openjdk-17-jdk-headless, bookworm): the pom declares maven.compiler.release 17",
    )
