"""The Java buildpack: Maven, with dependencies resolved into the env image and surefire XML.

Test ids are ``<fully qualified class>#<method>`` as surefire writes them in
``target/surefire-reports/TEST-*.xml`` (``classname`` and ``name`` of each
``<testcase>``), e.g. ``com.example.FooTest#addsNumbers``; parameterized
JUnit 5 tests keep surefire's display name (``addsNumbers(int)[1]``). A
class that fails to initialise is surefire's own ``error`` entry.

Surefire writes its reports into the working copy; the test command removes
stale ones first and copies the fresh ones into the report directory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import BaseImage, Detection, EnvOptions, EnvRecipe
from rfsn.buildpacks.java import debmaven, debsubst, javaversions
from rfsn.buildpacks.junit import parse_junit
from rfsn.buildpacks.parts import Environment, Parts
from rfsn.buildpacks.python.pydated import as_of
from rfsn.models import TestStatus

REPO_LOCAL = "$RFSN_ENV/m2"
MAVEN_FLAGS = ("-B", "-o", "-Dstyle.color=never", "-Dsurefire.failIfNoSpecifiedTests=false", "-DfailIfNoTests=false")
#: runs Maven ($@), then collects the surefire reports into $1
_COLLECT = (
    'report="$1"; shift; '
    "find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} +; "
    '"$@" -Dmaven.repo.local="$RFSN_ENV/m2"; rc=$?; '
    "find . -path '*/target/surefire-reports/*' -name 'TEST-*.xml' -exec cp {} \"$report\"/ \\; ; "
    "exit $rc"
)
#: the poms copied into the env recipe (multi-module projects keep their layout)
MAX_POM_DEPTH = 3


def surefire_id(case: ET.Element) -> str:
    return f"{case.get('classname', '')}#{case.get('name', '')}"


def parse_surefire(reports: dict[str, str]) -> dict[str, TestStatus]:
    """Statuses from every ``TEST-*.xml`` surefire report."""
    statuses: dict[str, TestStatus] = {}
    for name in sorted(reports):
        if name.startswith("TEST-") and name.endswith(".xml"):
            statuses.update(parse_junit(reports[name], surefire_id))
    return statuses


def maven_test_filter(tests: Sequence[str]) -> str:
    """``-Dtest`` value: ``Class#m1+m2,Other`` (a bare class runs all its tests)."""
    methods: dict[str, list[str]] = {}
    for tid in tests:
        cls, _, method = tid.partition("#")
        methods.setdefault(cls, [])
        if method:
            methods[cls].append(method.split("(")[0].split("[")[0])
    return ",".join(cls + ("#" + "+".join(dict.fromkeys(ms)) if ms else "") for cls, ms in methods.items())


def find_poms(repo: Path) -> list[str]:
    poms = []
    for path in sorted(repo.rglob("pom.xml")):
        rel = path.relative_to(repo)
        if len(rel.parts) <= MAX_POM_DEPTH and "target" not in rel.parts:
            poms.append(rel.as_posix())
    return poms


class JavaBuildpack:
    name: ClassVar[str] = "java"
    structured: ClassVar[bool] = True
    #: the base of a pom that declares no Java release (``env_recipe`` chooses per project)
    default_base: ClassVar[BaseImage] = javaversions.java_image(javaversions.JavaChoice(17, ""))
    env_options: EnvOptions = EnvOptions()

    def parts(self) -> Parts:
        return Parts(environment=Environment(dated=self))

    def detect(self, repo: Path) -> Detection:
        if (repo / "pom.xml").is_file():
            return Detection(score=0.9, reasons=["pom.xml present (Maven)"])
        if any((repo / n).is_file() for n in ("build.gradle", "build.gradle.kts")):
            return Detection(score=0.1, reasons=["Gradle build: not supported, only Maven"])
        return Detection(score=0.0)

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """Debian's JDK nearest the pom's Java release (``javaversions``) and the plugins and
        dependencies the poms name, resolved in the build from Maven Central, else Debian's Maven
        repository (``debmaven``)."""
        choice = javaversions.choose(repo, as_of(repo, self.env_options.as_of)[0])
        poms = find_poms(repo)
        files = tuple((p, (repo / p).read_text(encoding="utf-8")) for p in poms)
        if poms:
            names = "".join(f"{n}\n" for n in debmaven.artifact_paths(repo, poms))
            files = (*files, (debmaven.SCRIPT_NAME, debmaven.SCRIPT), (debsubst.SCRIPT_NAME, debsubst.SCRIPT))
            files = (*files, (debmaven.NAMES_FILE, names))
        # surefire resolves its JUnit provider only when tests run: from Debian's repository offline
        # (OFFLINE_FILES), while with Central a project may still need one online test run
        steps = (f"cd $RFSN_ENV/files && sh {debmaven.SCRIPT_NAME} {REPO_LOCAL}",) if poms else ()
        return EnvRecipe(
            buildpack=self.name,
            base=javaversions.java_image(choice),
            steps=steps,
            files=files,
            env=(("MAVEN_OPTS", f"-Xmx1g {debmaven.OFFLINE_FILES}"),),
            notes=(choice.why,),
        )

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return []

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        selected = [f"-Dtest={maven_test_filter(tests)}"] if tests else []
        return ["sh", "-c", _COLLECT, "rfsn", report_dir, "mvn", *MAVEN_FLAGS, *selected, "test"]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        return parse_surefire(reports)
