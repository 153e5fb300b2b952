"""A stored version's tables as records again: each table's model comes from the version's
own schema.json, so any version (old ones included) reads back into the models it was
written from."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.core.errors import PipelineError
from pipeline.models import Record, record_model
from pipeline.store.compaction import read_version_file
from pipeline.store.versions import Table, latest_version, read_table


def resolve_version(processed_dir: Path, dataset: str, version: str | None) -> str:
    """``version``, or LATEST; one line when the dataset has neither."""
    chosen = version or latest_version(processed_dir, dataset)
    if chosen is None:
        raise PipelineError(f"dataset {dataset!r} has no version in {processed_dir}")
    if not (processed_dir / dataset / chosen / "manifest.json").is_file():
        raise PipelineError(f"dataset {dataset!r} has no version {chosen!r}")
    return chosen


def table_models(processed_dir: Path, dataset: str, version: str) -> dict[str, type[Record]]:
    """Table name -> the record model its rows were written from."""
    path = processed_dir / dataset / version / "schema.json"
    try:
        schema = json.loads(read_version_file(path))
        tables = schema["tables"]
        return {
            file_name.removesuffix(".json"): record_model(
                str(table["items"]["$ref"]).rsplit("/", 1)[-1]
            )
            for file_name, table in tables.items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise PipelineError(f"{path}: not a schema this pipeline can read ({exc})") from None


def read_records(processed_dir: Path, dataset: str, version: str, table: str) -> Table:
    """One table of a version as records of its model."""
    models = table_models(processed_dir, dataset, version)
    if table not in models:
        known = ", ".join(sorted(models))
        raise PipelineError(f"dataset {dataset!r} has no table {table!r} (tables: {known})")
    model = models[table]
    rows = read_table(processed_dir, dataset, version, table)
    try:
        return Table(table, model, [model.model_validate(row) for row in rows])
    except ValidationError as exc:
        raise PipelineError(
            f"{dataset}/{version}/{table}.json does not match its schema: {exc.errors()[0]['msg']}"
        ) from None
