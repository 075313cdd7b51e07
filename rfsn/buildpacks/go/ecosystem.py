"""The Go ecosystem: what rfsn knows of Go, its tests, and its buildpack."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import CONTROL, Ecosystem, GateRules, Language, TestConventions

_WORDS = frozenset(
    [
        "any",
        "bool",
        "byte",
        "chan",
        "complex128",
        "complex64",
        "const",
        "defer",
        "error",
        "fallthrough",
        "float32",
        "float64",
        "func",
        "go",
        "goto",
        "import",
        "int",
        "int16",
        "int32",
        "int64",
        "int8",
        "interface",
        "iota",
        "map",
        "nil",
        "package",
        "range",
        "rune",
        "select",
        "string",
        "struct",
        "type",
        "uint",
        "uint16",
        "uint32",
        "uint64",
        "uint8",
        "uintptr",
        "var",
    ]
)
ECOSYSTEM = Ecosystem(
    name="go",
    buildpack="rfsn.buildpacks.go.buildpack:GoBuildpack",
    languages=(Language(name="go", extensions=(".go",), dialect="go", keywords=CONTROL | _WORDS),),
    tests=TestConventions(names=(r".*_test\.go",)),
    gate=GateRules(
        commands=("go", "gofmt"),
        subcommands={"go": ("test", "build", "vet", "run", "list", "fmt", "env", "version")},
        markers=(
            ("Go skipped test", r"\bt\s*\.\s*(?:Skip|SkipNow|Skipf)\s*\(|\btesting\s*\.\s*Short\s*\("),
            # TestMain runs the package's whole test binary: one that never calls m.Run runs no test
            ("Go TestMain", r"\bfunc\s+TestMain\s*\("),
        ),
        session_wide=frozenset({"Go TestMain"}),
        items=r"^func\s",
    ),
)
