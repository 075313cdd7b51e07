"""SWE-bench task instances and predictions, with SWE-bench's own field names."""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from rfsn.inputs import json_value

#: the longest name (in UTF-8 bytes) that becomes one path component: ``<model>.<run_id>.json``
#: of two such names still fits a file name (255 bytes)
NAME_BYTES = 120


def path_name(value: str, what: str) -> str:
    """``value`` when it can be one directory's name as the harness uses ids and run ids
    (``logs/run_evaluation/<run_id>/<model>/<instance_id>``): not ``.`` or ``..``, no separator
    (``/``, ``\\``), no control character, at most NAME_BYTES; ValueError naming it (as ``what``,
    when given) otherwise."""
    bad = next((c for c in value if c in "/\\" or unicodedata.category(c) in ("Cc", "Cs")), None)
    reason = (
        "is empty"
        if not value
        else f"is {value!r}"
        if value in (".", "..")
        else f"holds {bad!r}"
        if bad is not None
        else f"is longer than {NAME_BYTES} bytes"
        if len(value.encode()) > NAME_BYTES
        else ""
    )
    if reason:
        shown = repr(value) if len(value) <= 60 else repr(value[:60]) + "..."
        raise ValueError(f"{what} {shown}".lstrip() + f" cannot name a directory: it {reason}")
    return value


def model_dir(model: str, what: str = "model_name_or_path") -> str:
    """The directory of ``model_name_or_path``'s logs, as the harness names it ("/" -> "__")."""
    return path_name(model.replace("/", "__"), what)


class Instance(BaseModel):
    """One task instance. Unknown fields are kept so files round-trip."""

    model_config = ConfigDict(extra="allow")

    instance_id: str = Field(min_length=1)
    repo: str = Field(min_length=1)
    base_commit: str = ""
    problem_statement: str = ""
    hints_text: str = ""
    created_at: str = ""
    version: str = ""
    patch: str = ""
    test_patch: str = ""
    environment_setup_commit: str = ""
    FAIL_TO_PASS: list[str] = Field(default_factory=list)
    PASS_TO_PASS: list[str] = Field(default_factory=list)

    @field_validator("FAIL_TO_PASS", "PASS_TO_PASS", mode="before")
    @classmethod
    def _json_encoded_list(cls, value: Any, info: ValidationInfo) -> Any:
        # SWE-bench datasets store these as JSON-encoded strings.
        if isinstance(value, str):
            return json_value(value, info.field_name or "field") if value.strip() else []
        return value

    @field_validator("instance_id")
    @classmethod
    def _one_directory(cls, value: str) -> str:
        return path_name(value, "")  # the error names the field

    @field_validator("base_commit", "environment_setup_commit")
    @classmethod
    def _revision(cls, value: str) -> str:
        # a git argument, never an option (--upload-pack=CMD would run CMD)
        if value.startswith("-") or any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
            raise ValueError(f"{value[:60]!r} is not a commit")
        return value


class Prediction(BaseModel):
    model_config = ConfigDict(extra="allow")

    instance_id: str = Field(min_length=1)
    model_name_or_path: str = "rfsn"
    model_patch: str | None = ""

    @field_validator("instance_id")
    @classmethod
    def _one_directory(cls, value: str) -> str:
        return path_name(value, "")  # the error names the field

    @field_validator("model_name_or_path")
    @classmethod
    def _model_directory(cls, value: str) -> str:
        model_dir(value, "")
        return value
