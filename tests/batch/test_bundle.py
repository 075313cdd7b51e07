"""A task's outputs carried back to the driver: whole, bounded, and never outside their place."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from rfsn.batch.bundle import pack, unpack
from rfsn.errors import OutputError


def _outputs(root: Path) -> Path:
    (root / "session").mkdir(parents=True)
    (root / "session" / "trajectory.jsonl").write_text('{"step": 1}\n')
    (root / "session" / "trajectory.jsonl").chmod(0o644)
    (root / "result.json").write_text("{}")
    (root / "result.json").chmod(0o600)
    return root


def test_outputs_arrive_whole_with_their_modes(tmp_path: Path) -> None:
    data = pack(_outputs(tmp_path / "node"))
    dest = tmp_path / "driver" / "inst-1"
    unpack(data, dest)
    assert (dest / "session" / "trajectory.jsonl").read_text() == '{"step": 1}\n'
    assert (dest / "session" / "trajectory.jsonl").stat().st_mode & 0o777 == 0o644
    assert (dest / "result.json").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in dest.parent.iterdir()) == ["inst-1"]  # no staging left behind


def test_a_new_attempt_replaces_the_earlier_attempts_outputs(tmp_path: Path) -> None:
    dest = tmp_path / "inst-1"
    (dest / "old-session").mkdir(parents=True)
    (dest / "error.log").write_text("an earlier attempt")
    unpack(pack(_outputs(tmp_path / "node")), dest)
    assert sorted(p.name for p in dest.iterdir()) == ["result.json", "session"]


def test_a_file_over_the_limit_keeps_its_end_and_says_so(tmp_path: Path) -> None:
    node = tmp_path / "node"
    node.mkdir()
    (node / "run_instance.log").write_text("x" * 5000 + "the reason at the end\n")
    dest = tmp_path / "inst"
    unpack(pack(node, limit=100), dest)
    text = (dest / "run_instance.log").read_text()
    assert text.startswith("[rfsn: the first 4922 bytes of this file were cut")
    assert text.endswith("the reason at the end\n") and len(text) < 300


def test_all_the_files_together_stay_within_the_total_the_largest_cut_first(tmp_path: Path) -> None:
    """A task's outputs are bounded as a whole, not only file by file: under the total the
    small files arrive whole and the largest keep equal ends, each saying it was cut."""
    node = tmp_path / "node"
    (node / "session").mkdir(parents=True)
    (node / "result.json").write_text("{}")
    (node / "session" / "trajectory.jsonl").write_text("t" * 30_000 + "last step\n")
    (node / "test_output.txt").write_text("o" * 20_000 + "last line\n")
    dest = tmp_path / "inst"
    unpack(pack(node, limit=40_000, total=10_000), dest)
    files = {p.relative_to(dest).as_posix(): p.read_text() for p in dest.rglob("*") if p.is_file()}
    assert sum(len(text) for text in files.values()) <= 10_000
    assert files["result.json"] == "{}"
    for name, end in (("session/trajectory.jsonl", "last step\n"), ("test_output.txt", "last line\n")):
        assert files[name].startswith("[rfsn: the first ") and files[name].endswith(end)
        assert len(files[name]) > 4000  # an equal share of what is left, not nothing


def test_no_outputs_make_an_empty_directory(tmp_path: Path) -> None:
    unpack(pack(tmp_path / "missing"), tmp_path / "inst")
    assert list((tmp_path / "inst").iterdir()) == []


def test_a_bundle_naming_a_path_outside_its_place_writes_nothing(tmp_path: Path) -> None:
    """A member ``../evil`` (a worker's bundle is input) is refused; the earlier outputs stay."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../evil")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    dest = tmp_path / "out" / "inst"
    dest.mkdir(parents=True)
    (dest / "report.json").write_text("{}")
    with pytest.raises(OutputError, match="cannot write"):
        unpack(buffer.getvalue(), dest)
    assert not (tmp_path / "out" / "evil").exists()
    assert os.listdir(tmp_path / "out") == ["inst"] and (dest / "report.json").read_text() == "{}"


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_a_bundle_with_a_link_writes_nothing(tmp_path: Path, kind: bytes) -> None:
    """A link in a bundle (``pack`` never writes one) is refused whatever the Python's tarfile
    filters, so a later member cannot be written through it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo("out")
        link.type, link.linkname = kind, str(tmp_path / "elsewhere")
        tar.addfile(link)
    dest = tmp_path / "inst"
    with pytest.raises(OutputError, match="not a plain file"):
        unpack(buffer.getvalue(), dest)
    assert not dest.exists() and not (tmp_path / "elsewhere").exists()
