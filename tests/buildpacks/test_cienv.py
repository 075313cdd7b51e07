"""A suite runs with the variables its CI sets for its tests: what the workflows of the jobs that
run the tests set literally, never what the sandbox owns, never for a SWE-bench spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.cienv import ci_env
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

TEST_WORKFLOW = """\
name: Test
on: [push]
env:
  FORCE_COLOR: 1
  APP_STRICT: yes
jobs:
  build-and-test:
    runs-on: ubuntu-latest
    env:
      LANG: en_US.utf8
      TZ: America/New_York
      PATH: /opt/bin
      FROM_MATRIX: ${{ matrix.node }}
      FROM_HOME: $HOME/cache
      WITH_NUL: "a\\0b"
      COVERAGE_RCFILE: ci.coveragerc
      PYTHONWARNINGS: error
    strategy:
      matrix:
        node: [20, 22]
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
        env:
          INSTALL_ONLY: "1"
      - run: |
          npm run build
          npm test
        env:
          APP_MODE: strict
"""
LINT_WORKFLOW = """\
on: [push]
env:
  LINT_FORMAT: github
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: uvx --with tox-uv tox -e mypy
"""
PUBLISH_WORKFLOW = """\
on: [release]
jobs:
  deploy:
    steps:
      - run: python -m build
        env:
          TWINE_PASSWORD: ${{ secrets.PYPI }}
          TWINE_USERNAME: __token__
"""


def _repo(root: Path, **workflows: str) -> Path:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / f"{name}.yml").write_text(text)
    return root


def test_the_jobs_that_run_tests_give_their_literal_variables_luxon_tz(tmp_path: Path) -> None:
    """luxon's tests expect the TZ its workflow's test job sets: 38 of its tests fail without."""
    env = ci_env(_repo(tmp_path, test=TEST_WORKFLOW, lint=LINT_WORKFLOW, publish=PUBLISH_WORKFLOW))
    # yes stays yes (YAML 1.1 would read True); npm ci's step runs no tests; the locale, the
    # colours and PATH are the sandbox's; a computed or expanded value is not a value
    assert env.values == {"APP_STRICT": "yes", "TZ": "America/New_York", "APP_MODE": "strict"}
    assert env.sources["TZ"] == ".github/workflows/test.yml, job build-and-test"
    assert env.sources["APP_STRICT"] == ".github/workflows/test.yml"
    assert env.note() == (
        "test environment from the project's CI: APP_STRICT=yes (.github/workflows/test.yml), "
        "TZ=America/New_York (.github/workflows/test.yml, job build-and-test), "
        "APP_MODE=strict (.github/workflows/test.yml, job build-and-test)"
    )


GO_WORKFLOW = """\
on: [push]
jobs:
  test:
    env:
      GO111MODULE: "on"
      GOPROXY: https://proxy.golang.org
      RUSTFLAGS: -D warnings
      CARGO_TERM_COLOR: always
    steps:
      - run: go test ./...
"""


def test_where_modules_come_from_is_the_sandboxs_gin_contrib_multitemplate(tmp_path: Path) -> None:
    """gin-contrib/multitemplate's test job sets GOPROXY: it replaced the test runs' GOPROXY=off, which
    keeps go from reaching for a module the env image lacks."""
    env = ci_env(_repo(tmp_path, go=GO_WORKFLOW))
    assert env.values == {"GO111MODULE": "on", "RUSTFLAGS": "-D warnings"}


def test_no_workflow_or_an_unreadable_one_sets_nothing(tmp_path: Path) -> None:
    assert ci_env(tmp_path).values == {}
    env = ci_env(_repo(tmp_path / "broken", test="jobs: [unclosed\n  env: {TZ: UTC", other="- just\n- a list\n"))
    assert env.values == {} and env.note() == ""
    outside = tmp_path / "outside.yml"
    outside.write_text(TEST_WORKFLOW)
    (tmp_path / "broken" / ".github" / "workflows" / "linked.yml").symlink_to(outside)
    assert ci_env(tmp_path / "broken").values == {}  # a link out of the repository is not read


class _SpecLike(PythonBuildpack):
    """A buildpack whose recipe is the whole environment, as a SWE-bench spec's is."""

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return super().env_recipe(repo).model_copy(update={"project_env": False})


def _project(root: Path) -> Path:
    repo = _repo(root, test=TEST_WORKFLOW.replace("npm test", "pytest"))
    (repo / "tests").mkdir()
    (repo / "tests" / "test_mode.py").write_text(
        "import os\n\n\ndef test_mode():\n    assert os.environ['APP_MODE'] == 'strict'\n"
    )
    return repo


def test_the_sandbox_runs_the_tests_with_them_and_a_spec_without(tmp_path: Path, docker_client: Any) -> None:
    settings = Settings(sandbox="docker", memory="512m", cpus=1.0, pids=256, test_timeout=120)
    script = "import os; print(os.environ.get('APP_MODE'), os.environ.get('TZ'), os.environ['HOME'])"
    with open_sandbox(_project(tmp_path / "plain"), PythonBuildpack(), settings, "docker") as box:
        seen = box.exec(["python", "-c", script], timeout=60).output.split()
        notes = box.environment
    assert seen == ["strict", "America/New_York", "/tmp"]
    assert any(note.startswith("test environment from the project's CI: ") for note in notes)
    with open_sandbox(_project(tmp_path / "spec"), _SpecLike(), settings, "docker") as box:
        assert box.exec(["python", "-c", script], timeout=60).output.split() == ["None", "None", "/tmp"]


def test_a_cross_builds_target_platform_is_not_the_tests_petermattis_goid(tmp_path: Path) -> None:
    """petermattis/goid (2022): a step building its tests for arm (``go test -c`` with GOARCH=arm64)
    set GOARCH for every test run: 1 error, nothing ran. The sandbox's platform is the tests'."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "go.yml").write_text("""\
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go test -v ./...
      - run: go test -c ./...
        env:
          GOARCH: arm
          GOARM: 7
          CGO_ENABLED: 1
      - run: cargo test
        env:
          CARGO_BUILD_TARGET: aarch64-unknown-linux-gnu
""")
    # CGO_ENABLED too: the job's suite runs in the first step, without it
    assert ci_env(tmp_path).values == {}


WEBSOCKET_WORKFLOW = """\
on: [push]
jobs:
  code-coverage:
    runs-on: ubuntu-latest
    env:
      PYTHONHASHSEED: 0
    steps:
      - run: |
          python3 scripts/echo-server.py &
      - run: pytest -v websocket/tests
        env:
          SHARED: yes
      - run: pytest -v websocket/tests --cov-append
        env:
          SHARED: yes
          TEST_WITH_INTERNET: 1
          LOCAL_WS_SERVER_PORT: 8765
"""


def test_a_test_step_that_sets_more_is_a_variant_run_websocket_client(tmp_path: Path) -> None:
    """websocket-client (2025): the coverage job runs its tests offline first, then again with
    TEST_WITH_INTERNET=1 and the port of an echo server an earlier step started; both taken, the
    sandbox (offline, no server) ran 157 tests, 16 failed and 2 errored."""
    env = ci_env(_repo(tmp_path, coverage=WEBSOCKET_WORKFLOW))
    assert env.values == {"PYTHONHASHSEED": "0", "SHARED": "yes"}
