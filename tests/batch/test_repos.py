"""Repository resolution: local mirrors, paths, URLs cloned once into a shared cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.batch.harness.repos import checkout, resolve_source
from rfsn.errors import WorkspaceError
from tests.batch.test_patching import git, make_repo


@pytest.mark.parametrize("layout", ["owner__name", "owner/name", "name"])
def test_repos_dir_layouts(tmp_path: Path, layout: str) -> None:
    repo, _ = make_repo(tmp_path)
    mirrors = tmp_path / "mirrors"
    (mirrors / layout).parent.mkdir(parents=True, exist_ok=True)
    repo.rename(mirrors / layout)
    assert resolve_source("owner/name", mirrors) == str((mirrors / layout).resolve())


def test_a_bare_mirror_under_repos_dir_is_checked_out_at_the_commit(tmp_path: Path) -> None:
    """``git clone --mirror`` (what fetching a repository gives) has no ``.git``: HEAD at its root."""
    import subprocess

    repo, commit = make_repo(tmp_path)
    (repo / "calc.py").write_text("later\n")
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(mirrors / "owner__name")], check=True)
    source = resolve_source("owner/name", mirrors)
    assert source == str((mirrors / "owner__name").resolve())
    ws = checkout(source, tmp_path / "ws", commit, tmp_path / "cache")
    assert ws.base_commit == commit
    assert (ws.path / "calc.py").read_text().startswith("line1")
    assert not (tmp_path / "cache").exists()  # a local mirror is cloned from directly, never cached
    with pytest.raises(WorkspaceError, match="reference is not a tree"):
        checkout(source, tmp_path / "ws2", "0" * 40, tmp_path / "cache")


def test_owner_name_and_urls_go_to_their_host_without_repos_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_source("owner/name", None) == "https://github.com/owner/name"
    assert resolve_source("astropy/astropy", None) == "https://github.com/astropy/astropy"
    assert resolve_source("file:///x/y", None) == "file:///x/y"


@pytest.mark.parametrize(
    "repo",
    [
        "examples/quickstart",
        "./quickstart",
        "../quickstart",
        "/abs/missing",
        "~/missing",
        "a/b/c",
        "quickstart",
        "owner/..",
        "../name",
        "o/n?x=1",
        "o/n@evil",
        "o\\n",
        "o/n/",
    ],
)
def test_a_missing_path_is_an_error_never_a_github_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo: str
) -> None:
    """Only ``owner/name`` or a URL reaches a host: ``examples/quickstart``, missing under a working
    directory whose ``examples/`` exists, became https://github.com/examples/quickstart."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "examples").mkdir()
    with pytest.raises(WorkspaceError, match="no such directory, and not owner/name or a URL"):
        resolve_source(repo, None)


def test_given_repos_dir_a_repo_without_a_mirror_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --repos-dir nothing goes to a host: owner/name and a URL need their mirror there."""
    monkeypatch.chdir(tmp_path)
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    for repo in ("owner/name", "http://127.0.0.1:9/owner/name.git"):
        with pytest.raises(WorkspaceError, match=f"no mirror under --repos-dir {mirrors}"):
            resolve_source(repo, mirrors)
    mirror, _ = make_repo(tmp_path)
    mirror.rename(mirrors / "owner__name")
    assert resolve_source("http://127.0.0.1:9/owner/name.git", mirrors) == str((mirrors / "owner__name").resolve())


def test_a_mirror_is_never_looked_up_outside_repos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``repo: ../outside`` named the repository beside --repos-dir as its mirror."""
    repo, _ = make_repo(tmp_path)
    repo.rename(tmp_path / "outside")
    (tmp_path / "mirrors").mkdir()
    (tmp_path / "x" / "cwd").mkdir(parents=True)  # where ../outside is not a directory
    monkeypatch.chdir(tmp_path / "x" / "cwd")
    for name in ("../outside", "owner/../../outside"):
        with pytest.raises(WorkspaceError, match="no mirror under --repos-dir"):
            resolve_source(name, tmp_path / "mirrors")


def test_url_is_cloned_once_then_checked_out_at_the_commit(tmp_path: Path) -> None:
    repo, commit = make_repo(tmp_path)
    (repo / "calc.py").write_text("later\n")
    url = repo.resolve().as_uri()
    cache = tmp_path / "cache"
    first = checkout(url, tmp_path / "a", commit, cache)
    second = checkout(url, tmp_path / "b", commit, cache)
    assert first.base_commit == second.base_commit == commit
    assert len(list(cache.glob("*.git"))) == 1
    assert (second.path / "calc.py").read_text().startswith("line1")
    with pytest.raises(WorkspaceError, match="reference is not a tree"):
        checkout(url, tmp_path / "c", "0" * 40, cache)


def test_a_plain_directory_without_base_commit_is_taken_as_it_is(tmp_path: Path) -> None:
    """examples/instances.jsonl names a folder inside another repository, with no commit."""
    plain = tmp_path / "outer" / "project"
    plain.mkdir(parents=True)
    (plain / "m.py").write_text("X = 1\n")
    ws = checkout(str(plain), tmp_path / "ws", "", tmp_path / "cache")
    assert (ws.path / "m.py").read_text() == "X = 1\n"
    assert ws.diff() == ""
    with pytest.raises(WorkspaceError, match="not a git repository"):
        checkout(str(plain), tmp_path / "ws2", "abc123", tmp_path / "cache")


def test_a_commit_whose_objects_are_missing_says_so(tmp_path: Path) -> None:
    """A snapshot may hold a commit but not its largest blobs: the error names git's own
    reason, never 'unknown commit'."""
    repo, commit = make_repo(tmp_path)
    blob = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", f"{commit}:calc.py"], capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(WorkspaceError, match=f"cannot check out '{commit}'.*{blob}"):
        checkout(str(repo), tmp_path / "ws", commit, tmp_path / "cache")


def _committed(repo: Path, files: dict[str, str], message: str, tag: str = "") -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    if tag:
        git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD").strip()


def superproject(root: Path, files: dict[str, str] | None = None) -> tuple[Path, Path, str, str]:
    """``app`` (published as acme/app) with a submodule ``helpers`` whose URL is GitHub's, never
    contacted: its mirror is ``root/mirrors/acme__helpers``, a ``--shared`` clone of a repository
    under a mode-700 directory. The env commit (with ``files``) records helpers v1.0; the later
    base, v2.0. Returns the mirrors, the app, the env commit and the base commit."""
    helpers = root / "closed" / "helpers"
    helpers.mkdir(parents=True)
    git(helpers, "init", "-q")
    v1 = _committed(helpers, {"helpers_lib.py": "NAME = 'v1'\n"}, "v1", tag="v1.0")
    v2 = _committed(helpers, {"helpers_lib.py": "NAME = 'v2'\n"}, "v2", tag="v2.0")
    mirrors = root / "mirrors"
    mirrors.mkdir()
    git(root, "clone", "-q", "--shared", "--bare", str(helpers), str(mirrors / "acme__helpers"))
    app = root / "app"
    app.mkdir()
    git(app, "init", "-q")
    gitmodules = '[submodule "helpers"]\n\tpath = helpers\n\turl = https://github.com/acme/helpers.git\n'
    (app / "app").mkdir()
    (app / "app" / "__init__.py").write_text("")
    (app / "helpers").mkdir()  # an uninitialized submodule's empty directory: add -A keeps the link
    git(app, "update-index", "--add", "--cacheinfo", f"160000,{v1},helpers")
    env = _committed(app, {".gitmodules": gitmodules, **(files or {})}, "env")
    git(app, "update-index", "--cacheinfo", f"160000,{v2},helpers")
    base = _committed(app, {"app/core.py": "X = 1\n"}, "base")
    (root / "closed").chmod(0o700)
    return mirrors, app, env, base


def test_a_submodule_is_checked_out_from_its_mirror_at_the_commit_the_base_records(tmp_path: Path) -> None:
    """astropy's ``astropy_helpers``: a plain clone leaves it empty and its build then fetches it
    from the network. Its mirror under --repos-dir gives it at the recorded commit (not the
    mirror's HEAD); the checkout's config keeps the published URL; a submodule with no mirror is
    left empty, as a plain clone leaves it."""
    mirrors, app, _, base = superproject(tmp_path)
    (app / ".gitmodules").write_text(
        (app / ".gitmodules").read_text() + '[submodule "gone"]\n\tpath = gone\n\turl = ../gone.git\n'
    )
    (app / "gone").mkdir()
    git(app, "update-index", "--add", "--cacheinfo", f"160000,{base},gone")
    base = _committed(app, {}, "a submodule nobody mirrors")
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="file:///nonexistent/acme/app"
    )
    assert (ws.path / "helpers" / "helpers_lib.py").read_text() == "NAME = 'v2'\n"
    bare = checkout(str(app), tmp_path / "ws2", base, tmp_path / "cache", repos_dir=mirrors)
    assert not any((bare.path / "gone").iterdir())  # relative, with no URL of the project to resolve it
    assert git(ws.path, "config", "submodule.helpers.url").strip() == "https://github.com/acme/helpers.git"
    assert git(ws.path / "helpers", "describe", "--tags").strip() == "v2.0"
    assert (ws.path / "gone").is_dir() and not any((ws.path / "gone").iterdir())
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("*.git"))


def test_what_runs_write_in_a_submodule_is_no_part_of_a_patch_and_is_gone_when_pristine(tmp_path: Path) -> None:
    """A build writes inside a submodule (astropy_helpers' egg-info, a regenerated file): the
    patch never carries a ``Subproject commit`` line, and the graded run's tree is clean."""
    from rfsn.batch.harness.patching import pristine

    mirrors, app, _, base = superproject(tmp_path)
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="https://github.com/acme/app"
    )
    (ws.path / "helpers" / "helpers_lib.py").write_text("NAME = 'built'\n")
    (ws.path / "helpers" / "build.log").write_text("built\n")
    (ws.path / "app" / "core.py").write_text("X = 2\n")
    patch = ws.diff()
    assert "Subproject" not in patch and "helpers" not in patch
    assert "+X = 2" in patch
    pristine(ws)
    assert (ws.path / "helpers" / "helpers_lib.py").read_text() == "NAME = 'v2'\n"
    assert not (ws.path / "helpers" / "build.log").exists()
    assert (ws.path / "app" / "core.py").read_text() == "X = 1\n"


def test_the_env_builds_copy_holds_the_submodule_at_the_env_commits_record(tmp_path: Path) -> None:
    """The env build installs the project at its env commit from ``git archive``, which leaves a
    submodule out: its tree is added, at the commit the env commit (not the base) records."""
    import io
    import tarfile

    from rfsn.sandbox.sourcetree import source_tree

    mirrors, app, env, base = superproject(tmp_path)
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="https://github.com/acme/app"
    )
    with tarfile.open(fileobj=io.BytesIO(source_tree(ws.path, env))) as tree:
        names = set(tree.getnames())
        lib = tree.extractfile("src/helpers/helpers_lib.py")
        assert lib is not None and lib.read() == b"NAME = 'v1'\n"
    assert "src/.gitmodules" in names and "src/app/core.py" not in names


def test_a_submodule_its_mirror_cannot_give_is_left_as_a_plain_clone_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recorded commit the mirror lacks, and a submodule no mirror under --repos-dir holds
    (whose GitHub URL a run given local mirrors never reaches for): both are left empty, the
    checkout is a plain one, and every graded run's reset works."""
    from rfsn.batch.harness import submodules
    from rfsn.batch.harness.patching import pristine

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a submodule was fetched from {args[0]}")

    monkeypatch.setattr(submodules, "ensure_mirror", no_network)
    mirrors, app, _, base = superproject(tmp_path)
    (app / ".gitmodules").write_text(
        (app / ".gitmodules").read_text()
        + '[submodule "tools"]\n\tpath = tools\n\turl = https://github.com/acme/tools.git\n'
    )
    (app / "tools").mkdir()
    git(app, "update-index", "--add", "--cacheinfo", f"160000,{base},tools")
    git(app, "update-index", "--cacheinfo", f"160000,{'1' * 40},helpers")
    base = _committed(app, {}, "a commit of helpers nobody has, and tools nobody mirrors")
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="https://github.com/acme/app"
    )
    for path in ("helpers", "tools"):
        assert (ws.path / path).is_dir() and not any((ws.path / path).iterdir())
    assert "submodule.helpers" not in git(ws.path, "config", "--list")
    (ws.path / "app" / "core.py").write_text("X = 2\n")
    pristine(ws)
    assert (ws.path / "app" / "core.py").read_text() == "X = 1\n"


def test_a_submodule_the_sources_recursive_clone_holds_is_checked_out_from_it_tomlkit_fefb29f(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submodule is checked out from the source's own copy of it (``.git/modules``, where a
    recursive clone keeps it) before any mirror: tomlkit fefb29f's clone under --repos-dir held
    ``tests/toml-test`` at the recorded commit, no mirror of its URL (renamed since) existed, and
    the tests that read it failed to collect. A plain clone of the source, holding no copy, still
    leaves it empty."""
    from rfsn.batch.harness import submodules

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a submodule was fetched from {args[0]}")

    monkeypatch.setattr(submodules, "ensure_mirror", no_network)
    mirrors, app, _, base = superproject(tmp_path)
    source = tmp_path / "recursive" / "acme__app"
    git(tmp_path, "clone", "-q", str(app), str(source))
    git(source, "config", "submodule.helpers.url", str(tmp_path / "closed" / "helpers"))
    (tmp_path / "closed").chmod(0o755)
    git(source, "-c", "protocol.file.allow=always", "submodule", "update", "-q", "--init")
    subprocess.run(["rm", "-rf", str(tmp_path / "closed"), str(mirrors / "acme__helpers")], check=True)
    ws = checkout(
        str(source),
        tmp_path / "ws",
        base,
        tmp_path / "cache",
        repos_dir=mirrors,
        upstream="https://github.com/acme/app",
    )
    assert (ws.path / "helpers" / "helpers_lib.py").read_text() == "NAME = 'v2'\n"
    assert git(ws.path, "config", "submodule.helpers.url").strip() == "https://github.com/acme/helpers.git"
    plain = tmp_path / "plain"
    git(tmp_path, "clone", "-q", str(app), str(plain))
    bare = checkout(str(plain), tmp_path / "ws2", base, tmp_path / "cache", repos_dir=mirrors)
    assert not any((bare.path / "helpers").iterdir())


@pytest.mark.parametrize(
    ("url", "upstream", "published", "owner_name"),
    [
        ("../helpers.git", "https://github.com/acme/app", "https://github.com/acme/helpers.git", "acme/helpers"),
        ("./sub/x.git", "https://github.com/acme/app/", "https://github.com/acme/app/sub/x.git", "sub/x"),
        ("git@github.com:acme/tools.git", "", "git@github.com:acme/tools.git", "acme/tools"),
        ("https://gitlab.com/g/sub/lib", "https://github.com/acme/app", "https://gitlab.com/g/sub/lib", "sub/lib"),
    ],
)
def test_a_submodule_url_as_published_and_its_owner_name(
    url: str, upstream: str, published: str, owner_name: str
) -> None:
    from rfsn.batch.harness.mirrors import owner_name as owner_name_of
    from rfsn.batch.harness.submodules import absolute

    assert absolute(url, upstream) == published
    assert owner_name_of(published) == owner_name


def test_a_node_uses_its_own_repos_dir_when_it_has_one(tmp_path: Path) -> None:
    from rfsn.batch.harness.repos import Origin, instance_checkout

    repo, commit = make_repo(tmp_path)
    (tmp_path / "mirrors").mkdir()
    repo.rename(tmp_path / "mirrors" / "owner__name")
    ws = instance_checkout(
        Origin("file:///nowhere/owner/name.git", tmp_path / "cache", 60, tmp_path / "mirrors"), commit, tmp_path / "ws"
    )
    assert ws.base_commit == commit and ws.source == str((tmp_path / "mirrors" / "owner__name").resolve())
    assert not (tmp_path / "cache").exists()


def test_a_node_without_the_drivers_repos_dir_uses_its_cache_of_the_url(tmp_path: Path) -> None:
    """A Ray node that lacks --repos-dir finds the repository as without it: its cache, else the URL."""
    from rfsn.batch.harness.repos import Origin, instance_checkout

    repo, commit = make_repo(tmp_path)
    url = repo.resolve().as_uri()
    cache = tmp_path / "cache"
    first = instance_checkout(Origin(url, cache, 60, tmp_path / "not-on-this-node"), commit, tmp_path / "a")
    assert first.base_commit == commit  # cloned from the URL into the cache
    subprocess.run(["rm", "-rf", str(repo)], check=True)  # the URL is gone: the cache answers
    second = instance_checkout(Origin(url, cache, 60, tmp_path / "not-on-this-node"), commit, tmp_path / "b")
    assert second.base_commit == commit


def test_a_node_without_access_says_so_in_the_label_repo_at_once(tmp_path: Path) -> None:
    import socket
    import time

    from rfsn.batch.harness.repos import Origin, instance_checkout
    from rfsn.batch.outcome import ErrorKind, classify

    started = time.monotonic()
    with pytest.raises(WorkspaceError) as caught:
        instance_checkout(
            Origin("file:///nowhere/owner/name.git", tmp_path / "cache", 60, tmp_path / "not-on-this-node"),
            "0" * 40,
            tmp_path / "ws",
        )
    assert time.monotonic() - started < 30
    assert f"--repos-dir {tmp_path / 'not-on-this-node'} does not exist on {socket.gethostname()}" in str(caught.value)
    assert classify(caught.value) == ErrorKind.REPO


def test_a_submodule_name_that_climbs_out_of_the_sources_modules_is_no_copy_of_it(tmp_path: Path) -> None:
    """The name comes from the repository's .gitmodules: ``../../other`` must not make a
    repository elsewhere on the host the submodule's source."""
    from rfsn.batch.harness.submodules import kept_copy

    work = tmp_path / "work"
    git(tmp_path, "init", "-q", str(work))
    (work / "f").write_text("x\n")
    git(work, "add", "f")
    git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    commit = git(work, "rev-parse", "HEAD").strip()
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(other))
    own = tmp_path / "src" / ".git" / "modules"
    (own / "inside").parent.mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(own / "inside"))
    assert kept_copy(own, "inside", commit) == own / "inside"  # the same commit, inside: taken
    assert kept_copy(own, "../../../other", commit) is None
    assert kept_copy(own, str(other), commit) is None
