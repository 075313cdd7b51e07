"""The fetch step's one line when no module proxy is reachable, run by a real shell on what go
prints offline (rabbitmq/amqp091-go at HEAD ended on a DNS error)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rfsn.buildpacks.offline import GO, fetch_step
from rfsn.buildpacks.steplog import step_error, step_name

GO_OFFLINE = (
    "go: downloading go.uber.org/goleak v1.3.0\n"
    'go: go.uber.org/goleak@v1.3.0: Get "https://proxy.golang.org/go.uber.org/goleak/@v/v1.3.0.info": '
    "dial tcp: lookup proxy.golang.org on 10.255.255.53:53: no such host\n"
)


def _run(tmp_path: Path, step: str, said: str, code: int) -> subprocess.CompletedProcess[str]:
    (tmp_path / "said.txt").write_text(said)
    (tmp_path / "tool").write_text(f"#!/bin/sh\ncat {tmp_path / 'said.txt'}\nexit {code}\n")
    (tmp_path / "tool").chmod(0o755)
    return subprocess.run(["sh", "-c", f"set -e; {step}"], capture_output=True, text=True, cwd=tmp_path)


def test_go_offline_names_the_module_and_the_unreachable_proxy(tmp_path: Path) -> None:
    done = _run(tmp_path, fetch_step(GO, "./tool", "GOPROXY=https://proxy.golang.org,direct"), GO_OFFLINE, 1)
    assert done.returncode == 1 and done.stdout.startswith(GO_OFFLINE)
    assert step_error(done.stdout) == (
        "go.uber.org/goleak@v1.3.0: no module proxy reachable "
        "(GOPROXY=https://proxy.golang.org,direct); the modules come only from the project's vendor/ "
        "offline: go mod vendor"
    )


def test_the_step_is_named_by_the_fetch_alone() -> None:
    """The first sweep's line began "go mod download all 2>&1) && %s\\n $out | sed -nE ...": the
    step's name held the shell around the command."""
    step = fetch_step(GO, "GOFLAGS=-mod=mod GOPROXY=x go mod download all", "GOPROXY=x")
    assert step_name(f"cd $RFSN_ENV/files && {step}") == "go mod download all"


def test_another_failure_keeps_the_tools_own_line_and_success_its_output(tmp_path: Path) -> None:
    other = "go: example.com/m@v1.0.0: verifying go.mod: checksum mismatch\n"
    done = _run(tmp_path, fetch_step(GO, "./tool", "GOPROXY=x"), other, 1)
    assert done.returncode == 1 and "rfsn: cause" not in done.stdout
    ok = _run(tmp_path, fetch_step(GO, "./tool", "GOPROXY=x"), "fetched\n", 0)
    assert ok.returncode == 0 and ok.stdout == "fetched\n"
