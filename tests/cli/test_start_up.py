"""A command imports its own module, not every command's: ``rfsn test`` starts without the repair
controller, the batch executors and the gate's rules, and the help still lists every command."""

from __future__ import annotations

import subprocess
import sys

from rfsn.cli import COMMANDS
from tests.paths import ROOT

#: a module of each command's own, and what each command must not load to start
OWN = {"test": "rfsn.cli.test_cmd", "repair": "rfsn.cli.repair_cmd", "batch": "rfsn.cli.batch_cmd"}
OTHERS = ("rfsn.controller.session", "rfsn.batch.executors", "rfsn.cli.evaluate_cmd", "rfsn.gate.gate")


def loaded(*argv: str) -> set[str]:
    """The rfsn modules loaded by ``rfsn ARGV``, run in a process of its own."""
    script = (
        "import sys\nfrom rfsn.cli import main\n"
        f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in sys.modules if m.startswith('rfsn.')), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(proc.stderr.splitlines()[-1].split())


def test_rfsn_test_loads_neither_the_repair_controller_nor_the_batch_executors() -> None:
    modules = loaded("test", "--help")
    assert OWN["test"] in modules
    assert not modules & {*OTHERS, OWN["repair"], OWN["batch"]}


def test_the_help_lists_every_command_and_a_typo_is_told_the_nearest() -> None:
    proc = subprocess.run([sys.executable, "-m", "rfsn", "--help"], capture_output=True, text=True, cwd=ROOT)
    listed = proc.stdout.split("Commands:", 1)[1].split()
    assert proc.returncode == 0 and set(COMMANDS) <= set(listed)
    typo = subprocess.run([sys.executable, "-m", "rfsn", "tset"], capture_output=True, text=True, cwd=ROOT)
    assert typo.returncode == 2 and "Did you mean 'test'?" in typo.stderr


def test_each_command_is_defined_in_the_module_it_is_listed_under() -> None:
    from rfsn.cli import main

    for name in COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
