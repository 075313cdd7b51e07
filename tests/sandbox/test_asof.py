"""The package index as of a date: which files it lists, and how pip reads it (a real pip
against the loopback index over a fake upstream on loopback; no other network)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from rfsn.sandbox import asof, asofindex


def _file(name: str, uploaded: str, **extra: Any) -> dict[str, Any]:
    return {
        "filename": name,
        "url": f"https://files.example/{name}",
        "hashes": {"sha256": "ab" * 32},
        "upload-time": uploaded,
        "requires-python": extra.get("rp"),
        "yanked": extra.get("yanked", False),
    }


SIX = [
    _file("six-1.15.0.tar.gz", "2020-05-21T12:00:00Z"),
    _file("six-1.16.0-py2.py3-none-any.whl", "2021-05-05T14:00:00.1Z", rp=">=2.7, !=3.0.*"),
    _file("six-1.17.0-py2.py3-none-any.whl", "2024-12-04T10:00:00Z", yanked="broken"),
]


def test_pins_are_every_exact_version_normalized() -> None:
    steps = ["pip install 'Jinja2==3.0.3' tox==4.16.0 pytest>=7", "numpy == 1.25.2\nfoo[bar]==1.0"]
    assert asof.pins(steps) == {("jinja2", "3.0.3"), ("tox", "4.16.0"), ("numpy", "1.25.2"), ("foo", "1.0")}


def test_files_before_the_cutoff_and_pinned_versions_are_kept() -> None:
    before = datetime(2024, 1, 1, tzinfo=UTC)
    assert [f["filename"] for f in asof.kept("six", SIX, before, set())] == [
        "six-1.15.0.tar.gz",
        "six-1.16.0-py2.py3-none-any.whl",
    ]
    pinned = asof.kept("Six", SIX, before, {("six", "1.17.0")})
    assert [f["filename"] for f in pinned][-1] == "six-1.17.0-py2.py3-none-any.whl"


def test_the_cutoff_moves_to_the_day_after_the_newest_pinned_release() -> None:
    before = asof.cutoff("2024-01-01")
    assert asof.released("six", "1.17.0", SIX) == datetime(2024, 12, 4, 10, tzinfo=UTC)
    assert asof.released("six", "9.9", SIX) is None
    assert asof.effective(before, [asof.released("six", "1.17.0", SIX), None]) == datetime(2024, 12, 5, 10, tzinfo=UTC)
    assert asof.effective(before, [asof.released("six", "1.15.0", SIX)]) == before


def test_a_prefix_pin_moves_the_cutoff_to_its_first_final_release() -> None:
    """A requirement only releases after the date satisfy (``pytest==8.*`` in a project dated
    2024-01-01: the devset's pathfinder) builds from the day after its first final release."""
    assert asof.pins(["pip install 'pytest==8.*' six==1.*"]) == {("pytest", "8.*"), ("six", "1.*")}
    pytest8 = [
        _file("pytest-8.0.0rc1-py3-none-any.whl", "2024-01-17T12:00:00Z"),
        _file("pytest-8.0.0-py3-none-any.whl", "2024-01-27T12:00:00Z"),
        _file("pytest-8.0.1-py3-none-any.whl", "2024-02-16T12:00:00Z"),
    ]
    assert asof.released("pytest", "8.*", pytest8) == datetime(2024, 1, 27, 12, tzinfo=UTC)
    assert asof.released("six", "1.*", SIX) == datetime(2020, 5, 21, 12, tzinfo=UTC)
    before = asof.cutoff("2024-01-01")
    assert asof.effective(before, [asof.released("six", "1.*", SIX)]) == before


def test_the_page_is_pep_503_with_hashes_python_bounds_and_yanks() -> None:
    page = asof.render("six", SIX)
    assert 'href="https://files.example/six-1.15.0.tar.gz#sha256=' + "ab" * 32 + '"' in page
    assert 'data-requires-python="&gt;=2.7, !=3.0.*"' in page and 'data-yanked="broken"' in page


def _fake_pypi(projects: dict[str, list[dict[str, Any]]]) -> Iterator[str]:
    """A fake PyPI JSON simple API on loopback serving ``projects`` (name -> files), nothing else."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rstrip("/").split("/")[-1]
            if not self.path.startswith("/simple/") or name not in projects:
                self.send_error(404)
                return
            body = json.dumps({"name": name, "files": projects[name]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    server.shutdown()
    server.server_close()


@pytest.fixture
def upstream() -> Iterator[str]:
    """six as above, nothing else."""
    yield from _fake_pypi({"six": SIX})


def test_pip_reads_the_index_as_of_the_date(upstream: str, tmp_path: Path) -> None:
    """pip's own finder lists what the index serves: 1.16.0 is the newest before 2024."""
    with asofindex.serving("2024-01-01", set(), None, upstream=upstream) as url:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "index",
                "versions",
                "six",
                "--isolated",
                "--index-url",
                url,
                "--trusted-host",
                "127.0.0.1",
                "--pre",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        missing = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", "nothing-here", "--isolated", "--index-url", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "six (1.16.0)" in done.stdout and "1.17.0" not in done.stdout
    assert missing.returncode != 0


def test_a_project_with_nothing_before_the_date_gets_its_first_release_after_it() -> None:
    """A project deleted from PyPI since the date (atomicwrites before 2022, codecov) would
    leave nothing to install: its first release after the date is served instead, whole."""
    later = [
        _file("six-1.16.0-py2.py3-none-any.whl", "2021-05-05T14:00:00Z"),
        _file("six-1.16.0.tar.gz", "2021-05-05T14:01:00Z"),
        *SIX,
    ]
    assert [f["filename"] for f in asof.kept("six", later, datetime(2019, 1, 1, tzinfo=UTC), set())] == [
        "six-1.15.0.tar.gz"
    ]
    assert [f["filename"] for f in asof.kept("six", later[:2], datetime(2019, 1, 1, tzinfo=UTC), set())] == [
        "six-1.16.0-py2.py3-none-any.whl",
        "six-1.16.0.tar.gz",
    ]
    assert [f["filename"] for f in asof.kept("six", later, datetime(2020, 6, 1, tzinfo=UTC), set())] == [
        "six-1.15.0.tar.gz"
    ]  # something before the date: nothing after it
    assert asof.kept("six", [], datetime(2019, 1, 1, tzinfo=UTC), set()) == []


def test_the_index_lists_what_it_served_from_after_its_date(upstream: str) -> None:
    with asofindex.serving("2019-06-01", set(), None, upstream=upstream) as url:
        client = httpx.Client(timeout=30)
        page = client.get(f"{url}/six/").text
        again = client.get(f"{url}/six/").text
        later = client.get(url.rsplit("/simple", 1)[0] + asof.LATER_PATH).text
        client.close()
    assert "six-1.15.0.tar.gz" in page and "1.16.0" not in page and page == again
    assert later == "six: nothing on PyPI before 2019-06-01, its first release after it (1.15.0)\n"


def test_a_raised_tool_gets_its_first_release_after_the_floor_or_its_newest() -> None:
    """A tool of the era raised to one that runs on the environment's Python (pip 1.5.6, the pip of
    2015-02, cannot start on 3.6: slugify 2015) is served its first release after the floor beside
    those of before, so pip takes it unless a requirement bounds it; with none after the floor,
    its newest (py's last release, 1.11.0, came before 3.11)."""
    before, floor = datetime(2019, 1, 1, tzinfo=UTC), datetime(2020, 6, 1, tzinfo=UTC)
    assert [f["filename"] for f in asof.kept("six", SIX, before, set(), floor)] == [
        "six-1.16.0-py2.py3-none-any.whl"
    ]  # nothing before: only the raised release
    old = [
        _file("six-1.9.0.tar.gz", "2015-01-01T00:00:00Z"),
        _file("six-1.16.0rc1.tar.gz", "2020-07-01T00:00:00Z"),
        *SIX,
    ]
    assert [f["filename"] for f in asof.kept("six", old, before, set(), floor)] == [
        "six-1.9.0.tar.gz",
        "six-1.16.0-py2.py3-none-any.whl",
    ]
    assert [f["filename"] for f in asof.kept("six", old, before, set(), datetime(2025, 1, 1, tzinfo=UTC))] == [
        "six-1.9.0.tar.gz",
        "six-1.17.0-py2.py3-none-any.whl",
    ]
    assert [f["filename"] for f in asof.kept("six", old, datetime(2021, 1, 1, tzinfo=UTC), set(), floor)] == [
        "six-1.9.0.tar.gz",
        "six-1.16.0rc1.tar.gz",
        "six-1.15.0.tar.gz",
    ]  # a floor before the date raises nothing


def test_the_index_raises_the_floored_projects_and_says_so(upstream: str) -> None:
    with asofindex.serving("2019-06-01", set(), None, upstream=upstream, floors={"Six": "2021-01-01"}) as url:
        client = httpx.Client(timeout=30)
        page = client.get(f"{url}/six/").text
        later = client.get(url.rsplit("/simple", 1)[0] + asof.LATER_PATH).text
        client.close()
    assert "six-1.16.0-py2.py3-none-any.whl" in page and "1.17.0" not in page
    assert later == (
        "six: 1.16.0, its first release after 2021-01-01 (the environment's Python), not one of before 2019-06-01\n"
    )


#: a tool raised past the commit's date whose raised release requires a dependency newer than
#: that date (pytest 6.1.2 on 3.9 requires pluggy>=0.12, which a 2018 commit's index has not)
RAISED = {
    "tool": [
        _file("tool-1.0.tar.gz", "2018-01-01T00:00:00Z"),
        _file("tool-2.0.tar.gz", "2020-10-07T09:00:00Z"),
        _file("tool-3.0.tar.gz", "2022-01-01T00:00:00Z"),
    ],
    "dep": [
        _file("dep-0.5.tar.gz", "2017-06-01T00:00:00Z"),
        _file("dep-0.13.tar.gz", "2019-06-01T00:00:00Z"),
        _file("dep-1.0.tar.gz", "2021-08-01T00:00:00Z"),
    ],
}


@pytest.fixture
def raised_upstream() -> Iterator[str]:
    yield from _fake_pypi(RAISED)


def test_a_raised_set_is_resolved_as_of_the_day_after_its_raised_releases_pytest_6_pluggy_ci() -> None:
    floor = datetime(2020, 10, 5, tzinfo=UTC)
    assert asof.raised_cutoff(floor, RAISED) == datetime(2021, 8, 2, tzinfo=UTC)  # dep has none after: newest
    assert asof.raised_cutoff(floor, {"tool": RAISED["tool"]}) == datetime(2020, 10, 8, 9, tzinfo=UTC)
    assert asof.raised_cutoff(floor, {"tool": []}) == datetime(2020, 10, 6, tzinfo=UTC)


def test_the_raised_view_serves_the_tools_dependencies_of_their_raised_date(raised_upstream: str) -> None:
    """The commit's view has only dep 0.5; the raised view of ``tool`` after 2020-10-05 serves what
    PyPI had the day after tool 2.0: dep 0.13 too, not dep 1.0 or tool 3.0. The commit's own view
    is unchanged, and the report says which date the set came from."""
    with asofindex.serving("2018-02-11", set(), None, upstream=raised_upstream) as url:
        client = httpx.Client(timeout=30)
        root = url.rsplit("/simple", 1)[0]
        own = client.get(f"{url}/dep/").text
        view = f"{root}/raised/2020-10-05/tool/simple"
        dep, tool = client.get(f"{view}/dep/").text, client.get(f"{view}/tool/").text
        bad = client.get(f"{root}/raised/not-a-day/tool/simple/dep/")
        later = client.get(root + asof.LATER_PATH).text
        client.close()
    assert "dep-0.5" in own and "dep-0.13" not in own
    assert "dep-0.5" in dep and "dep-0.13" in dep and "dep-1.0" not in dep
    assert "tool-2.0" in tool and "tool-3.0" not in tool
    assert bad.status_code == 502
    assert (
        "tool and what they require: as PyPI had them before 2020-10-08, the day after their first "
        "releases after 2020-10-05 (the environment's Python), not before 2018-02-11"
    ) in later, later


def test_xarray_3993_the_index_has_the_same_url_for_the_same_view_from_build_to_build(upstream: str) -> None:
    """Docker reuses a build step's layer only where its build arguments are the same as before:
    xarray-3993's env built again every layer xarray-3677's had (31 minutes), the index's URL
    being new in each build. The same view of the index has the same URL; another view, or the
    same one served twice at once, another."""
    with asofindex.serving("2019-06-01", set(), None, upstream=upstream) as first:
        pass
    with asofindex.serving("2019-06-01", set(), None, upstream=upstream) as second:
        with asofindex.serving("2019-06-01", set(), None, upstream=upstream) as both:
            assert httpx.get(f"{both}/six/", timeout=30).status_code == 200
        page = httpx.get(f"{second}/six/", timeout=30).text
        assert httpx.get(f"{second.rsplit('/', 2)[0]}/simple/six/", timeout=30).status_code == 404
    with asofindex.serving("2020-06-01", set(), None, upstream=upstream) as later:
        pass
    assert first == second and both != second and later != first
    assert "six-1.15.0.tar.gz" in page
