"""The tables of ``kinds``: the kinds of values, and the kind that builtins, methods and
annotations give a value or ask of a receiver."""

from __future__ import annotations

import ast

NUM, STR, COLL, BOOL, SIZED = "num", "str", "coll", "bool", "sized"
NUMERIC_OPS = (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)

CALL_KINDS = {
    **dict.fromkeys(("len", "sum", "int", "float", "abs", "round", "ord", "divmod", "hash"), NUM),
    **dict.fromkeys(("str", "repr", "chr", "format", "hex", "bin", "oct"), STR),
    **dict.fromkeys(("list", "sorted", "tuple", "set", "dict", "frozenset"), COLL),
    **dict.fromkeys(("bool", "isinstance", "issubclass", "any", "all", "callable", "hasattr"), BOOL),
}
METHOD_KINDS = {
    **dict.fromkeys(
        (
            "lower",
            "upper",
            "strip",
            "lstrip",
            "rstrip",
            "join",
            "format",
            "replace",
            "title",
            "casefold",
            "capitalize",
            "zfill",
            "ljust",
            "rjust",
            "center",
        ),
        STR,
    ),
    **dict.fromkeys(("split", "rsplit", "splitlines", "keys", "values", "items", "copy"), COLL),
    **dict.fromkeys(("count", "index", "find", "rfind"), NUM),
    **dict.fromkeys(
        (
            "startswith",
            "endswith",
            "isdigit",
            "isalpha",
            "isalnum",
            "isspace",
            "isupper",
            "islower",
            "isnumeric",
            "isdecimal",
            "isidentifier",
        ),
        BOOL,
    ),
}
#: methods that only a kind of receiver has
RECEIVER_KINDS = {
    **dict.fromkeys(
        (
            "append",
            "extend",
            "pop",
            "add",
            "discard",
            "insert",
            "sort",
            "get",
            "setdefault",
            "update",
            "keys",
            "values",
            "items",
            "popitem",
            "remove",
        ),
        COLL,
    ),
    **dict.fromkeys(
        (
            "lower",
            "upper",
            "strip",
            "lstrip",
            "rstrip",
            "split",
            "rsplit",
            "splitlines",
            "startswith",
            "endswith",
            "isdigit",
            "isalpha",
            "isalnum",
            "encode",
            "casefold",
            "title",
            "zfill",
        ),
        STR,
    ),
}
ANNOTATIONS = {
    "int": NUM,
    "float": NUM,
    "complex": NUM,
    "Decimal": NUM,
    "Fraction": NUM,
    "str": STR,
    "bool": BOOL,
    "list": COLL,
    "List": COLL,
    "dict": COLL,
    "Dict": COLL,
    "set": COLL,
    "Set": COLL,
    "tuple": COLL,
    "Tuple": COLL,
    "Sequence": COLL,
    "Mapping": COLL,
}
