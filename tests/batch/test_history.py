"""A batch workspace holds its base commit's history and nothing newer, and leaves its source as it was.

The issue-68 audit: every workspace was a ``git clone --shared`` of the whole source, so
``git log --all`` in a session showed the commit after ``base_commit`` that fixes the issue.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.batch.harness.patching import apply_test_patch
from rfsn.batch.harness.repos import Origin, checkout, commit_all, instance_checkout
from rfsn.errors import WorkspaceError
from tests.batch.test_patching import git

TEST_PATCH = """diff --git a/test_calc.py b/test_calc.py
new file mode 100644
--- /dev/null
+++ b/test_calc.py
@@ -0,0 +1,2 @@
+def test_future():
+    assert True
"""


def _commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def future_repo(root: Path) -> tuple[Path, str, set[str]]:
    """A working copy whose history goes on past its base commit: the fix (with the test the
    oracle test patch adds), a tag, a branch, a stash, a packed ref and an unreachable object
    of the future. Returns it, the base commit and the ids of the base's history."""
    repo = root / "src"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    _commit(repo, {"calc.py": "X = 1\n"}, "first")
    git(repo, "tag", "-a", "v1.0", "-m", "release 1.0")
    base = _commit(repo, {"calc.py": "X = 2\n"}, "base")
    _commit(
        repo,
        {"calc.py": "X = 3  # FUTURE fix\n", "test_calc.py": "def test_future():\n    assert True\n"},
        "FUTURE: the fix",
    )
    git(repo, "tag", "v2.0")
    git(repo, "branch", "later")
    git(repo, "pack-refs", "--all")
    (repo / "calc.py").write_text("X = 4  # FUTURE stash\n")
    git(repo, "stash", "-q")
    subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo,
        input="FUTURE unreachable\n",
        text=True,
        check=True,
        capture_output=True,
    )
    history = {token for token in git(repo, "rev-list", "--objects", base).split() if len(token) == 40}
    return repo, base, history


def assert_no_future(ws: Path, history: set[str], source: Path) -> None:
    """Every object, ref, log and commit the workspace (its .git, every file) holds is of the base's history."""
    objects = set(git(ws, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split())
    assert objects and objects <= history, objects - history
    assert set(git(ws, "log", "--all", "--format=%H").split()) <= history
    refs = git(ws, "for-each-ref", "--format=%(objectname) %(refname)").splitlines()
    assert all(line.split()[0] in history for line in refs), refs
    assert not (ws / ".git" / "objects" / "info" / "alternates").exists()
    future = set(git(source, "rev-list", "--all", "--reflog").split()) - history
    future |= set(git(source, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split()) - history
    for path in (ws / ".git").rglob("*"):
        if path.is_file() and "objects" not in path.relative_to(ws / ".git").parts[:1]:
            text = path.read_bytes().decode("latin-1")
            assert not [i for i in future if i in text], path
    assert "FUTURE" not in git(ws, "log", "--all", "-p", "--format=%B")


def _sources(kind: str, repo: Path, root: Path) -> tuple[str, Path | None]:
    """The instance's ``repo`` and ``--repos-dir`` for a source of kind ``kind``."""
    if kind == "path":
        return str(repo), None
    mirror = root / "mirrors" / "acme__calc"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(mirror)], check=True)
    return ("acme/calc", root / "mirrors") if kind == "repos-dir" else (mirror.as_uri(), None)


@pytest.mark.parametrize("oracle", [False, True], ids=["issue-only", "oracle-tests"])
@pytest.mark.parametrize("kind", ["path", "repos-dir", "url"])
def test_a_batch_workspace_holds_no_ref_log_or_object_newer_than_its_base_issue_68(
    tmp_path: Path, kind: str, oracle: bool
) -> None:
    """No ref, tag, reflog, stash, packed ref or object (reachable or not, borrowed or own) that
    is not of base_commit's history, from a path, a --repos-dir mirror or a URL alike."""
    repo, base, history = future_repo(tmp_path)
    name, repos_dir = _sources(kind, repo, tmp_path)
    ws = instance_checkout(Origin(name, tmp_path / "cache", 60, repos_dir), base, tmp_path / "ws")
    assert ws.base_commit == base and (ws.path / "calc.py").read_text() == "X = 2\n"
    if oracle:  # the test patch rfsn commits is what the session is given, not the future
        assert apply_test_patch(ws, TEST_PATCH, ws.base_commit).applied
        ws = commit_all(ws, "rfsn: test patch")
        history |= set(git(ws.path, "rev-list", "--objects", "HEAD", f"^{base}").split())
    assert_no_future(ws.path, history, repo)
    assert git(ws.path, "tag", "--list").split() == ["v1.0"]
    assert git(ws.path, "describe", "--tags").startswith("v1.0-")
    assert git(ws.path, "remote").strip() == ""


def _times(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p): (p.stat().st_mtime_ns, p.stat().st_mode, p.read_bytes() if p.is_file() else b"")
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("kind", ["path", "repos-dir"])
def test_the_source_is_unchanged_object_times_included_by_a_checkout_and_its_commits_issue_68(
    tmp_path: Path, kind: str
) -> None:
    """The workspace borrowed the source's objects: committing the oracle test patch, whose blob the
    source's future already held, freshened that object's time in the source."""
    repo, base, _ = future_repo(tmp_path)
    name, repos_dir = _sources(kind, repo, tmp_path)
    source = repo if repos_dir is None else repos_dir / "acme__calc"
    before = _times(source)
    ws = instance_checkout(Origin(name, tmp_path / "cache", 60, repos_dir), base, tmp_path / "ws")
    assert apply_test_patch(ws, TEST_PATCH, ws.base_commit).applied
    ws = commit_all(ws, "rfsn: test patch")
    (ws.path / "calc.py").write_text("X = 3  # FUTURE fix\n")
    ws.diff()
    ws.commit("a candidate")
    assert _times(source) == before


def test_a_submodule_holds_only_the_history_of_the_commit_the_base_records(tmp_path: Path) -> None:
    """A submodule's repository under .git/modules was a clone of its whole mirror."""
    from tests.batch.test_repos import superproject

    mirrors, app, _, base = superproject(tmp_path)
    helpers = tmp_path / "closed" / "helpers"
    _commit(helpers, {"helpers_lib.py": "NAME = 'FUTURE'\n"}, "FUTURE v3")
    git(mirrors / "acme__helpers", "fetch", "-q", str(helpers), "+refs/heads/*:refs/heads/*")
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="https://github.com/acme/app"
    )
    recorded = git(ws.path, "ls-tree", "HEAD", "helpers").split()[2]
    history = {t for t in git(helpers, "rev-list", "--objects", recorded).split() if len(t) == 40}
    assert (ws.path / "helpers" / "helpers_lib.py").read_text() == "NAME = 'v2'\n"
    assert_no_future(ws.path / "helpers", history, helpers)
    assert git(ws.path / "helpers", "describe", "--tags").strip() == "v2.0"
    assert git(ws.path, "submodule", "status").split()[:2] == [recorded, "helpers"]


def test_an_env_commit_newer_than_the_base_is_read_from_a_host_repository_never_the_workspace(tmp_path: Path) -> None:
    """SWE-bench's environment_setup_commit is mostly later than base_commit: the env build reads
    and installs the project there, from a host repository that also holds the base's history;
    the workspace the session sees still holds nothing newer than its base."""
    import io
    import tarfile

    from rfsn.batch.harness.repos import env_history
    from rfsn.buildpacks.python.swebench.metadata import install_commit
    from rfsn.sandbox.sourcetree import source_tree

    repo, base, history = future_repo(tmp_path)
    env = git(repo, "rev-parse", "v2.0").strip()
    ws = instance_checkout(Origin(str(repo), tmp_path / "cache", 60, None), base, tmp_path / "ws")
    found = env_history(Origin(str(repo), tmp_path / "cache", 60, None), env, base, ws.path, tmp_path / "env")
    assert found is not None and git(found, "rev-parse", "HEAD").strip() == env
    assert git(found, "diff", "--name-only", base, env).split() == ["calc.py", "test_calc.py"]
    packs = list((found / ".git" / "objects" / "pack").glob("*.idx"))
    own = {
        line.split()[1]
        for idx in packs
        for line in subprocess.run(["git", "show-index"], input=idx.read_bytes(), capture_output=True, check=True)
        .stdout.decode()
        .splitlines()
    }
    assert own and not own & history  # the base's history is read from the workspace, not packed again
    assert install_commit(found, env, base) == base  # (root-level files differ: the base's tree)
    with tarfile.open(fileobj=io.BytesIO(source_tree(found, env))) as tree:
        calc = tree.extractfile("src/calc.py")
        assert calc is not None and b"FUTURE fix" in calc.read()
    assert_no_future(ws.path, history, repo)
    first = git(repo, "rev-parse", "v1.0^{commit}").strip()
    assert env_history(Origin(str(repo), tmp_path / "cache", 60, None), first, base, ws.path, tmp_path / "e2") is None
    assert env_history(Origin(str(repo), tmp_path / "cache", 60, None), "", base, ws.path, tmp_path / "e3") is None


def test_a_source_missing_an_old_file_s_object_still_checks_out_a_commit_that_does_not_hold_it(
    tmp_path: Path,
) -> None:
    """A fetched mirror without its largest files (rich's: an old, removed file's object absent)
    could check out no commit after it: the copy's pack wanted every object of the history."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "asset.bin").write_bytes(b"\0" * 4096)
    held = _commit(repo, {"calc.py": "X = 1\n"}, "with the asset")
    blob = git(repo, "rev-parse", "HEAD:asset.bin").strip()
    (repo / "asset.bin").unlink()
    base = _commit(repo, {"calc.py": "X = 2\n"}, "the asset removed")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # loose objects: the blob is gone
    ws = checkout(str(repo), tmp_path / "ws", base, tmp_path / "cache", 60)
    assert ws.base_commit == base and (ws.path / "calc.py").read_text() == "X = 2\n"
    with pytest.raises(WorkspaceError, match=f"cannot check out {held!r}: .*{blob}"):  # the file itself: no copy
        checkout(str(repo), tmp_path / "ws2", held, tmp_path / "cache", 60)
