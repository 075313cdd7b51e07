"""A probe: what one function of the project's Python evaluates to while chosen tests run.

A plausible patch passes the tests, and one that changes what an expression *is* (a number that
became a bound method, a list that became a string) passes them too. A probe run records, on
each test, the type and callability of one expression's values and of its function's returns,
and each return and truth of the condition around the expression, keyed by the call's
arguments, so the planner can compare the code before and after a candidate
(``planners.verify.types``, ``planners.verify.values``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: one step down a syntax tree: a field of a node, and the index in it when it is a list
Step = tuple[str, int | None]
#: what a probe saw: each value's type (``module.qualname``) and whether it is callable
Seen = tuple[str, bool]
#: one evaluation: what ("returns", "condition"), the call's arguments and the value, by digest
Traced = tuple[str, str, str]


class Probe(BaseModel):
    """One expression of a function, and the function whose returns count, found by their
    path in the file's syntax tree."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="the repository-relative Python file")
    function: str = Field(
        description="the qualified name of a module- or class-level function, the code that is instrumented"
    )
    value: tuple[Step, ...] | None = Field(
        default=None,
        description="the path from the function's node to the expression whose values "
        "are recorded (none: no expression)",
    )
    node: tuple[str, int, int] | None = Field(
        default=None, description="that expression's node type, line and column: checked on the way"
    )
    returns: tuple[Step, ...] | None = Field(
        default=None,
        description="the path from the function's node to the function whose returns "
        "are recorded (empty: the function itself; none: no returns)",
    )
    condition: tuple[Step, ...] | None = Field(
        default=None,
        description="the path to the condition (an ``if``'s, a loop's, an assertion's) "
        "the expression is part of, whose truth is recorded (none: no condition)",
    )
    condition_node: tuple[str, int, int] | None = Field(
        default=None, description="that condition's node type, line and column: checked on the way"
    )


class Probed(BaseModel):
    """What a probe run saw on each test, at most a few kinds of value each."""

    values: dict[str, list[Seen]] = Field(default_factory=dict, description="test id -> the expression's")
    returns: dict[str, list[Seen]] = Field(default_factory=dict, description="test id -> the returns'")
    traced: dict[str, list[Traced]] = Field(
        default_factory=dict, description=("test id -> its first returns and truths of the condition, in order")
    )
    error: str = Field(default="", description="why the function could not be instrumented, if it could not")
