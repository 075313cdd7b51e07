"""A view of the compile cache holds what the commit and its ancestors wrote, nothing of a later
commit or another branch (issue 68: nothing from the future reaches the sandbox)."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from rfsn.sandbox import ccachestore


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _written(root: Path, entries: dict[str, str]) -> Path:
    """A setup's new entries (ccache's file storage layout)."""
    for key, text in entries.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text)
    (root / "CACHEDIR.TAG").write_text("not an entry\n")
    return root


def _seen(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()}


def test_a_view_holds_the_commits_and_its_ancestors_entries_the_nearest_version_of_each(tmp_path: Path) -> None:
    repo, store = tmp_path / "repo", tmp_path / "home" / "ccache" / "r"
    _git(tmp_path, "init", "-q", str(repo))
    first = _commit(repo, "first")
    second = _commit(repo, "second")
    later = _commit(repo, "later")
    _git(repo, "checkout", "-q", "-b", "side", first)
    side = _commit(repo, "side")
    assert ccachestore.keep(store, _written(tmp_path / "n1", {"aa/one": "1", "bb/manifest": "first's"}), first) == 2
    assert ccachestore.keep(store, _written(tmp_path / "n2", {"bb/manifest": "second's"}), second) == 1
    assert ccachestore.keep(store, _written(tmp_path / "n3", {"cc/later": "L", "aa/one": "1"}), later) == 1
    ccachestore.keep(store, _written(tmp_path / "n4", {"dd/side": "S"}), side)
    assert not (tmp_path / "n1").exists()
    views = {
        name: ccachestore.view(store, repo, commit)
        for name, commit in (("first", first), ("second", second), ("later", later), ("side", side))
    }
    assert _seen(views["first"]) == {"aa/one": "1", "bb/manifest": "first's"}
    assert _seen(views["second"]) == {"aa/one": "1", "bb/manifest": "second's"}
    assert _seen(views["later"]) == {"aa/one": "1", "bb/manifest": "second's", "cc/later": "L"}
    assert _seen(views["side"]) == {"aa/one": "1", "bb/manifest": "first's", "dd/side": "S"}
    assert len({p.parent for p in views.values()}) == 1 and len(set(views.values())) == 4


def test_a_view_of_a_commit_the_repository_lacks_is_empty(tmp_path: Path) -> None:
    """A batch workspace holds nothing newer than its base: entries recorded under a commit it
    does not have are never in its view, nor is anything when the commit is unknown."""
    repo, store = tmp_path / "repo", tmp_path / "store"
    _git(tmp_path, "init", "-q", str(repo))
    base = _commit(repo, "base")
    ccachestore.keep(store, _written(tmp_path / "n", {"aa/future": "F"}), "f" * 40)
    assert _seen(ccachestore.view(store, repo, base)) == {}
    assert _seen(ccachestore.view(store, repo, "e" * 40)) == {}


def test_an_env_build_reads_its_commits_view_and_what_it_wrote_kept_under_its_commit(tmp_path: Path) -> None:
    repo, store = tmp_path / "repo", tmp_path / "home" / "ccache" / "r"
    _git(tmp_path, "init", "-q", str(repo))
    base = _commit(repo, "base")
    later = _commit(repo, "later")
    ccachestore.keep(store, _written(tmp_path / "n1", {"aa/old": "O"}), base)
    ccachestore.keep(store, _written(tmp_path / "n2", {"bb/new": "N"}), later)
    with ccachestore.serving(store, repo, base) as url:
        assert urllib.request.urlopen(f"{url}/aa/old").read() == b"O"
        try:
            urllib.request.urlopen(f"{url}/bb/new")
            raise AssertionError("the later commit's entry was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        put = urllib.request.Request(f"{url}/cc/built", data=b"B", method="PUT")
        assert urllib.request.urlopen(put).status == 201
        assert urllib.request.urlopen(f"{url}/cc/built").read() == b"B"
    assert list((store.parent / "views").iterdir()) == []  # the served view is gone
    assert _seen(ccachestore.view(store, repo, base)) == {"aa/old": "O", "cc/built": "B"}
