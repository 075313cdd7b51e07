"""Every command the README shows runs as shown: each names only options its command has,
with choices it accepts; the concrete ones parse, and those that are cheap and offline run.

Issue 46 found the README's batch example exiting 2 (`--oracle-tests` on an instance with no
base_commit): the commands are read out of the README itself, so a new one is checked too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from rfsn.cli import main
from tests.paths import ROOT

README = ROOT / "README.md"


def readme_commands() -> list[str]:
    """The `rfsn ...` commands of the README's code (indented or fenced), continuation lines
    (more indented, or after a backslash) joined, comments dropped."""
    lines = README.read_text(encoding="utf-8").splitlines()
    commands: list[str] = []
    fenced = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not (fenced or line.startswith("    ")):
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        while i < len(lines) and (
            text.endswith("\\")
            or (lines[i].strip().startswith(("[", "-")) and len(lines[i]) - len(lines[i].lstrip()) > indent)
        ):
            text = text.rstrip("\\") + " " + lines[i].strip()
            i += 1
        for part in text.split("&&"):
            words = part.split("  #")[0].split()
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value before the command
                words.pop(0)
            if words[:1] == ["rfsn"]:
                commands.append(" ".join(words))
    return commands


COMMANDS = readme_commands()


def is_synopsis(command: str) -> bool:
    """A usage line with placeholders (`[--ref REF]`, `<path-or-url>`, `a|b`, `DIR`), not a command."""
    return (
        any(c in command for c in "[]<>|")
        or "..." in command
        or any(re.fullmatch(r"[A-Z][A-Z_0-9]*", word) for word in command.split())
    )


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The (sub)command the words name, and the words after its name."""
    command: click.Command = main
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.get_command(click.Context(command), words[0])
        assert sub is not None, f"no command {words[0]!r}"
        command, words = sub, words[1:]
    return command, words


#: the concrete commands and how each is checked beyond parsing
RUNS = {
    "rfsn repair examples/quickstart": "docker",
    "rfsn batch examples/instances.jsonl --out /tmp/run": "docker",
    "rfsn evaluate /tmp/run/predictions.jsonl --instances examples/instances.jsonl --run-id demo": "docker",
    "rfsn buildpacks list": "offline",
}


def test_the_readme_commands_are_found() -> None:
    """The extraction sees the README's commands (a change in its layout would hide them)."""
    assert "rfsn repair examples/quickstart" in COMMANDS
    assert any(c.startswith("rfsn repair <path-or-url> [--ref REF]") and "[--log-file F]" in c for c in COMMANDS)
    assert len(COMMANDS) >= 15


def test_every_concrete_command_is_checked() -> None:
    """A concrete command added to the README must be added here, with how it is run."""
    assert {c for c in COMMANDS if not is_synopsis(c)} == set(RUNS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_shown_exists_with_the_choices_shown(command: str) -> None:
    words = command.replace("[", " ").replace("]", " ").split()[1:]
    cmd, rest = resolve(words)
    options = {
        name: param
        for param in cmd.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }
    for word, after in zip(rest, [*rest[1:], ""], strict=False):
        if not word.startswith("-") or word in ("-", "..."):
            continue
        name = word.split("=")[0]
        assert name in options, f"{command}: {cmd.name} has no option {name}"
        choices = getattr(options[name].type, "choices", None)
        if choices is not None and "|" in after:
            assert set(after.split("|")) <= set(choices), f"{command}: {name} takes {choices}"


@pytest.mark.parametrize("command", [c for c in COMMANDS if not is_synopsis(c)])
def test_every_concrete_command_parses(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # "from the repository root"
    cmd, rest = resolve(shlex.split(command)[1:])
    with cmd.make_context(cmd.name or "", rest, parent=click.Context(main)) as ctx:
        assert ctx.params is not None


def test_the_cluster_commands_parse_with_rays_own_cli() -> None:
    """The README's `ray start` lines name options Ray has (the real two-node test starts its
    nodes with the same ones: tests/batch/test_ray_cluster_real.py)."""
    scripts = pytest.importorskip("ray.scripts.scripts")
    text = README.read_text(encoding="utf-8")
    starts = [line.split("  #")[0].split() for line in text.splitlines() if line.startswith("    ray start ")]
    assert [words[2] for words in starts] == ["--head", "--address"]
    for words in starts:
        with scripts.start.make_context("start", words[2:]) as ctx:
            assert ctx.params["num_cpus"] == (0 if "--head" in words else None)


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as shown, in a copy of the repository's examples (outputs land in ``cwd``);
    /tmp/run, the README's scratch directory, is one of this test's own."""
    words = [w.replace("/tmp/run", str(cwd / "run")) for w in shlex.split(command)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the run's rfsn home: its envs are shared
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *words[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("*.egg-info"))
    return tmp_path


def test_buildpacks_list_runs_as_shown(checkout: Path) -> None:
    proc = run("rfsn buildpacks list", checkout)
    assert proc.returncode == 0 and "python" in proc.stdout, proc.stderr


@pytest.mark.docker
def test_the_first_repair_runs_as_shown(checkout: Path, docker_client: object) -> None:
    proc = run("rfsn repair examples/quickstart", checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.startswith("fixed: ")


@pytest.mark.docker
def test_the_batch_example_runs_and_evaluates_as_shown(checkout: Path, docker_client: object) -> None:
    """README's batch example exited 2: `--oracle-tests` on an instance without base_commit."""
    batch, evaluate = (c for c in RUNS if c.startswith(("rfsn batch", "rfsn evaluate")))
    proc = run(batch, checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "1 instance: 1 fixed" in proc.stdout
    proc = run(evaluate, checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "Instances resolved: 1" in proc.stdout
