"""Setup snapshots: a sandbox at a commit whose setup ran before starts from what it did."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.observability.metrics import REGISTRY
from rfsn.sandbox import open_sandbox, snapshots
from rfsn.settings import Settings
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import PASSING, make_project


def in_docker(test):  # type: ignore[no-untyped-def]
    return pytest.mark.docker(pytest.mark.usefixtures("no_container_left")(test))


#: a setup that counts its runs in the env and writes a file of its own in the workspace
COUNTING = (
    'echo run >> "$RFSN_ENV/setup-runs"; mkdir -p build/deep; '
    'cat /proc/sys/kernel/random/uuid > build/deep/made; echo "# set up" >> tests/test_ok.py'
)


class Counting(SharedEnvPython):
    script = COUNTING

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return [["sh", "-c", self.script]]


def snapshot_ops(result: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "rfsn_sandbox_operations_total", {"kind": "docker", "operation": "setup_snapshot", "result": result}
        )
        or 0.0
    )


def _open_twice(
    repo: Path, pack: SharedEnvPython, settings: Settings, dirty: bool = False
) -> list[tuple[str, str, str]]:
    """(setup runs seen in the env, the setup's workspace file, the changed tracked file) per
    sandbox; ``dirty``: a file not committed in the workspace as each opens."""
    seen = []
    for _ in range(2):
        if dirty:
            (repo / "notes.txt").write_text("not committed\n")
        with open_sandbox(repo, pack, settings, "docker") as box:
            runs = box.exec(["cat", "/opt/rfsn/setup-runs"], timeout=30).output
            seen.append((runs, (repo / "build/deep/made").read_text(), (repo / "tests/test_ok.py").read_text()))
        subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--force", "HEAD"], check=True)
        subprocess.run(["git", "-C", str(repo), "clean", "-qffdx"], check=True)
    return seen


@in_docker
def test_the_second_sandbox_at_a_commit_restores_the_setup_instead_of_running_it(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    stored, cached = snapshot_ops("stored"), snapshot_ops("cached")
    first, second = _open_twice(repo, Counting(), docker_settings)
    assert snapshot_ops("stored") == stored + 1 and snapshot_ops("cached") == cached + 1
    assert first[0] == second[0] == "run\n"  # the setup ran once: the second env is the first's
    assert second[1] == first[1]  # the file it wrote in the workspace, byte for byte
    assert second[2].endswith("# set up\n") and second[2].count("# set up") == 1  # a tracked file it changed


@in_docker
@pytest.mark.parametrize("case", ["local change", "failed setup", "deleted file", "turned off"])
def test_a_setup_that_cannot_be_reproduced_from_its_commit_is_never_kept(
    case: str, tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    repo = make_project(tmp_path / "p", {**PASSING, "gone.txt": "x\n"})
    pack, settings = Counting(), docker_settings
    if case == "failed setup":
        pack.script = COUNTING + "; exit 3"
    elif case == "deleted file":
        pack.script = COUNTING + "; rm gone.txt"
    else:
        settings = docker_settings.model_copy(update={"setup_snapshots": False})
    stored = snapshot_ops("stored")
    for runs, _, _ in _open_twice(repo, pack, settings, dirty=case == "local change"):
        assert runs == "run\n"  # each sandbox ran the setup in a fresh env
    assert snapshot_ops("stored") == stored


@in_docker
def test_each_commit_has_its_own_snapshot_and_the_installed_project_is_the_commits(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    repo = make_project(tmp_path / "p", {**PASSING, "pkg/__init__.py": "VALUE = 1\n"})
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("packages = []", 'packages = ["pkg"]')
        + '\n[project.scripts]\ndemo-tool = "pkg:VALUE"\n'
    )
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "a package"], check=True)
    probe = [
        "python",
        "-c",
        "import importlib.metadata as m, pkg; "
        "print(m.version('demo'), pkg.VALUE, pkg.__file__, [e.name for e in m.entry_points("
        "group='console_scripts') if e.name == 'demo-tool'])",
    ]
    stored, cached = snapshot_ops("stored"), snapshot_ops("cached")
    outputs = []
    for version in ("0.1.0", "0.1.0", "0.2.0"):
        if version != pyproject.read_text().split('version = "')[1].split('"')[0]:
            pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"'))
            subprocess.run(["git", "-C", str(repo), "commit", "-qam", "bump"], check=True)
        with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
            assert box.setup_failure is None
            outputs.append(box.exec(probe, timeout=60).output.strip())
        subprocess.run(["git", "-C", str(repo), "clean", "-qffdx"], check=True)
    assert outputs[0] == outputs[1] == "0.1.0 1 /testbed/pkg/__init__.py ['demo-tool']"
    assert outputs[2] == "0.2.0 1 /testbed/pkg/__init__.py ['demo-tool']"
    assert snapshot_ops("stored") == stored + 2 and snapshot_ops("cached") == cached + 1


def test_what_the_setup_wrote_is_read_from_git_and_a_deletion_keeps_nothing(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", {**PASSING, "gone.txt": "x\n"})
    (repo / "build").mkdir()
    (repo / "build" / "a b.so").write_text("binary\n")
    (repo / ".gitignore").write_text("build/\n")
    (repo / "tests/test_ok.py").write_text("changed\n")
    assert sorted(snapshots.written(repo) or []) == [".gitignore", "build/a b.so", "tests/test_ok.py"]
    (repo / "gone.txt").unlink()
    assert snapshots.written(repo) is None


@in_docker
def test_a_snapshot_starts_without_the_mounts_of_the_session_that_made_it(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: object
) -> None:
    """A later session may have no CA bundle, or a workspace that borrows no objects: the image
    declares no volumes, so a container starts from it with none of the maker's mounts."""
    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, Counting(), docker_settings, "docker") as box:
        made = box.container.image.id
    found = [
        i
        for i in docker_client.images.list(filters={"label": snapshots.LABEL})  # type: ignore[attr-defined]
        if i.labels.get("rfsn.session") == box.session_id
    ]
    assert len(found) == 1 and found[0].id != made
    assert not found[0].attrs["Config"].get("Volumes")
    container = docker_client.containers.create(found[0].id, ["true"], network_mode="none")  # type: ignore[attr-defined]
    container.remove(force=True, v=True)
