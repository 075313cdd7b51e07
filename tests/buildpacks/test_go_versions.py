"""Which Go an environment runs: go.mod's ``go`` and ``toolchain`` lines against Debian's Gos."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rfsn.buildpacks.go import debgo
from rfsn.buildpacks.go.buildpack import GO_STD, GoBuildpack
from rfsn.buildpacks.go.goversions import DEBIAN_GO, NEWEST, choose, declared


def _module(tmp_path: Path, *lines: str) -> Path:
    (tmp_path / "go.mod").write_text("\n".join(["module example.com/m", "", *lines, ""]))
    return tmp_path


@pytest.mark.parametrize(
    ("lines", "go", "toolchain"),
    [
        (["go 1.23.0"], "1.23.0", None),
        (["go 1.21", "", "toolchain go1.22.1"], "1.21", "1.22.1"),
        (["go 1.22rc1 // a comment"], "1.22", None),
        (["go 1"], "1", None),
        ([], None, None),
    ],
)
def test_go_mod_lines_of_one_two_or_three_parts_are_read(
    tmp_path: Path, lines: list[str], go: str | None, toolchain: str | None
) -> None:
    assert declared(_module(tmp_path, *lines)) == (go, toolchain)


def test_a_three_part_go_line_gets_the_debian_go_of_that_minor_not_bookworms_1_19(tmp_path: Path) -> None:
    """elastic/go-seccomp-bpf at HEAD (``go 1.23.0``) ended on bookworm's Go 1.19: "invalid go
    version '1.23.0': must match format 1.23"."""
    choice = choose(_module(tmp_path, "go 1.23.0"), None)
    assert choice.version == "1.23" and choice.debian.backports
    assert choice.why.startswith("Go 1.23.5 (Debian's golang-1.23-go, bookworm-backports): go.mod declares go 1.23.0")


def test_the_toolchain_line_wins_over_the_go_line(tmp_path: Path) -> None:
    choice = choose(_module(tmp_path, "go 1.21.3", "toolchain go1.22.1"), None)
    assert choice.version == "1.22" and "toolchain go1.22.1; go 1.21.3" in choice.why


def test_a_go_debian_lacks_gives_the_nearest_later_one_said_so(tmp_path: Path) -> None:
    # 1.20 is not shipped; 1.24.9 is later than trixie's 1.24.4 (a minimum go refuses to go below)
    assert choose(_module(tmp_path, "go 1.20"), None).version == "1.21"
    later = choose(_module(tmp_path, "go 1.24.9"), None)
    assert later.version == "1.25" and "Debian ships no Go 1.24.9 (nor a later patch of it)" in later.why
    beyond = choose(_module(tmp_path, "go 1.99"), None)
    assert beyond.version == NEWEST and "the nearest" in beyond.why


def test_without_a_go_line_the_newest_go_released_by_the_commit(tmp_path: Path) -> None:
    module = _module(tmp_path)
    assert choose(module, date(2023, 1, 1)).version == "1.19"
    assert choose(module, date(2010, 1, 1)).version == min(DEBIAN_GO, key=lambda v: tuple(map(int, v.split("."))))
    assert choose(module, None).version == NEWEST


def test_the_recipe_runs_the_chosen_go_locally_and_reads_vendored_modules(tmp_path: Path) -> None:
    module = _module(tmp_path, "go 1.24.0", "", "require example.com/x v1.0.0")
    recipe = GoBuildpack().env_recipe(module)
    env = dict(recipe.env)
    assert recipe.base.debian_release == "trixie" and "golang-1.24-go" in recipe.base.debian_packages
    assert env["PATH"].startswith("/usr/lib/go-1.24/bin:") and env["GOTOOLCHAIN"] == "local"
    assert env["GOPROXY"] == "off" and recipe.steps[0].endswith("sh rfsn-gomods.sh")
    assert "GOPROXY=https://proxy.golang.org,direct go mod download all" in dict(recipe.files)["rfsn-gomods.sh"]
    assert recipe.notes[0].startswith("Go 1.24.4") and "modules: downloaded from" in recipe.notes[0]
    # the step writes which -mod test runs use (Debian's sources vendored, else the module cache)
    assert "GOFLAGS" not in env and env["GOENV"] == "$RFSN_ENV/goenv"
    assert recipe.steps[1] == "cd / && GOENV=off GOFLAGS= go build std"
    assert GoBuildpack().setup_commands(module) == [["sh", "-c", debgo.LINK]]
    (module / "vendor").mkdir()
    (module / "vendor" / "modules.txt").write_text("# example.com/x v1.0.0\n")
    vendored = GoBuildpack().env_recipe(module)
    assert vendored.steps == (GO_STD,) and dict(vendored.env)["GOFLAGS"] == "-mod=vendor"
    assert GoBuildpack().setup_commands(module) == []
    assert "modules: the project's vendor/" in vendored.notes[0]


def test_a_go_mod_that_says_required_only_in_a_comment_requires_nothing(tmp_path: Path) -> None:
    """google/btree's go.mod opens with a licence ("Unless required by applicable law"): no step
    fetches modules for it."""
    module = _module(tmp_path, "// Unless required by applicable law\n\ngo 1.18", "")
    recipe = GoBuildpack().env_recipe(module)
    assert recipe.steps == (GO_STD,) and "modules: none required" in recipe.notes[0]
    assert GoBuildpack().setup_commands(module) == []
