"""Localization from the problem statement alone: what the text names, found and shown."""

from __future__ import annotations

from pathlib import Path

from rfsn.planners.patch.explore.mentions import MAX_SHOWN_LINES, pointed_to, render
from rfsn.planners.patch.explore.quotes import quoted
from rfsn.planners.reproduce.issue import messages

CONFIG = (
    '"""Configuration."""\n\n\nclass Config(dict):\n'
    "    def from_file(self, filename, load, silent=False):\n"
    "        with open(filename) as f:\n            obj = load(f)\n        return self.from_mapping(obj)\n\n"
    "    def from_mapping(self, mapping):\n        self.update(mapping)\n        return True\n"
)
FILES = {
    "app/__init__.py": "",
    "app/config.py": CONFIG,
    "app/helpers.py": "def get_root_path(name):\n    return name\n\n\ndef load(x):\n    return x\n",
    **{f"app/plugins/p{i}.py": f"def load(x):\n    return x + {i}\n\n\ndef run(v):\n    return v\n" for i in range(40)},
}


def names(text: str) -> list[tuple[str, str]]:
    return [(d.path, d.name) for d in pointed_to(text, FILES)]


def test_a_name_in_code_is_found_and_shown_whole() -> None:
    text = "Add a file mode parameter to `Config.from_file()`: tomllib needs the file opened in binary."
    found = pointed_to(text, FILES)
    assert (found[0].path, found[0].name) == ("app/config.py", "from_file")
    shown = render(found, FILES)
    assert "    5      def from_file(self, filename, load, silent=False):" in shown
    assert "    8          return self.from_mapping(obj)" in shown


def test_a_rare_name_outweighs_a_common_one() -> None:
    # `load` is defined 41 times, get_root_path once: the rare one leads
    assert names("load fails inside get_root_path")[0] == ("app/helpers.py", "get_root_path")


def test_a_traceback_frame_points_to_the_function_around_its_line() -> None:
    text = (
        'Traceback (most recent call last):\n  File "/usr/lib/site-packages/app/config.py", line 11, in helper\n'
        "TypeError: boom"
    )
    assert names(text)[0] == ("app/config.py", "from_mapping")


def test_a_dotted_path_and_a_file_name_point_into_their_module() -> None:
    assert names("app.config.Config.from_mapping returns True")[0] == ("app/config.py", "from_mapping")
    assert ("app/config.py", "Config") in names("see app/config.py: the Config class")


def test_nothing_named_nothing_shown() -> None:
    assert pointed_to("", FILES) == [] and pointed_to("It crashes sometimes.", FILES) == []
    assert render([], FILES) == ""


def test_a_long_definition_is_cut_and_the_budget_holds() -> None:
    long = "def huge():\n" + "".join(f"    x{i} = {i}\n" for i in range(200))
    files = {"m.py": long}
    shown = render(pointed_to("`huge` is slow", files), files)
    assert f"x{MAX_SHOWN_LINES - 2} = " in shown and f"x{MAX_SHOWN_LINES} = " not in shown
    assert "(141 more lines)" in shown
    assert render(pointed_to("`huge` is slow", files), files, max_chars=100) == ""


def test_the_reproduction_request_shows_the_code_and_a_test_that_uses_it() -> None:
    tests = {
        "tests/test_a.py": "def test_a():\n    assert 1\n",
        "tests/test_config.py": "from app.config import Config\n\ndef test_from_file(): ...\n",
    }
    prompt = messages("`Config.from_file` cannot open binary files", FILES, tests)[1].content
    assert "## Code the problem statement points to" in prompt
    assert "def from_file(self, filename, load, silent=False):" in prompt
    assert "## tests/test_config.py (an existing test of that code)" in prompt


def test_the_patch_request_adds_what_the_locations_do_not_show(tmp_path: Path) -> None:
    from rfsn.planners.base import RepairContext
    from rfsn.planners.localize import Location
    from rfsn.planners.patch.strategies.model import prompt

    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["tests/test_a.py::test_a"],
        passing=[],
        locations=[Location("app/config.py", 11, 1.0)],
        problem="`get_root_path` and `Config.from_mapping` disagree",
        files=FILES,
    )
    text = prompt(context)
    assert "## app/config.py (the function around suspicious line 11)" in text
    pointed = text.split("## Code the problem statement points to", 1)[1]
    assert "def get_root_path(name):" in pointed
    assert "### app/config.py: from_mapping" not in pointed  # already shown around the suspicious line


def test_files_a_problem_names_by_a_word_lead_the_repository_map() -> None:
    from rfsn.planners.patch.explore.mentions import files_named
    from rfsn.planners.patch.explore.repomap import repo_map

    files = {
        **FILES,
        "app/ext/autodoc/__init__.py": "def setup(app):\n    pass\n",
        "app/ext/autodoc/directive.py": "class AutodocDirective:\n    pass\n",
    }
    text = "autodoc shows the wrong signature"  # no definition named: the directory's name is a word
    named = files_named(text, files, pointed_to(text, files))
    assert named[:2] == ["app/ext/autodoc/__init__.py", "app/ext/autodoc/directive.py"]
    small = repo_map(files, max_chars=120, first=named)
    assert small.splitlines()[0] == "app/ext/autodoc/__init__.py"
    assert "app/plugins/p0.py" not in small  # past the budget: the alphabetical rest


def test_a_message_the_text_quotes_points_to_the_line_that_prints_it() -> None:
    options = (
        "def add_options(group):\n"
        + "".join(f"    group.add('--opt-{n}', help='option {n}')\n" for n in range(70))
        + "    group.add('--collect-only', '--collectonly', help='only collect')\n"
        + "".join(f"    group.add('--late-{n}')\n" for n in range(30))
    )
    compare = (
        "def compare_sequence(left, right):\n    explanation = []\n"
        "    if len(left) < len(right):\n"
        "        explanation.append('Right contains %d more items, first extra item: %s' % (n, right[0]))\n"
        "    return explanation\n"
    )
    files = {**FILES, "app/options.py": options, "app/compare.py": compare}
    # constant parts between format fields are quoted; the long function is shown around the line
    found = pointed_to("E   AssertionError\nE     Right contains more items, first extra item: 52", files)
    assert (found[0].path, found[0].name) == ("app/compare.py", "compare_sequence")
    found = pointed_to("I run `--collect-only` so often: give it a short form", files)
    assert (found[0].path, found[0].name) == ("app/options.py", "add_options")
    shown = render(found[:1], files)
    assert "group.add('--collect-only', '--collectonly', help='only collect')" in shown
    assert "    1  def add_options(group):" in shown and "--opt-0'" not in shown
    # a bare name in quotes is a name, not a message; a short string says nothing
    assert quoted("`compare_sequence` and 'only'", {"m.py": "x = 'compare_sequence'\ny = 'only'\n"}) == {}


def test_a_string_held_in_many_places_says_nothing_of_where() -> None:
    many = {f"m{n}.py": "raise Usage('no such option: %s' % name)\n" for n in range(4)}
    assert quoted("error: no such option: --co", many) == {}
    assert set(quoted("error: no such option: --co", dict(list(many.items())[:3]))) == {
        (f"m{n}.py", 1) for n in range(3)
    }
    # a statement kept as text (a doctest, a template) is code, not a message
    assert quoted("```\nfrom app import *\n```", {"m.py": "EXAMPLE = 'from app import *'\n"}) == {}


def test_a_link_to_a_line_points_to_the_function_around_it() -> None:
    text = (
        "5 minutes of debugging revealed it: "
        "https://github.com/org/app/blob/702bceaa/app/config.py#L11 updates in place"
    )
    assert names(text)[0] == ("app/config.py", "from_mapping")


def test_a_url_or_a_comment_the_text_happens_to_contain_is_not_a_quoted_message() -> None:
    files = {
        "release/fab.py": "def urls(main_url='https://github.com'):\n"
        "    return 'https://github.com/{}/app/blob/{}/'.format(main_url, 1)\n",
        "pkg/prde.py": "def heu(c):\n    # treat it as 'no solution', for now\n    return None\n",
    }
    text = "In case no solution is found... see https://github.com/org/app/blob/702bceaa/app/config.py"
    assert quoted(text, files) == {}


def test_a_docstring_line_that_starts_with_class_or_def_is_prose_not_a_definition() -> None:
    """sympy's quantum ``state.py`` says "class for all physical ... Kets" at the start of a
    docstring line: that is no definition of ``for``, and a problem's every "for" must not point
    there (sympy-20212's narrowed suite ran ``test_state.py`` for it)."""
    source = (
        'class Ket:\n    """The base\n    class for all kets, and\n    def when needed.\n    """\n\n\n'
        "def norm(k):\n    return k\n"
    )
    files = {"q/state.py": source, "q/other.py": "def when(x):\n    return x\n"}
    found = [(d.path, d.name) for d in pointed_to("for all kets the norm is wrong when it is zero", files)]
    assert ("q/state.py", "for") not in found and ("q/state.py", "when") not in found
    assert ("q/state.py", "norm") in found and ("q/other.py", "when") in found


def test_a_name_in_prose_outweighs_english_words_the_project_happens_to_define() -> None:
    """sympy-20212: "The documentation for the Pow class states that it should return zoo when
    the base is positive": ``Pow`` is defined once, and so are ``states`` and ``positive``; the
    English words tied with it and took the narrowed suite. A lowercase word of the prose counts
    half, unless the text calls it (``simplify(x)``) or quotes it as code."""
    files = {
        "core/power.py": "class Pow(Expr):\n    pass\n",
        "assumptions/ask.py": "def positive(x):\n    return x\n",
        "mechanics/system.py": "class System:\n    def states(self):\n        return 1\n",
        "core/simplify.py": "def simplify(e):\n    return e\n",
    }
    text = "The documentation for the Pow class states that it should return zoo when the base is positive."
    found = [(d.path, d.name) for d in pointed_to(text, files)]
    assert found[0] == ("core/power.py", "Pow"), found
    called = [(d.path, d.name) for d in pointed_to("it states that simplify(x) is positive", files)]
    assert called[0] == ("core/simplify.py", "simplify")
    quoted_ = [(d.path, d.name) for d in pointed_to("the Pow of it states that `positive` is wrong", files)]
    assert quoted_[0] == ("assumptions/ask.py", "positive")
