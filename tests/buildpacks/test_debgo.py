"""Go modules from Debian's packaged sources where the module proxy cannot be reached: the env step
run by a real shell, with go, apt and Debian's contents index standing in, and the vendor tree it
writes read by the host's real go (31 of 35 Go rows of the environment sweep ended on "no module
proxy reachable"; Debian packages e.g. github.com/google/go-cmp as golang-github-google-go-cmp-dev)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.go import debgo, govendor
from rfsn.buildpacks.go.gomodreqs import debian_lines, replace_lines
from rfsn.buildpacks.steplog import step_error

GO_MOD = """module example.com/m

go 1.21

require (
	github.com/google/go-cmp v0.6.0
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/golang/protobuf v1.5.4
	golang.org/x/text v0.14.0 // indirect
)
"""
#: Debian's packages: what each installs under /usr/share/gocode/src, and its version
PACKAGES = {
    "golang-github-google-go-cmp-dev": ("0.5.9-1", {"github.com/google/go-cmp/cmp/compare.go": "package cmp\n"}),
    # Debian drops a module's /vN where its go.mod names the module
    "golang-github-cespare-xxhash-dev": (
        "2.2.0-1",
        {
            "github.com/cespare/xxhash/go.mod": "module github.com/cespare/xxhash/v2\n\ngo 1.11\n",
            "github.com/cespare/xxhash/xxhash.go": "package xxhash\n\nfunc Sum64(b []byte) uint64 { return 7 }\n",
        },
    ),
    # two packages ship one path: the newer one is installed, never both
    "golang-github-golang-protobuf-1-3-dev": ("1.3.5-4", {"github.com/golang/protobuf/proto/p.go": "package proto\n"}),
    "golang-github-golang-protobuf-1-5-dev": (
        "1.5.2-3",
        {"github.com/golang/protobuf/proto/p.go": "package proto\n\nconst Five = 5\n"},
    ),
    "golang-golang-x-text-dev": ("0.7.0-1", {"golang.org/x/text/go.mod": "module golang.org/x/text\n\ngo 1.17\n"}),
}
FAKE_GO = """#!/bin/sh
echo 'go: github.com/google/go-cmp@v0.6.0: Get "https://proxy.golang.org/github.com/google/go-cmp/@v/v0.6.0.info":'\\
' dial tcp: lookup proxy.golang.org on 10.255.255.53:53: no such host'
exit 1
"""
FAKE_APT_GET = """#!/bin/sh
[ "$1" = update ] && exit 0
echo "$@" >> "$APT_SEEN"
for p in "$@"; do [ -d "$PACKAGES/$p" ] && cp -r "$PACKAGES/$p/." "$SOURCES/"; done
exit 0
"""
FAKE_APT_CACHE = '#!/bin/sh\ncat "$PACKAGES/$3.version" 2>/dev/null\n'
FAKE_DPKG = '#!/bin/sh\n[ "$2" != "$4" ] && [ "$(printf "%s\\n%s\\n" "$2" "$4" | sort -V | tail -n 1)" = "$2" ]\n'
FAKE_HELPER = '#!/bin/sh\ncp "$CONTENTS" "$3"\n'


def _contents(tmp_path: Path) -> Path:
    lines = ["usr/share/doc/x/copyright  doc/x\n"]
    for name, (_, files) in PACKAGES.items():
        lines += [f"usr/share/gocode/src/{path}  golang/{name}\n" for path in files]
    merged: dict[str, list[str]] = {}
    for line in lines:
        path, package = line.split()
        merged.setdefault(path, []).append(package)
    index = tmp_path / "Contents-all.gz"
    index.write_bytes(gzip.compress("".join(f"{p}  {','.join(s)}\n" for p, s in merged.items()).encode()))
    return index


def _run(tmp_path: Path, go_mod: str) -> subprocess.CompletedProcess[str]:
    tools, packages, sources, files = (tmp_path / d for d in ("bin", "packages", "src", "env/files"))
    for directory in (tools, sources, files):
        directory.mkdir(parents=True, exist_ok=True)
    for name, (version, shipped) in PACKAGES.items():
        for path, text in shipped.items():
            (packages / name / path).parent.mkdir(parents=True, exist_ok=True)
            (packages / name / path).write_text(text)
        (packages / f"{name}.version").write_text(f"Version: {version}\n")
    fakes = {
        "go": FAKE_GO,
        "apt-get": FAKE_APT_GET,
        "apt-cache": FAKE_APT_CACHE,
        "dpkg": FAKE_DPKG,
        "apt-helper": FAKE_HELPER,
    }
    for name, text in fakes.items():
        (tools / name).write_text(text)
        (tools / name).chmod(0o755)
    for name, text in (
        *debgo.step_files(go_mod),
        ("go.mod", go_mod),
    ):
        text = text.replace(debgo.SOURCES, str(sources)).replace("/usr/lib/apt/apt-helper", str(tools / "apt-helper"))
        (files / name).write_text(text)
    env = {
        **os.environ,
        "PATH": f"{tools}:{os.environ['PATH']}",
        "RFSN_ENV": str(tmp_path / "env"),
        "GOENV": str(tmp_path / "env" / "goenv"),
        "APT_SEEN": str(tmp_path / "apt.txt"),
        "PACKAGES": str(packages),
        "SOURCES": str(sources),
        "CONTENTS": str(_contents(tmp_path)),
    }
    return subprocess.run(["sh", debgo.SCRIPT_NAME], capture_output=True, text=True, cwd=files, env=env)


def test_unreachable_proxy_vendors_debians_packaged_modules(tmp_path: Path) -> None:
    done = _run(tmp_path, GO_MOD)
    assert done.returncode == 0, done.stdout + done.stderr
    installed = (tmp_path / "apt.txt").read_text().split()
    assert sorted(p for p in installed if p.startswith("golang-")) == [
        "golang-github-cespare-xxhash-dev",
        "golang-github-golang-protobuf-1-5-dev",
        "golang-github-google-go-cmp-dev",
        "golang-golang-x-text-dev",
    ]
    vendor = tmp_path / "env" / "vendor"
    assert (vendor / "modules.txt").read_text() == (
        "# github.com/google/go-cmp v0.6.0\n## explicit\ngithub.com/google/go-cmp/cmp\n"
        "# github.com/cespare/xxhash/v2 v2.3.0\n## explicit; go 1.11\ngithub.com/cespare/xxhash/v2\n"
        "# github.com/golang/protobuf v1.5.4\n## explicit\ngithub.com/golang/protobuf/proto\n"
        "# golang.org/x/text v0.14.0\n## explicit; go 1.17\ngithub.com/cespare/xxhash\n"
    )
    assert (vendor / "github.com/cespare/xxhash/v2/xxhash.go").is_file()
    assert (tmp_path / "env" / "goenv").read_text() == "GOFLAGS=-mod=vendor\n"
    assert "the versions Debian has, not go.mod's" in (tmp_path / "env" / "notes.txt").read_text()


def test_a_direct_requirement_debian_lacks_is_the_one_line_cause(tmp_path: Path) -> None:
    done = _run(tmp_path, GO_MOD.replace(")\n", "\tgithub.com/elastic/go-ucfg v0.8.8\n)\n"))
    assert done.returncode == 1
    assert step_error(done.stdout) == (
        "go mod download all: github.com/elastic/go-ucfg@v0.8.8: not in Debian's packaged Go sources, and no "
        "module proxy reachable (GOPROXY=https://proxy.golang.org,direct); the modules come only from the "
        "project's vendor/ offline: go mod vendor"
    )
    assert not (tmp_path / "env" / "goenv").exists()


def test_an_indirect_requirement_debian_lacks_is_listed_without_packages(tmp_path: Path) -> None:
    done = _run(tmp_path, GO_MOD.replace(")\n", "\tgithub.com/bytedance/sonic v1.15.2 // indirect\n)\n"))
    assert done.returncode == 0, done.stdout
    assert "# github.com/bytedance/sonic v1.15.2\n## explicit\n" in (tmp_path / "env/vendor/modules.txt").read_text()


@pytest.mark.skipif(shutil.which("go") is None, reason="needs go on the host")
def test_go_builds_and_tests_from_the_vendor_tree_with_another_modules_packages(tmp_path: Path) -> None:
    """A package of a module go.mod does not require (a Debian package's own dependency) is listed
    under a required module: go 1.17 and later refuse a vendored module go.mod does not require,
    go 1.23 and later import no vendored package modules.txt does not list."""
    sources, repo = tmp_path / "src", tmp_path / "m"
    for path, text in {
        "example.com/dep/go.mod": "module example.com/dep\n\ngo 1.18\n",
        "example.com/dep/dep.go": 'package dep\n\nimport "example.com/trans"\n\n'
        "func Max[T int | float64](a, b T) T {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b + T(trans.One)\n}\n",
        "example.com/trans/trans.go": "package trans\n\nconst One = 1\n",
        "example.com/dep/testdata/bad/bad.go": "package bad\n\nnot go\n",
    }.items():
        (sources / path).parent.mkdir(parents=True, exist_ok=True)
        (sources / path).write_text(text)
    go_mod = "module example.com/m\n\ngo 1.19\n\nrequire example.com/dep v1.2.3\n"
    repo.mkdir()
    (repo / "go.mod").write_text(go_mod)
    (repo / "m_test.go").write_text(
        'package m\n\nimport (\n\t"testing"\n\n\t"example.com/dep"\n)\n\n'
        "func TestMax(t *testing.T) {\n\tif dep.Max(1, 0) != 1 {\n\t\tt.Fatal(dep.Max(1, 0))\n\t}\n}\n"
    )
    for name, text in (
        (debgo.NAMES_FILE, debian_lines(go_mod)),
        (debgo.REPLACE_FILE, replace_lines(go_mod)),
        (govendor.SCRIPT_NAME, govendor.SCRIPT),
    ):
        (tmp_path / name).write_text(text)
    said = subprocess.run(["go", "version"], capture_output=True, text=True).stdout  # go version go1.19.8 linux/amd64
    local = said.split()[2].removeprefix("go")
    made = subprocess.run(["sh", govendor.SCRIPT_NAME, str(sources), str(tmp_path / "vendor"), local], cwd=tmp_path)
    assert made.returncode == 0
    listed = (tmp_path / "vendor" / "modules.txt").read_text()
    assert listed == "# example.com/dep v1.2.3\n## explicit; go 1.18\nexample.com/dep\nexample.com/trans\n"
    (repo / "vendor").symlink_to(tmp_path / "vendor")
    env = {**os.environ, "GOFLAGS": "-mod=vendor", "GOPROXY": "off", "GOCACHE": str(tmp_path / "cache")}
    ran = subprocess.run(["go", "test", "./..."], cwd=repo, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_a_module_goes_no_later_than_the_go_that_reads_it_and_a_directory_is_named(tmp_path: Path) -> None:
    """go refuses a vendored module of a later Go than its own; a requirement replaced by a
    directory of the project is no package of Debian's, and the cause says so."""
    (tmp_path / "src/example.com/new").mkdir(parents=True)
    (tmp_path / "src/example.com/new/go.mod").write_text("module example.com/new\n\ngo 1.99\n")
    (tmp_path / "src/example.com/new/n.go").write_text("package n\n")
    go_mod = "module m\n\ngo 1.21\n\nrequire (\n\texample.com/new v1.0.0\n\texample.com/here v0.0.0\n)\n"
    go_mod += "\nreplace example.com/here => ./here\n"
    for name, text in ((debgo.NAMES_FILE, debian_lines(go_mod)), (debgo.REPLACE_FILE, replace_lines(go_mod))):
        (tmp_path / name).write_text(text)
    (tmp_path / govendor.SCRIPT_NAME).write_text(govendor.SCRIPT)
    done = subprocess.run(
        ["sh", govendor.SCRIPT_NAME, str(tmp_path / "src"), str(tmp_path / "v"), "1.24.4"], cwd=tmp_path
    )
    assert done.returncode == 0
    assert (tmp_path / "v" / "modules.txt").read_text() == (
        "# example.com/new v1.0.0\n## explicit; go 1.24.4\nexample.com/new\n"
        "# example.com/here v0.0.0\n## explicit; go 1.24.4\n# example.com/here => ./here\n"
    )
    assert (tmp_path / govendor.MISSING_FILE).read_text() == (
        "example.com/here@v0.0.0: replaced by a directory of the project, which the build does not have\n"
    )
