"""Reading a Python project's dependencies without running it; equal sets give equal recipes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rfsn.buildpacks.python import pydeps, pysetup
from rfsn.buildpacks.python.buildpack import PythonBuildpack


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def test_requirements_with_includes_hashes_and_options(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "requirements.txt": """
            # comment
            -r requirements/base.txt
            --requirement=requirements/extra.txt
            -rrequirements/more.txt
            -c constraints.txt
            requests==2.31.0 --hash=sha256:abc \\
                --hash=sha256:def
            -e .
            ./local/pkg
            git+https://example.invalid/x.git#egg=x
            --index-url https://example.invalid/simple
            six  # trailing comment
        """,
            "requirements/base.txt": "attrs>=22\n-r ../requirements.txt\n",
            "requirements/extra.txt": "idna\n",
            "requirements/more.txt": "-r ./more.txt\nurllib3<3\n",
            "constraints.txt": "never-installed==1\n",
        },
    )
    assert pydeps.collect(repo) == ["attrs>=22", "idna", "requests==2.31.0", "six", "urllib3<3"]


def test_pyproject_extras_groups_and_build_requires(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        [project]
        name = "Demo_Pkg"
        dependencies = ["Click>=8", "demo-pkg[cli]"]
        [project.optional-dependencies]
        test = ["pytest>=7", "Hypothesis"]
        docs = ["sphinx"]
        [dependency-groups]
        dev = ["ruff", {include-group = "test"}]
    """
        },
    )
    assert pydeps.collect(repo) == ["click>=8", "hypothesis", "pytest>=7", "ruff", "setuptools>=61"]
    assert pydeps.project_name(repo) == "demo-pkg"


def test_setup_py_literal_kwargs(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "setup.py": """
        from setuptools import setup
        EXTRA = ["not-literal"]
        setup(
            name="demo",
            python_requires=">=3.10",
            install_requires="numpy>=1.20\\nscipy",
            tests_require=["pytest"],
            extras_require={"testing": ["mock"], "docs": ["sphinx"], "dev": EXTRA},
            classifiers=[f"not {EXTRA}"],
        )
    """
        },
    )
    assert pydeps.collect(repo) == ["mock", "numpy>=1.20", "pytest", "scipy"]
    assert str(pydeps.requires_python(repo)) == ">=3.10"


def test_setup_py_kwargs_named_by_a_module_constant(tmp_path: Path) -> None:
    """``install_requires=INSTALL_REQUIRES`` (pytest 5's setup.py): the name's literal counts."""
    repo = make(
        tmp_path,
        {
            "setup.py": """
        from setuptools import setup
        INSTALL_REQUIRES = ["py>=1.5.0", "wcwidth"]
        def main():
            setup(name="demo", install_requires=INSTALL_REQUIRES)
        main()
    """
        },
    )
    assert pydeps.collect(repo) == ["py>=1.5.0", "wcwidth"]


def test_setup_cfg(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "setup.cfg": """
        [metadata]
        name = demo
        [options]
        python_requires = >=3.9
        install_requires =
            PyYAML>=6
            tomli; python_version < "3.11"
        [options.extras_require]
        test =
            pytest-cov
        docs = sphinx
    """
        },
    )
    assert pydeps.collect(repo) == ["pytest-cov", "pyyaml>=6", 'tomli; python_version < "3.11"']


def test_tox_ini_deps(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "tox.ini": """
        [tox]
        envlist = py311
        [testenv]
        deps =
            pytest>=7
            -rrequirements-nothere.txt
            {[base]deps}
            freezegun
        commands = pytest
    """
        },
    )
    assert pydeps.collect(repo) == ["freezegun", "pytest>=7"]


@pytest.mark.parametrize("name", ["requirements-tests.txt", "requirements/tests.txt", "requirements/testing.txt"])
def test_pinned_test_requirements_files_keep_their_pins(tmp_path: Path, name: str) -> None:
    repo = make(tmp_path, {name: "iniconfig==2.0.0\n"})
    assert pydeps.collect(repo) == ["iniconfig==2.0.0"]
    assert "iniconfig==2.0.0" in PythonBuildpack().env_recipe(repo).steps[1].split()


def test_unparseable_files_give_nothing(tmp_path: Path) -> None:
    repo = make(
        tmp_path, {"setup.py": "def broken(:\n", "pyproject.toml": "[[[nope", "setup.cfg": "no section header\n"}
    )
    assert pydeps.collect(repo) == []
    assert pydeps.requires_python(repo) is None


@pytest.mark.parametrize(
    "a, b",
    [
        ("requests>=2,<3\nPyYAML\n", "pyyaml\n# same set, other spelling and order\nRequests <3, >=2\n"),
        ("Foo_Bar[B,a]==1.0\n", "foo-bar[a,b] == 1.0\n"),
        ("pytest\nattrs\nattrs\n", "attrs\npytest\n"),
    ],
)
def test_equal_sets_give_equal_recipe_keys(tmp_path: Path, a: str, b: str) -> None:
    first = make(tmp_path / "a", {"requirements.txt": a})
    second = make(tmp_path / "b", {"requirements.txt": b})
    pack = PythonBuildpack()
    assert pydeps.collect(first) == pydeps.collect(second)
    assert pack.env_recipe(first).key() == pack.env_recipe(second).key()


def test_pyproject_and_requirements_with_the_same_set_share_an_image(tmp_path: Path) -> None:
    """...the same set in the same role: what installing the project needs (a test
    requirement may be left out of its image, an install one never)."""
    first = make(tmp_path / "a", {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["attrs", "pytest>=7"]\n'})
    second = make(tmp_path / "b", {"requirements.txt": "pytest >= 7\nattrs\n"})
    pack = PythonBuildpack()
    assert pack.env_recipe(first).key() == pack.env_recipe(second).key()


def test_different_sets_give_different_keys(tmp_path: Path) -> None:
    first = make(tmp_path / "a", {"requirements.txt": "attrs==23.1.0\n"})
    second = make(tmp_path / "b", {"requirements.txt": "attrs==23.2.0\n"})
    pack = PythonBuildpack()
    assert pack.env_recipe(first).key() != pack.env_recipe(second).key()


def test_python_version_follows_requires_python(tmp_path: Path) -> None:
    pack = PythonBuildpack()
    assert pack.python_version(make(tmp_path / "a", {"setup.cfg": "[options]\npython_requires = <3.10\n"})) == "3.9"
    assert pack.python_version(make(tmp_path / "b", {"requirements.txt": "x\n"})) == "3.11"


def test_a_hatchling_project_gets_what_its_editable_install_needs(tmp_path: Path) -> None:
    """hatchling builds editables with the `editables` package, which the offline session cannot fetch."""
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "p"\nversion = "1"\n'
    )
    assert pydeps.build_requirements(tmp_path) == ["hatchling", "hatch-vcs", "editables"]
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\n')
    assert pydeps.build_requirements(tmp_path) == ["setuptools"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "setup.py": 'from setuptools import setup\nsetup(name="p", install_requires=["six"],'
                ' extras_require={"test": ["pytest"]})\n'
            },
            False,
        ),
        ({"setup.py": 'from setuptools import setup\nREQS = ["six"]\nsetup(name="p", install_requires=REQS)\n'}, False),
        (
            {
                "setup.py": 'from setuptools import setup\nEXTRAS = {"a": ["six"], "b": []}\n'
                'EXTRAS["dev"] = EXTRAS["a"] + EXTRAS["b"]\nsetup(name="p", extras_require=EXTRAS)\n'
            },
            True,
        ),
        (
            {
                "setup.py": 'from setuptools import setup\nREQS = ["six"]\nREQS.append("idna")\n'
                'setup(name="p", install_requires=REQS)\n'
            },
            True,
        ),
        (
            {
                "setup.py": "from setuptools import setup\n"
                'setup(name="p", install_requires=open("r.txt").read().split())\n'
            },
            True,
        ),
        ({"setup.py": 'from setuptools import setup\nkw = dict(name="p")\nsetup(**kw)\n'}, True),
        ({"setup.py": 'import setuptools\nsetuptools.setup(name="p", version="1")\n'}, False),
        ({"setup.py": 'print "python 2"\n'}, False),
        ({"setup.cfg": "[options]\ninstall_requires = file: requirements.in\n"}, True),
        ({"setup.cfg": "[options]\ninstall_requires =\n    six\n"}, False),
        ({"pyproject.toml": '[project]\nname = "p"\ndynamic = ["version", "dependencies"]\n'}, True),
        ({"pyproject.toml": '[project]\nname = "p"\ndynamic = ["version"]\ndependencies = ["six"]\n'}, False),
        ({"requirements.txt": "six\n"}, False),
    ],
)
def test_dependencies_computed_by_the_metadata_are_recognised(
    tmp_path: Path, files: dict[str, str], expected: bool
) -> None:
    assert pysetup.dynamic(make(tmp_path, files)) is expected


def test_computed_dependencies_are_resolved_by_pip_in_the_build_at_the_commit(tmp_path: Path) -> None:
    """A project whose extras setup.py computes: the recipe builds from its commit and asks pip;
    one that declares them keeps one image per dependency set, whatever the commit."""
    import subprocess

    from rfsn.buildpacks.python.pipresolve import SCRIPT_NAME

    repo = make(
        tmp_path,
        {
            "setup.py": 'from setuptools import setup\nEXTRAS = {"a": ["six"]}\n'
            'EXTRAS["dev"] = EXTRAS["a"]\nsetup(name="p", extras_require=EXTRAS)\n'
        },
    )
    pack = PythonBuildpack()
    assert pack.env_recipe(repo).source == ""  # not a git checkout: nothing to build from
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c", "--allow-empty"],
        check=True,
    )
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    recipe = pack.env_recipe(repo)
    assert recipe.source == head and SCRIPT_NAME in dict(recipe.files)
    resolve, ask = recipe.steps[-2:]  # pip resolves the copy; its build backend is asked there; the copy goes
    assert "pipresolve.py" in resolve and "build_requires.py" in ask and "rm -rf $RFSN_ENV/src" in ask
    declared = make(
        tmp_path / "declared",
        {"setup.py": 'from setuptools import setup\nsetup(name="p", extras_require={"dev": ["six"]})\n'},
    )
    assert pack.env_recipe(declared).source == "" and len(pack.env_recipe(declared).steps) == 2


def test_a_name_declared_twice_is_given_to_pip_once_its_specifiers_merged(tmp_path: Path) -> None:
    """pip before 20.3 refuses a name given twice (markdown 2018: "Double requirement given:
    setuptools>=36.6 (already in setuptools>=36)"): each name reaches pip once, specifiers
    intersected, extras united, a URL kept, markers read for the environment's Python."""
    found = [
        (r, "x")
        for r in [
            "setuptools>=36",
            "SetupTools>=36.6",
            "foo[a]>1",
            "foo[b]<3",
            "mock; python_version < '3.3'",
            "bar @ https://h/bar.zip",
            "bar>1",
            "baz; python_version > '3'",
            "baz; sys_platform == 'linux'",
        ]
    ]
    assert pydeps.normalized(tmp_path, found, "3.6") == [
        "bar @ https://h/bar.zip",
        "baz",
        "foo[a,b]<3,>1",
        "setuptools>=36,>=36.6",
    ]
    # the Python unknown: a name once per marker, none evaluated
    assert pydeps.normalized(tmp_path, found) == [
        "bar @ https://h/bar.zip",
        'baz; python_version > "3"',
        'baz; sys_platform == "linux"',
        "foo[a,b]<3,>1",
        'mock; python_version < "3.3"',
        "setuptools>=36,>=36.6",
    ]


def test_the_recipe_gives_each_requirement_once(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='p', install_requires=['setuptools>=36'])\n"
    )
    (tmp_path / "requirements-dev.txt").write_text("setuptools>=36.6\npytest\n")
    recipe = PythonBuildpack().env_recipe(tmp_path)
    install = next(s for s in recipe.steps if "pytest" in s)
    first = install.split(" || ")[0]
    assert "'setuptools>=36,>=36.6'" in first and first.count("setuptools") == 1, install


def _required_and_optional(step: str) -> tuple[list[str], list[str]]:
    """The packages an install step (``pyenv.optional``) must install, and those it may leave out."""
    alone = step.split(" || { ", 1)[1].split(" && for p in ", 1)
    return alone[0].split(), alone[1].split("; do", 1)[0].split()


def test_what_requirements_txt_includes_pipfile_packages_and_setup_requires_are_install_requirements(
    tmp_path: Path,
) -> None:
    """Requirements of a file ``requirements.txt`` includes (``-r requirements/base.txt``), of
    Pipfile's ``[packages]`` and ``setup_requires`` were read as optional test requirements and
    silently left out when they failed to install (found in review): installing the project
    needs them."""
    repo = make(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "attrs\n",
            "requirements-dev.txt": "pytest\n",
            "Pipfile": '[packages]\nsix = "*"\n\n[dev-packages]\npytest-mock = "*"\n',
            "setup.cfg": "[metadata]\nname = p\n\n[options]\nsetup_requires =\n    cffi\n",
        },
    )
    assert ("attrs", "requirements/base.txt via requirements.txt") in pydeps.declared(repo)
    step = next(s for s in PythonBuildpack().env_recipe(repo).steps if "pytest-mock" in s)
    required, optional = _required_and_optional(step)
    assert {"attrs", "six", "cffi"} <= set(required), step
    assert {"pytest", "pytest-mock"} <= set(optional) and not {"attrs", "six", "cffi"} & set(optional), step


def test_requirements_txt_beside_a_complete_project_table_is_a_development_list_sortedcontainers_2024(
    tmp_path: Path,
) -> None:
    """sortedcontainers 2024: pyproject's ``[project]`` declares its dependencies (none) and its
    requirements.txt is the maintainer's tool list (blist, a C extension of 2014 that does not
    compile on Python 3.11); read as install requirements, blist's build failure ended the env
    build. Beside ``dependencies`` declared in full (PEP 621) the file is a development list;
    where ``dependencies`` is dynamic it may be what the build reads, and stays required."""
    pyproject = '[project]\nname = "p"\ndynamic = ["version"]\n'
    files = {"requirements.txt": "blist\npytest\n", "tox.ini": "[testenv]\ndeps = pytest-cov\n"}
    repo = make(tmp_path / "static", {**files, "pyproject.toml": pyproject})
    step = next(s for s in PythonBuildpack().env_recipe(repo).steps if "blist" in s)
    required, optional = _required_and_optional(step)
    assert "blist" in optional and "blist" not in required, step
    dynamic = make(
        tmp_path / "dynamic", {**files, "pyproject.toml": pyproject.replace('"version"', '"version", "dependencies"')}
    )
    step = next(s for s in PythonBuildpack().env_recipe(dynamic).steps if "blist" in s)
    assert "blist" in _required_and_optional(step)[0], step


def test_requirements_txt_beside_a_literal_install_requires_is_a_development_list_sortedcontainers_2022(
    tmp_path: Path,
) -> None:
    """sortedcontainers 2022: setup.py says ``install_requires=[]`` and requirements.txt is the
    maintainer's tool list (pyannote-banyan, a C++ extension that gcc 10 does not compile); read
    as install requirements, its build failure ended the env build. A literal ``install_requires``
    of setup.py or setup.cfg, an empty one too, is the whole list; one read from a file is not."""
    files = {"requirements.txt": "blist\npytest\n"}
    setups = {
        "setup.py": {"setup.py": "from setuptools import setup\nsetup(name='p', install_requires=[])\n"},
        "setup.cfg": {"setup.cfg": "[metadata]\nname = p\n\n[options]\ninstall_requires =\n    six\n"},
    }
    for name, setup in setups.items():
        repo = make(tmp_path / name, {**files, **setup})
        step = next(s for s in PythonBuildpack().env_recipe(repo).steps if "blist" in s)
        required, optional = _required_and_optional(step)
        assert "blist" in optional and "blist" not in required, (name, step)
        assert f"requirements.txt (development: {name} install_requires declares" in pydeps.provenance(
            pydeps.declared(repo)
        )
    read = "from setuptools import setup\nsetup(name='p', install_requires=open('requirements.txt').read().split())\n"
    from_file = make(tmp_path / "from-file", {**files, "setup.py": read})
    step = next(s for s in PythonBuildpack().env_recipe(from_file).steps if "blist" in s)
    assert " || " not in step, step  # all required: none may be left out


def test_the_extras_tox_installs_the_project_with_are_test_requirements_pyparsing_2020(tmp_path: Path) -> None:
    """pyparsing 2020's tox installs it with `extras=diagrams` (railroad-diagrams, jinja2), which
    its test_diagram.py imports; an extra of another env's factor is not."""
    repo = make(
        tmp_path,
        {
            "tox.ini": """
        [tox]
        envlist = py{36,37}
        [testenv]
        deps = coverage
        extras =
            diagrams
            py27: legacy
        [testenv:py37]
        extras = more, other
    """,
            "setup.py": """
        from setuptools import setup
        setup(name="p", extras_require={"diagrams": ["railroad-diagrams", "jinja2"], "legacy": ["six"],
                                        "more": ["attrs"], "docs": ["sphinx"]})
    """,
        },
    )
    assert sorted(r for r, _ in pydeps.declared(repo, "3.6")) == ["coverage", "jinja2", "railroad-diagrams"]
    assert sorted(r for r, _ in pydeps.declared(repo, "3.7")) == ["attrs", "coverage", "jinja2", "railroad-diagrams"]


def test_a_flit_project_of_2020_gets_what_its_flit_metadata_requires_starlette_2020(tmp_path: Path) -> None:
    """A 2020 flit project (`[tool.flit.metadata] requires`) got flit and nothing it declares: its
    tests failed with ModuleNotFoundError for the framework it is built on."""
    repo = make(
        tmp_path,
        {
            "pyproject.toml": """
        [build-system]
        requires = ["flit_core >=2,<4"]
        build-backend = "flit_core.buildapi"
        [tool.flit.metadata]
        module = "webapp"
        requires-python = ">=3.6"
        requires = ["starlette >=0.13", "pydantic"]
        [tool.flit.metadata.requires-extra]
        test = ["pytest-asyncio", "requests"]
        doc = ["mkdocs"]
    """
        },
    )
    assert sorted(r for r, _ in pydeps.declared(repo)) == [
        "flit_core >=2,<4",
        "pydantic",
        "pytest-asyncio",
        "requests",
        "starlette >=0.13",
    ]
    assert str(pydeps.requires_python(repo)) == ">=3.6"
    step = next(s for s in PythonBuildpack().env_recipe(repo).steps if "starlette" in s)
    required, optional = _required_and_optional(step)
    assert {"'starlette>=0.13'", "pydantic"} <= set(required), step
    assert {"pytest-asyncio", "requests"} <= set(optional) and "mkdocs" not in step, step


def test_native_tox_configuration_deps_and_extras_are_test_requirements(tmp_path: Path) -> None:
    """A current project at HEAD keeps its test tools in native `[tool.tox.env_run_base]`: pytest
    stopped with a usage error (its addopts need plugins never installed)."""
    repo = make(
        tmp_path / "native",
        {
            "pyproject.toml": """
        [project]
        name = "svc"
        dependencies = ["httpx"]
        [project.optional-dependencies]
        http3 = ["aioquic"]
        docs = ["sphinx"]
        [tool.tox]
        env_list = ["3.13", "3.12"]
        [tool.tox.env_run_base]
        deps = ["pytest-timeout", "pytest-asyncio>=0.23", "-r requirements-extra.txt"]
        extras = ["http3"]
    """
        },
    )
    assert sorted(pydeps.declared(repo)) == [
        ("aioquic", "pyproject.toml test extras"),
        ("httpx", "pyproject.toml dependencies"),
        ("pytest-asyncio>=0.23", "pyproject.toml [tool.tox] env_run_base deps"),
        ("pytest-timeout", "pyproject.toml [tool.tox] env_run_base deps"),
    ]
    both = make(
        tmp_path / "both",
        {"tox.ini": "[tox]\nenvlist = py311\n", "tox.toml": '[env_run_base]\ndeps = ["never-read"]\n'},
    )
    assert pydeps.declared(both) == []  # tox reads its ini configuration, not the TOML one
