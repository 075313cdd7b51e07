"""In the token languages, a method of a bare receiver swapped for one the project calls on it."""

from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.tokens.driver import generate_token_candidates

GO = (
    "package names\n\n"
    'import "strings"\n\n'
    "func IsTest(name string) bool {\n"
    '\treturn strings.HasPrefix(name, "_test.go")\n'
    "}\n"
)
GO_OTHER = (
    'package names\n\nimport "strings"\n\nfunc Clean(s string) string {\n'
    '\tif strings.HasSuffix(s, "/") {\n\t\treturn strings.TrimSpace(s)\n\t}\n'
    "\treturn strings.ToLower(s)\n}\n"
)
JS = (
    "const path = require('node:path');\nfunction folder(p) {\n  return path.basename(p);\n}\n"
    "module.exports = { folder };\n"
)
JS_OTHER = (
    "const path = require('node:path');\nconst up = (p) => path.dirname(path.resolve(p));\nmodule.exports = { up };\n"
)


def _fixed(files: dict[str, str], path: str, line: int, fixed: str) -> int | None:
    ranked = generate_token_candidates(files, [Location(path, line, 1.0)], limit=200)
    return next((i for i, c in enumerate(ranked) if c.patched == fixed), None)


def test_a_go_package_function_swapped_for_its_sibling() -> None:
    files = {"names/names.go": GO, "names/clean.go": GO_OTHER}
    rank = _fixed(files, "names/names.go", 6, GO.replace("HasPrefix", "HasSuffix"))
    assert rank is not None and rank < 10


def test_a_javascript_global_method_swapped_for_its_sibling() -> None:
    files = {"src/folder.js": JS, "src/up.js": JS_OTHER}
    rank = _fixed(files, "src/folder.js", 3, JS.replace("basename", "dirname"))
    assert rank is not None and rank < 10


def test_a_field_swapped_for_one_the_project_uses_on_the_same_receiver() -> None:
    """pflag: ``flag.DefValue = "+1"`` where ``flag.NoOptDefVal`` was meant; other files set
    ``flag.NoOptDefVal`` on a flag of the same name."""
    count = (
        "package pflag\n\nfunc (f *FlagSet) CountVarP(p *int, name string) {\n"
        '\tflag := f.VarPF(newCountValue(0, p), name)\n\tflag.DefValue = "+1"\n}\n'
    )
    other = (
        "package pflag\n\nfunc (f *FlagSet) BoolVarP(p *bool, name string) {\n"
        '\tflag := f.VarPF(newBoolValue(false, p), name)\n\tflag.NoOptDefVal = "true"\n}\n'
    )
    files = {"count.go": count, "bool.go": other}
    rank = _fixed(files, "count.go", 5, count.replace("flag.DefValue", "flag.NoOptDefVal"))
    assert rank is not None and rank < 10
