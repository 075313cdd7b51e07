"""A sandbox's scratch directory goes with the sandbox, closed or not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rfsn.sandbox.fake import FakeSandbox
from rfsn.sandbox.local import LocalSandbox


def test_a_scratch_directory_is_removed_when_its_unclosed_sandbox_is_collected(tmp_path: Path) -> None:
    fake, local = FakeSandbox(tmp_path), LocalSandbox(tmp_path, None, {}, "2g")
    scratches = [fake.scratch, local.scratch]
    assert all(path.is_dir() for path in scratches)
    del fake, local
    assert not any(path.exists() for path in scratches)


def test_a_scratch_directory_is_removed_when_the_process_exits_without_closing(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from rfsn.sandbox.fake import FakeSandbox; "
        "box = FakeSandbox(Path(sys.argv[1])); print(box.scratch)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert not Path(out.strip()).exists()


def test_close_removes_the_scratch_directory_at_once(tmp_path: Path) -> None:
    box = FakeSandbox(tmp_path)
    box.close()
    assert not box.scratch.exists()
    box.close()
