"""A session that ends ``plausible`` (its patch changes a type the passing tests see) is no fix
in the batch's counts, and its patch is still the instance's prediction, in SWE-bench's format."""

from __future__ import annotations

from pathlib import Path

from rfsn.batch.infer import RepairTask, _recorded
from rfsn.batch.outcome import Status
from rfsn.models import SessionResult, SessionStatus
from rfsn.models.swebench import Instance

PATCH = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-x = a.parts\n+x = a.text\n"


def test_a_plausible_session_is_not_fixed_and_its_patch_is_the_prediction(tmp_path: Path) -> None:
    task = RepairTask(instance=Instance(instance_id="o__r-1", repo="o/r"), out_dir=tmp_path)
    result = SessionResult(
        status=SessionStatus.PLAUSIBLE,
        message="replace `a.parts`: plausible, not claimed fixed",
        patch=PATCH,
        session_id="s",
        steps=40,
    )
    recorded = _recorded(task, result, 12.0, {})
    assert recorded.outcome.status is Status.NOT_FIXED and recorded.outcome.message.startswith("plausible: ")
    assert recorded.prediction is not None
    assert recorded.prediction.model_dump() == {
        "instance_id": "o__r-1",
        "model_name_or_path": "rfsn",
        "model_patch": PATCH,
    }
