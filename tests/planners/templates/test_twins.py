from tests.planners.templates.helpers import dedent, line_of, patched

SRC = """
import click


def get_click_param(info, name):
    if info.is_argument:
        return click.Argument(
            [name],
            required=info.required,
            envvar=info.envvar,
            shell_complete=info.shell_complete,
            metavar=info.metavar,
        )
    return click.Option(
        [name],
        required=info.required,
        envvar=info.envvar,
        metavar=info.metavar,
    )
"""


def test_a_keyword_its_twin_call_passes_as_typer_dcb45b1a_fixed_the_option():
    fixed = dedent(SRC).replace(
        "envvar=info.envvar,\n        metavar",
        "envvar=info.envvar, shell_complete=info.shell_complete,\n        metavar",
    )
    assert fixed in patched(SRC, line_of(SRC, "return click.Option"), "twin_keyword")


def test_a_twin_keyword_whose_value_is_out_of_scope_is_not_offered():
    src = SRC.replace("shell_complete=info.shell_complete", "shell_complete=other.complete")
    assert patched(src, line_of(src, "return click.Option"), "twin_keyword") == []
