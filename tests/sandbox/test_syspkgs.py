"""A build that lacked a system file gets the Debian package that ships it: the file read from
the build's output (compilers, linkers, shells, setup scripts, pkg-config, meson), the package
from an excerpt of bookworm's real contents index (``fixtures/Contents-*-bookworm-excerpt``,
the lines of Contents-amd64.gz and Contents-all.gz that name these files, decoys included)."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.sandbox import debcontents, syspkgs
from rfsn.sandbox.envimage import EnvImage
from rfsn.sandbox.missing import Missing, missing_files

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPTS = (FIXTURES / "Contents-amd64-bookworm-excerpt", FIXTURES / "Contents-all-bookworm-excerpt")
BASE = BaseImage(
    runtime="python",
    version="3.11",
    registry_image="python:3.11-slim",
    debian_release="bookworm",
    debian_packages=("python3",),
)
RECIPE = EnvRecipe(buildpack="python", base=BASE, steps=("pip install psycopg2==2.9.9",))


@pytest.mark.parametrize(
    ("output", "kind", "name"),
    [
        ("    Error: pg_config executable not found.", "executable", "pg_config"),
        ("sh: 1: pg_config: not found", "executable", "pg_config"),
        ("/bin/sh: 1: mysql_config: not found", "executable", "mysql_config"),
        ("bash: line 1: curl-config: command not found", "executable", "curl-config"),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'krb5-config'", "executable", "krb5-config"),
        ("Did not find pkg-config by name 'pkg-config'", "executable", "pkg-config"),
        ("'pkg-config' not found.", "executable", "pkg-config"),  # pycairo 1.26.0's setup.py
        ("The pkg-config command could not be found.", "executable", "pkg-config"),  # Rust's pkg-config crate
        (
            "../test/meson.build:72:19: ERROR: Program 'dbus-run-session' not found or not executable",
            "executable",
            "dbus-run-session",
        ),
        ("src/lxml/etree.c:96:10: fatal error: libxml/xpath.h: No such file or directory", "header", "libxml/xpath.h"),
        ("  c/_cffi_backend.c:15:10: fatal error: ffi.h: No such file or directory", "header", "ffi.h"),
        ("/usr/bin/ld: cannot find -lssl: No such file or directory", "library", "ssl"),
        ("Package cairo was not found in the pkg-config search path.", "pkgconfig", "cairo"),
        ("Package 'libxml-2.0', required by 'virtual:world', not found", "pkgconfig", "libxml-2.0"),
        ("No package 'dbus-1' found", "pkgconfig", "dbus-1"),
        ("The system library `openssl` required by crate `openssl-sys` was not found.", "pkgconfig", "openssl"),
        ("Command 'pkg-config --exists mysqlclient' returned non-zero exit status 1.", "pkgconfig", "mysqlclient"),
        ('Dependency "gobject-introspection-1.0" not found, tried pkgconfig', "pkgconfig", "gobject-introspection-1.0"),
        ("Run-time dependency cairo found: NO (tried pkgconfig)", "pkgconfig", "cairo"),
        ("Error: Please make sure the libxslt development packages are installed.", "library", "xslt"),
        (  # Node 26 from the npm registry on Debian (npm/node-which at HEAD)
            "node: error while loading shared libraries: libatomic.so.1: cannot open shared object file: No such file",
            "library",
            "libatomic.so.1",
        ),
    ],
)
def test_each_tool_s_way_of_saying_a_file_is_missing_is_read(output: str, kind: str, name: str) -> None:
    assert [(m.kind, m.name) for m in missing_files(f"Step 4/9 : RUN make\n{output}\n")] == [(kind, name)]


@pytest.mark.parametrize(
    "output",
    [
        "ERROR: No matching distribution found for requests==999.0",
        "ModuleNotFoundError: No module named 'yaml'",
        "sh: 1: 127: not found",
        "warning: no files found matching '*.txt'",
        "FileNotFoundError: [Errno 2] No such file or directory: 'docs/index.rst'",
    ],
)
def test_a_failure_that_names_no_system_file_names_none(output: str) -> None:
    assert missing_files(output) == []


def test_libraries_named_in_words_are_each_their_shared_object() -> None:
    """lxml 5.2.2 from source says only this when neither library is there."""
    output = "Error: Please make sure the libxml2 and libxslt development packages are installed."
    assert [m.described for m in missing_files(output)] == ["the library libxml2.so", "the library libxslt.so"]


def test_a_file_said_missing_twice_is_one_want_in_the_order_first_said() -> None:
    output = (
        "sh: 1: pg_config: not found\nError: pg_config executable not found.\n"
        "fatal error: ffi.h: No such file or directory\n"
    )
    assert [m.name for m in missing_files(output)] == ["pg_config", "ffi.h"]


def _index() -> list[str]:
    return [path.read_text() for path in EXCERPTS]


@pytest.mark.parametrize(
    ("kind", "name", "package"),
    [
        ("executable", "pg_config", "libpq-dev"),  # not postgresql-common's wrapper, nor the client's
        ("executable", "krb5-config", "libkrb5-dev"),  # MIT's, before heimdal-dev
        ("executable", "mysql_config", "libmariadb-dev-compat"),
        ("executable", "pkg-config", "pkgconf"),  # not a file of that name in a doc directory
        ("executable", "aclocal", "automake"),  # an alternative: only aclocal-1.16 is a file
        ("executable", "libtoolize", "libtool"),
        ("header", "libxml/xpath.h", "libxml2-dev"),  # not libyuma-dev's ncx/xpath.h
        ("header", "ffi.h", "libffi-dev"),  # in the multiarch include directory, not botan's
        ("header", "yaml.h", "libyaml-dev"),  # right in usr/include, before yaml-cpp/yaml.h
        ("header", "sasl/sasl.h", "libsasl2-dev"),
        ("header", "lber.h", "libldap-dev"),
        ("header", "Python.h", "libpython3.11-dev"),
        ("header", "portaudio.h", "portaudio19-dev"),
        ("library", "ssl", "libssl-dev"),  # the .so in the multiarch lib directory, not android's
        ("library", "xslt", "libxslt1-dev"),
        ("library", "libatomic.so.1", "libatomic1"),  # a binary's soname: that file, not libgcc's .so
        ("pkgconfig", "cairo", "libcairo2-dev"),
        ("pkgconfig", "dbus-1", "libdbus-1-dev"),  # not dbus-tests' debug build
        ("pkgconfig", "xproto", "x11proto-dev"),  # an Architecture: all package, in Contents-all
    ],
)
def test_the_contents_index_names_the_package_that_ships_the_file(kind: str, name: str, package: str) -> None:
    want = Missing(kind=kind, name=name)  # type: ignore[arg-type]
    found = debcontents.owners(_index(), [want])
    assert debcontents.preferred(found[want][1]) == package


def test_uvloop_s_autogen_without_autotools_gets_autoconf_automake_and_libtool(tmp_path: Path) -> None:
    """libuv's autogen.sh, run by uvloop's setup.py, in an image without the autotools: automake
    ships aclocal and automake only under their version (the alternatives are made on install)."""
    seed_index(tmp_path, date.today())
    output = "".join(
        f"      autogen.sh: 1: {tool}: not found\n" for tool in ("aclocal", "autoconf", "automake", "libtoolize")
    )
    again = syspkgs.remedy(RECIPE, output, tmp_path, "http://127.0.0.1:9/nothing-here")
    assert again is not None and [name for name, _ in again.system_packages] == ["automake", "autoconf", "libtool"]


def test_a_file_no_package_ships_is_not_answered() -> None:
    want = Missing(kind="header", name="nosuch/thing.h")
    assert debcontents.owners(_index(), [want]) == {}


def test_blocks_of_a_gzip_index_end_at_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "Contents-amd64.gz"
    text = EXCERPTS[0].read_text()
    path.write_bytes(gzip.compress(text.encode()))
    blocks = list(debcontents.read_blocks([path], size=100))
    assert len(blocks) > 1 and all(b.endswith("\n") for b in blocks) and "".join(blocks) == text


def seed_index(home: Path, day: date) -> None:
    """A contents index of bookworm kept under ``home`` as if fetched on ``day``."""
    folder = home / "debian" / "bookworm" / day.isoformat()
    folder.mkdir(parents=True)
    for name, excerpt in zip(debcontents.index_names(debcontents.arch()), EXCERPTS, strict=True):
        (folder / name).write_bytes(gzip.compress(excerpt.read_bytes()))


def test_a_build_that_lacked_pg_config_gets_libpq_dev_once(tmp_path: Path) -> None:
    seed_index(tmp_path, date.today())
    output = "Step 3/5 : RUN pip install x\nCollecting x\n...\nError: pg_config executable not found.\n"
    again = syspkgs.remedy(RECIPE, output, tmp_path, "http://127.0.0.1:9/nothing-here")
    assert again is not None and [name for name, _ in again.system_packages] == ["libpq-dev"]
    assert "executable pg_config (Error: pg_config executable not found.)" in again.system_packages[0][1]
    assert syspkgs.remedy(again, output, tmp_path, "http://127.0.0.1:9/") is None  # nothing new


def test_only_the_failed_step_s_output_is_read(tmp_path: Path) -> None:
    """An earlier step's harmless "not found" (a probe that then succeeded) adds nothing."""
    seed_index(tmp_path, date.today())
    output = "Step 2/5 : RUN command -v pg_config || true\nsh: 1: pg_config: not found\nStep 3/5 : RUN x\nboom\n"
    assert syspkgs.remedy(RECIPE, output, tmp_path, "http://127.0.0.1:9/") is None


def test_the_added_packages_change_the_image_and_are_installed_before_the_steps() -> None:
    added = RECIPE.model_copy(update={"system_packages": (("libpq-dev", "the build lacked pg_config"),)})
    assert added.key() != RECIPE.key() and EnvImage(added, "base").tag != EnvImage(RECIPE, "base").tag
    lines = EnvImage(added, "base").dockerfile(with_ca=False).splitlines()
    apt = next(i for i, line in enumerate(lines) if "apt-get install" in line)
    assert "libpq-dev" in lines[apt] and "Debian package libpq-dev added: the build lacked pg_config" in lines[apt]
    assert apt < next(i for i, line in enumerate(lines) if "psycopg2" in line)
    assert "apt-get" not in EnvImage(RECIPE, "base").dockerfile(with_ca=False)


def test_what_a_recipe_lacked_is_recalled_for_its_next_build(tmp_path: Path) -> None:
    added = RECIPE.model_copy(update={"system_packages": (("libpq-dev", "why"),)})
    assert syspkgs.recall(tmp_path, RECIPE) == RECIPE
    syspkgs.remember(tmp_path, RECIPE, added)
    assert syspkgs.recall(tmp_path, RECIPE).system_packages == (("libpq-dev", "why"),)
    other = RECIPE.model_copy(update={"steps": ("pip install lxml",)})
    assert syspkgs.recall(tmp_path, other) == other


@contextlib.contextmanager
def _mirror(root: Path) -> Iterator[tuple[str, list[str]]]:
    """A Debian mirror on loopback serving ``root``; its URL and the paths asked for."""
    asked: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def do_GET(self) -> None:
            asked.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/debian", asked
    finally:
        server.shutdown()
        server.server_close()


def test_the_index_is_fetched_once_per_release_and_again_when_old(tmp_path: Path) -> None:
    served = tmp_path / "www" / "debian" / "dists" / "bookworm" / "main"
    served.mkdir(parents=True)
    for name, excerpt in zip(debcontents.index_names("amd64"), EXCERPTS, strict=True):
        (served / name).write_bytes(gzip.compress(excerpt.read_bytes()))
    home, day = tmp_path / "home", date(2026, 1, 1)
    with _mirror(tmp_path / "www") as (url, asked):
        first = debcontents.fetched(home, url, "bookworm", architecture="amd64", today=day)
        assert len(asked) == 2 and first[0].parent.name == "2026-01-01"
        assert debcontents.fetched(home, url, "bookworm", architecture="amd64", today=day + timedelta(days=29)) == first
        assert len(asked) == 2
        later = debcontents.fetched(home, url, "bookworm", architecture="amd64", today=day + timedelta(days=30))
        assert len(asked) == 4 and not first[0].parent.exists()
    found = debcontents.owners(debcontents.read_blocks(later), [Missing(kind="executable", name="pg_config")])
    assert next(iter(found.values()))[0] == "usr/bin/pg_config"


def test_an_index_that_cannot_be_fetched_leaves_the_failure_as_it_was(tmp_path: Path) -> None:
    with _mirror(tmp_path) as (url, asked):  # serves nothing: 404
        assert syspkgs.remedy(RECIPE, "Error: pg_config executable not found.", tmp_path / "home", url) is None
    assert asked
