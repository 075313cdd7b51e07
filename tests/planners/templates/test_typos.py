from rfsn.planners.patch.templates.python.typos import one_edit
from tests.planners.templates.helpers import dedent, line_of, patched

COMPLETION = """
def install(shell: str, prog_name: str, complete_var: str) -> str:
    if shell == "zsh":
        return f'eval "$({complete_var}=source_szh {prog_name})"'
    return f'eval "$({complete_var}=source_bash {prog_name})"'
"""

EXPORTS = """
__all__ = ['vcs', 'get_source_requirement']

def get_src_requirement(dist, location):
    return dist, location
"""


def test_one_edit_adds_drops_changes_or_swaps_one_letter():
    assert one_edit("szh", "zsh") and one_edit("path", "paths") and one_edit("paths", "path")
    assert one_edit("rpid", "rpad") and not one_edit("rpid", "rpid")
    assert not one_edit("source", "src") and not one_edit("abcd", "badc")


def test_a_misspelt_word_of_an_f_string_the_file_writes_elsewhere_as_typer_c304d80d():
    fixed = dedent(COMPLETION).replace("source_szh", "source_zsh")
    assert patched(COMPLETION, line_of(COMPLETION, "source_szh"), "string_word_typo") == [fixed]


def test_words_without_a_near_word_in_the_module_are_left_alone():
    assert patched(COMPLETION, line_of(COMPLETION, "source_bash"), "string_word_typo") == []
    assert patched(EXPORTS, line_of(EXPORTS, "def get_src"), "string_word_typo") == []


def test_a_string_naming_nothing_defined_becomes_the_most_similar_defined_name_as_pip_78394430():
    fixed = dedent(EXPORTS).replace("'get_source_requirement'", "'get_src_requirement'")
    assert patched(EXPORTS, line_of(EXPORTS, "__all__"), "string_defined_name") == [fixed]


def test_strings_that_name_defined_things_or_are_unlike_any_are_left_alone():
    assert patched(EXPORTS.replace("get_source_", "get_src_"), 2, "string_defined_name") == []
    assert patched(COMPLETION, line_of(COMPLETION, "source_szh"), "string_defined_name") == []
