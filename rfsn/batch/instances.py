"""Task instances: SWE-bench files in, a validated and filtered list out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rfsn.batch.harness.repos import resolve_source
from rfsn.batch.records import load_models
from rfsn.buildpacks.instances import require_specs
from rfsn.errors import ConfigError, WorkspaceError
from rfsn.models.swebench import Instance

#: what --oracle-tests needs of every instance: the tests to apply, the ones to fix, where
ORACLE_FIELDS = ("base_commit", "test_patch", "FAIL_TO_PASS")


def require_oracle_fields(path: Path, instances: Sequence[Instance]) -> None:
    """An input error naming the first instance that lacks a field --oracle-tests needs."""
    for instance in instances:
        for name in ORACLE_FIELDS:
            if not getattr(instance, name):
                raise ConfigError(
                    f"{path}: instance {instance.instance_id!r} has no {name}, which --oracle-tests needs"
                )


def require_sources(path: Path, instances: Sequence[Instance], repos_dir: Path | None) -> None:
    """An input error naming the first instance whose ``repo`` has no source rfsn may use (a
    relative path is relative to the directory of ``path``, the instance file)."""
    for instance in instances:
        try:
            resolve_source(instance.repo, repos_dir, path.resolve().parent)
        except WorkspaceError as exc:
            raise ConfigError(f"{path}: instance {instance.instance_id!r}: {exc}") from exc


def load_instances(path: Path, ids: Sequence[str] = ()) -> list[Instance]:
    """The instances of ``path`` (JSON or JSON lines), only ``ids`` when given, in file order."""
    instances = load_models(path, Instance, "instance")
    if not instances:
        raise ConfigError(f"no instances in {path}")
    require_specs(instances, path)
    if not ids:
        return instances
    known = {i.instance_id for i in instances}
    missing = [i for i in ids if i not in known]
    if missing:
        raise ConfigError(f"unknown instance id(s) in {path}: {', '.join(missing[:10])}")
    wanted = set(ids)
    return [i for i in instances if i.instance_id in wanted]
