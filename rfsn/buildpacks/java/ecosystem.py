"""The Java ecosystem: what rfsn knows of the JVM's languages, their tests, and the buildpack."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import CONTROL, Ecosystem, GateRules, Language, TestConventions

_WORDS = frozenset(
    [
        "String",
        "abstract",
        "boolean",
        "byte",
        "catch",
        "char",
        "class",
        "do",
        "double",
        "enum",
        "extends",
        "final",
        "finally",
        "float",
        "implements",
        "import",
        "instanceof",
        "int",
        "interface",
        "long",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "short",
        "static",
        "super",
        "synchronized",
        "this",
        "throw",
        "throws",
        "try",
        "var",
        "void",
    ]
)
ECOSYSTEM = Ecosystem(
    name="java",
    buildpack="rfsn.buildpacks.java.buildpack:JavaBuildpack",
    languages=(
        Language(name="java", extensions=(".java",), dialect="java", keywords=CONTROL | _WORDS),
        *(
            Language(name=name, extensions=(f".{ext}",), family="java", dialect="java")
            for name, ext in (("kotlin", "kt"), ("scala", "scala"), ("groovy", "groovy"))
        ),
    ),
    tests=TestConventions(names=(r".*Tests?\.(?:java|kt|kts|scala)", r"Test.*\.(?:java|kt)")),
    gate=GateRules(
        commands=("mvn", "gradle", "java", "javac"),
        subcommands={
            "mvn": ("test", "verify", "compile", "-q", "-o", "--offline"),
            "gradle": ("test", "check", "build", "--offline"),
        },
        markers=(("JUnit disabled test", r"@\s*(?:Ignore|Disabled)\b|\bAssume\s*\.\s*assume|\bassumeTrue\s*\("),),
        items=(
            r"^\s*(?:@\s*\w|(?:(?:public|protected|private|static|final|abstract|override|suspend|"
            r"internal|open|synchronized)\s+)*(?:void|fun)\s+\w+\s*\()"
        ),
    ),
)
