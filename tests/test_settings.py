"""Settings are bounded and checked whole when they load: a bad value is one line naming the
setting and the accepted form (exit 2 at the CLI), before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rfsn.errors import ConfigError
from rfsn.gate.policy import GatePolicy
from rfsn.settings import load_settings
from rfsn.settings.values import parse_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RFSN_PIDS", "0"),
        ("RFSN_PIDS", "-5"),
        ("RFSN_PIDS", "-1"),
        ("RFSN_CPUS", "0"),
        ("RFSN_CPUS", "-1"),
        ("RFSN_CPUS", "nan"),
        ("RFSN_CPUS", "inf"),
        ("RFSN_MEMORY", "0"),
        ("RFSN_MEMORY", "-1"),
        ("RFSN_MEMORY", "1k"),
        ("RFSN_TMP_SIZE", "0"),
        ("RFSN_TMP_SIZE", "-1"),
        ("RFSN_FILE_SIZE", "0"),
        ("RFSN_FILE_SIZE", "-1"),
        ("RFSN_FILE_SIZE", "unlimited"),
        ("RFSN_TEST_TIMEOUT", "inf"),
        ("RFSN_SETUP_TIMEOUT", "0"),
        ("RFSN_LLM__TIMEOUT", "nan"),
    ],
)
def test_a_value_that_would_remove_a_sandbox_limit_is_an_error_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """RFSN_PIDS=0 or -5 left the container without a PidsLimit, RFSN_CPUS=0 made NanoCpus 0
    (no CPU limit): every limit is bounded, and a value outside the bounds names its setting."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable) as raised:
        load_settings()
    assert "\n" not in str(raised.value)


LIMITS = {
    "RFSN_PIDS": "pids",
    "RFSN_CPUS": "cpus",
    "RFSN_MEMORY": "memory",
    "RFSN_TMP_SIZE": "tmp_size",
    "RFSN_FILE_SIZE": "file_size",
}
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**40), 2**50).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.tuples(st.integers(-5, 5000), st.sampled_from(["", "k", "m", "g", "t", "b", "mb"])).map(
        lambda pair: f"{pair[0]}{pair[1]}"
    ),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(variable=st.sampled_from(sorted(LIMITS)), value=VALUES)
def test_any_value_of_a_limit_is_a_limit_in_bounds_or_one_line_naming_it(variable: str, value: str) -> None:
    """Whatever a CI system sets, a container limit is never switched off: the value loads as a
    positive limit, or is refused in one line naming the variable."""
    if "\x00" in value:
        return  # no environment variable can hold NUL
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(variable, value)
            loaded = getattr(load_settings(), LIMITS[variable])
    except ConfigError as exc:
        assert variable in str(exc) and "\n" not in str(exc)
        return
    amount = loaded if isinstance(loaded, (int, float)) else parse_bytes(loaded)
    assert amount >= (16 if variable == "RFSN_PIDS" else 0.01 if variable == "RFSN_CPUS" else 2**20)


def test_a_size_that_is_not_one_names_the_setting_and_the_accepted_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """RFSN_FILE_SIZE=banana said "could not convert string to float", naming nothing."""
    monkeypatch.setenv("RFSN_FILE_SIZE", "banana")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value) == (
        "invalid setting file_size (RFSN_FILE_SIZE): 'banana' is not a size: "
        "a number with an optional k, m or g suffix (e.g. 4g)"
    )


def test_sizes_in_bounds_are_read_as_docker_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RFSN_MEMORY", "1.5g")
    monkeypatch.setenv("RFSN_PIDS", "16")
    monkeypatch.setenv("RFSN_CPUS", "0.5")
    settings = load_settings()
    assert parse_bytes(settings.memory) == 3 * 2**29
    assert (settings.pids, settings.cpus) == (16, 0.5)
    assert parse_bytes("64mb") == parse_bytes("64M") == 64 * 2**20
    assert parse_bytes("1024") == 1024 and parse_bytes("1.5gb") == int(1.5 * 2**30)


@pytest.mark.parametrize("value", ["1t", "2p", "g", "infm", "nanm", " "])
def test_a_size_docker_does_not_read_is_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """A size is read as Docker reads it: a unit it has no name for (t, p) is not a size, nor
    is a number that is none (inf, nan) or nothing."""
    monkeypatch.setenv("RFSN_MEMORY", value)
    with pytest.raises(ConfigError, match=r"^invalid setting memory \(RFSN_MEMORY\): .* is not a size"):
        load_settings()


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_rfsn_config_naming_no_file_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    """RFSN_CONFIG naming a missing file or a directory was ignored: the defaults ran instead."""
    path = tmp_path / "nothing.toml"
    if kind == "directory":
        path.mkdir()
    monkeypatch.setenv("RFSN_CONFIG", str(path))
    with pytest.raises(
        ConfigError,
        match=f"RFSN_CONFIG names {path}, which {'is a directory' if kind == 'directory' else 'does not exist'}",
    ):
        load_settings()


@pytest.mark.parametrize("inside", [False, True], ids=["the_file", "below_it"])
def test_rfsn_home_naming_a_file_is_an_error_naming_the_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, inside: bool
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    monkeypatch.setenv("RFSN_HOME", str(afile / "sub" if inside else afile))
    with pytest.raises(ConfigError, match=f"RFSN_HOME.*{afile}.* is a file") as raised:
        load_settings()
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("home", ["/proc/rfsn-home", "/sys/rfsn-home"])
def test_rfsn_home_that_cannot_be_made_is_an_error_naming_the_path_and_the_cause(
    monkeypatch: pytest.MonkeyPatch, home: str
) -> None:
    """RFSN_HOME=/proc/x was a traceback from the first mkdir, deep in a command."""
    monkeypatch.setenv("RFSN_HOME", home)
    with pytest.raises(ConfigError, match=f"RFSN_HOME.*cannot make the directory {home}: ") as raised:
        load_settings()
    assert "\n" not in str(raised.value)


def test_a_gate_policy_with_an_unknown_key_is_one_line_naming_the_key_and_the_file(tmp_path: Path) -> None:
    """An unknown key printed pydantic's multi-line dump."""
    config = tmp_path / "rfsn.toml"
    config.write_text("[gate]\nmax_arg = 3\n")
    with pytest.raises(ConfigError) as raised:
        GatePolicy.from_toml(config)
    assert str(raised.value) == f"invalid [gate] policy in {config}: max_arg: unknown key"


def test_a_gate_tier_that_is_not_one_is_refused_as_the_policy_loads(tmp_path: Path) -> None:
    config = tmp_path / "rfsn.toml"
    config.write_text('[gate]\ntier = "huge"\n')
    with pytest.raises(ConfigError, match=f"in {config}: tier: gate tier 'huge' is not one of large, medium"):
        GatePolicy.from_toml(config)


def rfsn(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "RFSN_HOME": str(cwd / "home"), **env}
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        ["repair", "repo", "--sandbox", "local", "--out", "out"],
        ["test", "repo", "--sandbox", "local"],
        ["buildpacks", "detect", "repo"],
    ],
)
def test_the_gate_table_is_checked_by_every_command_before_anything_runs(tmp_path: Path, command: list[str]) -> None:
    """A [gate] table with an unknown key was accepted by the commands that do not use it, and
    `repair` found it only after its sandbox had started."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "test_x.py").write_text("def test_x():\n    pass\n")
    (tmp_path / "rfsn.toml").write_text("[gate]\nbogus = 1\n")
    result = rfsn(*command, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == "rfsn: error: invalid [gate] policy in rfsn.toml: bogus: unknown key\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("variable", "value"), [("RFSN_PIDS", "0"), ("RFSN_CPUS", "0"), ("RFSN_FILE_SIZE", "banana")])
def test_a_bad_limit_stops_the_command_with_one_line_and_exit_2(tmp_path: Path, variable: str, value: str) -> None:
    (tmp_path / "repo").mkdir()
    result = rfsn("test", "repo", "--sandbox", "local", cwd=tmp_path, **{variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith("rfsn: error: invalid setting ") and variable in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_value_its_source_cannot_parse_is_a_config_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library raised pydantic-settings' own SettingsError for RFSN_LLM='{not json' (its
    docstring promised ConfigError), and the CLI named it unlike every other setting."""
    monkeypatch.setenv("RFSN_LLM", "{not json")
    with pytest.raises(
        ConfigError, match=r"^invalid setting llm \(RFSN_LLM\): RFSN_LLM:1: invalid JSON: Expecting property name"
    ):
        load_settings()


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:5000/rfsn",
        "127.0.0.1/rfsn",
        "127.0.0.1:0/rfsn",
        "127.0.0.1:65536",
        "host:5000/Upper",
        "host:5000/a//b",
        "host:5000/-a",
    ],
)
def test_a_registry_that_is_not_host_port_prefix_names_the_setting_and_the_form(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFSN_REGISTRY", value)
    with pytest.raises(
        ConfigError,
        match=r"^invalid setting registry \(RFSN_REGISTRY\): .* is not "
        r"HOST:PORT/PREFIX",
    ):
        load_settings()


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("127.0.0.1:5000/rfsn/", "127.0.0.1:5000/rfsn"),
        ("reg.example:443", "reg.example:443"),
        ("[::1]:5000/a.b/c_d", "[::1]:5000/a.b/c_d"),
        ("", None),
    ],
)
def test_a_registry_in_the_form_is_read_as_docker_names_it(
    value: str, read: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFSN_REGISTRY", value)
    assert load_settings().registry == read
