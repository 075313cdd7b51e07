"""The Rust ecosystem: what rfsn knows of Rust, its tests, and its buildpack."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import CONTROL, Ecosystem, GateRules, Language, TestConventions

_WORDS = frozenset(
    [
        "Err",
        "None",
        "Ok",
        "Self",
        "Some",
        "String",
        "as",
        "bool",
        "char",
        "const",
        "crate",
        "dyn",
        "enum",
        "f32",
        "f64",
        "fn",
        "i16",
        "i32",
        "i64",
        "i8",
        "impl",
        "in",
        "isize",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "self",
        "static",
        "str",
        "struct",
        "super",
        "trait",
        "type",
        "u16",
        "u32",
        "u64",
        "u8",
        "unsafe",
        "use",
        "usize",
        "where",
    ]
)
ECOSYSTEM = Ecosystem(
    name="rust",
    buildpack="rfsn.buildpacks.rust.buildpack:RustBuildpack",
    languages=(Language(name="rust", extensions=(".rs",), dialect="rust", keywords=CONTROL | _WORDS),),
    tests=TestConventions(
        names=(r".*_test\.rs", r"test_.*\.rs"),
        region=r"^\s*#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]",
    ),
    gate=GateRules(
        commands=("cargo", "rustc"),
        subcommands={"cargo": ("test", "build", "check", "run", "fmt", "clippy", "tree", "metadata")},
        markers=(("Rust ignored test", r"#\s*\[\s*(?:ignore|should_panic)\b"),),
        items=r"^\s*(?:#\s*\[|(?:pub(?:\s*\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s)",
    ),
)
