"""A repository no buildpack recognises is refused with what rfsn saw in it: the folder a
buildpack does recognise (a project in a subfolder), or, when it holds no source code at all
(an archived repository whose code moved), its files and its README's first line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from rfsn.cli import main


def _committed(repo: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    return repo


def _error(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()[-1]


def test_an_archived_repository_says_it_holds_no_source_and_what_its_readme_says_python_api_common_protos_head(
    tmp_path: Path,
) -> None:
    """It was refused with 'no buildpack recognises this repository' and no word of why: at
    HEAD the repository held four files, its README saying the code had moved."""
    repo = _committed(
        tmp_path / "repo",
        {
            "README.rst": ":**NOTE**: **This repository is archived. Its code moved to** `elsewhere`_.\n\nTitle\n",
            "LICENSE": "license\n",
            ".repo-metadata.json": "{}\n",
        },
    )
    line = _error("test", str(repo), "--sandbox", "local")
    assert "no buildpack recognises this repository (it holds 3 file(s) and no source code:" in line
    assert ".repo-metadata.json, LICENSE, README.rst" in line
    assert "README.rst begins: 'NOTE This repository is archived. Its code moved to elsewhere .'" in line
    assert line.endswith("choose one with --buildpack NAME or give the test command with --test-cmd")


def test_a_project_in_a_folder_names_the_folder_a_buildpack_recognises(tmp_path: Path) -> None:
    repo = _committed(
        tmp_path / "repo",
        {
            "README.md": "# a monorepo\n",
            "pkg/pyproject.toml": '[project]\nname = "pkg"\nversion = "1"\n',
            "pkg/tests/test_a.py": "def test_a():\n    pass\n",
            "docs/index.md": "docs\n",
        },
    )
    line = _error("buildpacks", "detect", str(repo))
    assert "(the project is not at its top: python recognises its folder pkg/ (pyproject.toml present" in line


def test_a_repository_of_source_no_buildpack_knows_says_nothing_more(tmp_path: Path) -> None:
    repo = _committed(tmp_path / "repo", {"main.c": "int main(void) { return 0; }\n"})
    line = _error("test", str(repo), "--sandbox", "local")
    assert line == (
        "rfsn: error: no buildpack recognises this repository: "
        "choose one with --buildpack NAME or give the test command with --test-cmd"
    )


def test_a_readme_linked_to_a_host_file_is_not_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "host-secret"
    secret.write_text("TOKEN words of the host\n")
    repo = _committed(tmp_path / "repo", {"LICENSE": "license\n"})
    (repo / "README.md").symlink_to(secret)
    line = _error("test", str(repo), "--sandbox", "local")
    assert "no source code" in line and "TOKEN" not in line
