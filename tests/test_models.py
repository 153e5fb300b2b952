"""The one schema: every field a dataset carries says what it is."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from pipeline.models import (
    SCHEMA_VERSION,
    ChangeSet,
    Event,
    EventPaper,
    Manifest,
    NearMiss,
    Paper,
    PaperCard,
    ParseWarning,
    ScheduleItem,
    SnapshotMeta,
    Source,
)
from tests.conftest import PROJECT_DIR

WRITTEN = [Paper, NearMiss, PaperCard, ScheduleItem, Event, EventPaper, ParseWarning]


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (list, dict, Union, types.UnionType):
        return [model for arg in get_args(annotation) for model in _models(arg)]
    return []


def _walk(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    missing = [
        f"{model.__name__}.{name}"
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    for field in model.model_fields.values():
        for nested in _models(field.annotation):
            missing += _walk(nested, seen)
    return missing


@pytest.mark.parametrize(
    "model", [*WRITTEN, Manifest, ChangeSet, Source, SnapshotMeta], ids=lambda m: m.__name__
)
def test_every_field_of_a_written_record_has_a_description(model: type[BaseModel]) -> None:
    assert _walk(model, set()) == []


def test_the_schema_version_is_the_latest_one_changes_md_describes() -> None:
    changes = (PROJECT_DIR / "CHANGES.md").read_text(encoding="utf-8")
    assert f"## Schema {SCHEMA_VERSION}" in changes
