"""go.mod's requirements and replacements as go reads them, and the lines the Debian fallback reads."""

from __future__ import annotations

from rfsn.buildpacks.go.gomodreqs import Replacement, Requirement, debian_lines, directives, replace_lines

GO_MOD = """module example.com/m // the module

go 1.22

require github.com/google/go-cmp v0.6.0

require (
	golang.org/x/text v0.14.0 // indirect
	"github.com/cespare/xxhash/v2" v2.2.0
	example.com/local v1.0.0
	example.com/pinned v1.2.0
	example.com/other v1.3.0 // indirect
)

exclude example.com/pinned v1.1.0

replace example.com/local => ./local

replace (
	example.com/pinned v1.2.0 => example.com/fork v1.2.1
	example.com/other v1.0.0 => example.com/never v1.0.0
)
"""


def test_requirements_in_both_forms_with_their_indirect_marks() -> None:
    required, replaced = directives(GO_MOD)
    assert required == [
        Requirement("github.com/google/go-cmp", "v0.6.0"),
        Requirement("golang.org/x/text", "v0.14.0", indirect=True),
        Requirement("github.com/cespare/xxhash/v2", "v2.2.0"),
        Requirement("example.com/local", "v1.0.0"),
        Requirement("example.com/pinned", "v1.2.0"),
        Requirement("example.com/other", "v1.3.0", indirect=True),
    ]
    assert replaced[0] == Replacement("example.com/local", "", "./local", "") and replaced[0].local
    assert replaced[1] == Replacement("example.com/pinned", "v1.2.0", "example.com/fork", "v1.2.1")


def test_each_requirement_names_the_module_whose_code_stands_for_it() -> None:
    """A replacement of another version does not apply; a directory is no package's."""
    assert debian_lines(GO_MOD).splitlines() == [
        "github.com/google/go-cmp v0.6.0 github.com/google/go-cmp direct",
        "golang.org/x/text v0.14.0 golang.org/x/text indirect",
        "github.com/cespare/xxhash/v2 v2.2.0 github.com/cespare/xxhash/v2 direct",
        "example.com/local v1.0.0 - direct",
        "example.com/pinned v1.2.0 example.com/fork direct",
        "example.com/other v1.3.0 example.com/other indirect",
    ]


def test_replacements_as_vendor_modules_txt_records_them() -> None:
    assert replace_lines(GO_MOD).splitlines() == [
        "# example.com/local => ./local",
        "# example.com/pinned v1.2.0 => example.com/fork v1.2.1",
        "# example.com/other v1.0.0 => example.com/never v1.0.0",
    ]


def test_a_go_mod_without_requirements_has_no_lines() -> None:
    assert debian_lines("module m\n\ngo 1.21\n") == "" and replace_lines("module m\n") == ""
