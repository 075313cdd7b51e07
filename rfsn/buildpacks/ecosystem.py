"""An ``Ecosystem``: everything rfsn knows of one language pack, as data, in one object.

Each ``rfsn/buildpacks/<lang>/ecosystem.py`` defines one (``ECOSYSTEM``), and a plugin supplies its
own through the ``rfsn.buildpacks`` entry points. Its parts: the buildpack (``"module:attribute"``,
imported only when chosen), the languages (extensions, family, the C-like lexer's reading of them,
reserved words), the test-file conventions, the gate's rules (commands, subcommands, added lines
that skip or rig tests) and the base images ``rfsn sandbox bootstrap`` builds by version. What its
buildpack may do besides its five steps (coverage, warm runner, crash reading, run and environment
options) are the buildpack's optional parts (``parts``), which it declares. An instance environment
table (SWE-bench specs) is one more optional part, a field of its own here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: the control words every C-like language reserves (the token templates' ``KEYWORDS``)
CONTROL = frozenset(
    {"if", "else", "for", "while", "return", "break", "continue", "switch", "case", "default", "true", "false"}
)


class Language(BaseModel):
    """A language: its files' extensions, its family and how the C-like lexer reads it."""

    model_config = ConfigDict(frozen=True)

    name: str
    extensions: tuple[str, ...] = Field(description="lower case, with the dot: '.py'")
    family: str | None = Field(default=None, description="whose syntax and test conventions it shares; None: own")
    dialect: str | None = Field(default=None, description="what the C-like lexer reads it as; None: not read")
    keywords: frozenset[str] = Field(default=frozenset(), description="reserved words of the dialect of its name")


class TestConventions(BaseModel):
    """Which files hold tests: by their names, their directories, or a region of a source file."""

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(frozen=True)

    names: tuple[str, ...] = Field(default=(), description="regexes a test file's whole name matches (any case)")
    helpers: tuple[str, ...] = Field(default=(), description="file names among them that hold no tests themselves")
    dirs: frozenset[str] = Field(default=frozenset(), description="a directory of these names holds test files")
    globs: tuple[str, ...] = Field(default=(), description="the test runner's default test-module globs")
    region: str | None = Field(default=None, description="regex of the line where a source file's tests start")


class GateRules(BaseModel):
    """What the gate allows and refuses for the ecosystem (``rfsn.toml``'s ``[gate]`` overrides)."""

    model_config = ConfigDict(frozen=True)

    commands: tuple[str, ...] = Field(default=(), description="executables a proposal may run")
    subcommands: dict[str, tuple[str, ...]] = Field(default_factory=dict, description="tool -> first arguments")
    markers: tuple[tuple[str, str], ...] = Field(
        default=(), description="(name, regex) of added lines that skip or rig tests, in the ecosystem's files"
    )
    session_wide: frozenset[str] = Field(default=frozenset(), description="its markers that act on the whole run")
    items: str | None = Field(default=None, description="regex of a line opening a test item its braces delimit")


class BaseImages(BaseModel):
    """The base images ``rfsn sandbox bootstrap`` builds by version."""

    model_config = ConfigDict(frozen=True)

    versions: tuple[str, ...] = Field(description="the runtime versions it builds from Debian")
    image: str = Field(description="'module:function': version -> BaseImage")


class Ecosystem(BaseModel):
    """One language pack (see the module's docstring)."""

    model_config = ConfigDict(frozen=True)

    name: str
    buildpack: str | None = Field(description="'module:attribute' of its Buildpack; None: chosen by a test command")
    languages: tuple[Language, ...] = ()
    tests: TestConventions = TestConventions()
    gate: GateRules = GateRules()
    images: BaseImages | None = None
    instances: str | None = Field(
        default=None,
        description="'module:attribute' of its Provider of the environments a benchmark's specs prescribe"
        " (rfsn.buildpacks.instances); None: it reads no such specs",
    )

    def extensions(self) -> tuple[str, ...]:
        return tuple(ext for language in self.languages for ext in language.extensions)
