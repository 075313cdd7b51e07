"""The Node ecosystem: what rfsn knows of JavaScript and TypeScript, their tests, and the buildpack."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import CONTROL, Ecosystem, GateRules, Language, TestConventions

_JS_WORDS = frozenset(
    [
        "async",
        "await",
        "catch",
        "class",
        "const",
        "delete",
        "do",
        "export",
        "extends",
        "finally",
        "function",
        "import",
        "in",
        "instanceof",
        "let",
        "new",
        "null",
        "of",
        "static",
        "super",
        "this",
        "throw",
        "try",
        "typeof",
        "undefined",
        "var",
        "void",
        "with",
        "yield",
    ]
)
_TS_WORDS = frozenset(
    [
        "abstract",
        "any",
        "as",
        "boolean",
        "declare",
        "enum",
        "implements",
        "interface",
        "keyof",
        "namespace",
        "never",
        "number",
        "private",
        "protected",
        "public",
        "readonly",
        "string",
        "unknown",
    ]
)
JAVASCRIPT = Language(
    name="javascript",
    extensions=(".js", ".jsx", ".mjs", ".cjs"),
    dialect="javascript",
    keywords=CONTROL | _JS_WORDS,
)
TYPESCRIPT = Language(
    name="typescript",
    extensions=(".ts", ".tsx", ".mts", ".cts"),
    family="javascript",
    dialect="typescript",
    keywords=CONTROL | _JS_WORDS | _TS_WORDS,
)
ECOSYSTEM = Ecosystem(
    name="node",
    buildpack="rfsn.buildpacks.node.buildpack:NodeBuildpack",
    languages=(JAVASCRIPT, TYPESCRIPT),
    tests=TestConventions(
        names=(
            r".*\.(?:test|spec)\.[cm]?[jt]sx?",
            r".*\.(?:test|spec)\.(?:coffee|vue|svelte)",
            r"tests?\.[cm]?[jt]sx?",
        ),
        dirs=frozenset({"__tests__"}),
    ),
    gate=GateRules(
        commands=("node", "npm"),
        subcommands={"npm": ("test", "t", "run", "run-script", "ls", "list")},
        markers=(
            (
                "JS skipped test",
                r"\b(?:it|test|describe|suite|context)\s*\.\s*(?:skip|todo|failing)\b|"
                r"\b(?:xit|xtest|xdescribe)\s*\(|\bskip\s*:\s*(?:true|['\"`])|"
                r"\b(?:t|this)\s*\.\s*(?:skip|todo)\s*\(",
            ),
            # mocha runs only the focused tests of every file
            ("JS focused test", r"\b(?:it|test|describe|suite|context)\s*\.\s*only\b|\b(?:fit|fdescribe)\s*\("),
        ),
        session_wide=frozenset({"JS focused test"}),
        items=(
            r"^\s*(?:it|test|describe|suite|context|specify|xit|xtest|xdescribe|xcontext)"
            r"(?:\s*\.\s*\w+)*\s*\("
        ),
    ),
)
