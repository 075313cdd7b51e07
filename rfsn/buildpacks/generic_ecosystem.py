"""The generic ecosystem: the commands the gate allows with every buildpack, and the languages and
test conventions of projects no pack of its own builds (C and its kin, Ruby, Swift, ...)."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import CONTROL, Ecosystem, GateRules, Language, TestConventions

_C_WORDS = frozenset(
    [
        "NULL",
        "auto",
        "bool",
        "char",
        "class",
        "const",
        "delete",
        "do",
        "double",
        "enum",
        "extern",
        "float",
        "goto",
        "int",
        "long",
        "namespace",
        "new",
        "nullptr",
        "private",
        "protected",
        "public",
        "short",
        "signed",
        "sizeof",
        "static",
        "string",
        "struct",
        "template",
        "this",
        "typedef",
        "typename",
        "union",
        "unsigned",
        "using",
        "var",
        "void",
        "volatile",
    ]
)
ECOSYSTEM = Ecosystem(
    name="generic",
    buildpack=None,
    languages=(
        Language(name="c", extensions=(".c", ".h"), dialect="c", keywords=CONTROL | _C_WORDS),
        Language(name="cpp", extensions=(".cc", ".cpp", ".hpp"), family="c", dialect="c"),
        Language(name="csharp", extensions=(".cs",), family="c", dialect="c"),
    ),
    tests=TestConventions(
        names=(
            r".*_(?:spec|test)\.rb",
            r"test_.*\.rb",
            r".*Tests?\.(?:cs|swift|php)",
            r".*_test\.(?:exs|ex|dart|c|cc|cpp|cxx|lua|sh|clj|erl)",
            r"test_.*\.(?:c|cc|cpp|lua|sh)",
        ),
        dirs=frozenset({"tests", "test", "testing", "spec", "specs", "e2e"}),
    ),
    gate=GateRules(
        commands=("ls", "cat", "head", "tail", "wc", "grep", "diff", "echo", "true", "false", "git"),
        subcommands={
            "git": ("status", "diff", "log", "show", "blame", "ls-files", "grep", "rev-parse", "shortlog", "describe")
        },
    ),
)
