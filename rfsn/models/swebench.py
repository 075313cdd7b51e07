"""SWE-bench task instances and predictions, with SWE-bench's own field names."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
    def _json_encoded_list(cls, value: Any) -> Any:
        # SWE-bench datasets store these as JSON-encoded strings.
        if isinstance(value, str):
            return json.loads(value) if value.strip() else []
        return value


class Prediction(BaseModel):
    model_config = ConfigDict(extra="allow")

    instance_id: str = Field(min_length=1)
    model_name_or_path: str = "rfsn"
    model_patch: str | None = ""
