"""datapackage.json: each version described as a Frictionless Data Package, so frictionless,
CKAN, Data Package readers and dataset catalogues load it without reading this code.

One resource per table file (plus warnings.json and changes.json) with its path, size,
sha256 hash and a field schema derived from the models (types, descriptions, required
fields, enumerations, the primary key).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from pipeline.models import ChangeSet, ParseWarning

if TYPE_CHECKING:
    from pipeline.store.versions import Table

FILE_NAME = "datapackage.json"


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return (args[0] if len(args) == 1 else Any), len(args) < len(get_args(annotation))
    return annotation, False


def field_type(annotation: Any) -> tuple[str, list[str] | None]:
    """The Table Schema type of an annotation, and its allowed values if it is an enum."""
    annotation, _ = _strip_optional(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return "string", [str(value) for value in get_args(annotation)]
    if origin is list:
        return "array", None
    if origin is dict:
        return "object", None
    if origin is not None and getattr(origin, "__name__", "") == "Annotated":
        return field_type(get_args(annotation)[0])
    if not isinstance(annotation, type):
        return "any", None
    if issubclass(annotation, Enum):
        return "string", [str(member.value) for member in annotation]
    for python, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (datetime, "datetime"),
        (date, "date"),
        (BaseModel, "object"),
    ):
        if issubclass(annotation, python):
            return name, None
    return "any", None


def table_schema(model: type[BaseModel]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name, info in model.model_fields.items():
        kind, allowed = field_type(info.annotation)
        _, optional = _strip_optional(info.annotation)
        entry: dict[str, Any] = {"name": name, "type": kind}
        if info.description:
            entry["description"] = info.description
        constraints: dict[str, Any] = {}
        if info.is_required() and not optional:
            constraints["required"] = True
        if allowed is not None:
            constraints["enum"] = allowed
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    schema: dict[str, Any] = {"fields": fields}
    if "id" in model.model_fields:
        schema["primaryKey"] = ["id"]
    return schema


_EMPTY_ARRAY = re.compile(rb"\s*\[\s*\]\s*")


def _resource(
    name: str, path: str, data: bytes, model: type[BaseModel], sha256: str
) -> dict[str, Any]:
    # An empty table has no rows to read as a table; it is still described, as a plain
    # JSON data resource.
    # (A pattern, not data.strip(): that copies the whole file, tens of MB for the papers.)
    tabular = _EMPTY_ARRAY.fullmatch(data) is None
    return {
        "name": name.replace("_", "-"),
        "path": path,
        "profile": "tabular-data-resource" if tabular else "data-resource",
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{sha256}",
        "description": (model.__doc__ or model.__name__).strip().split("\n")[0],
        "schema": table_schema(model),
    }


def datapackage(
    dataset: str,
    created: datetime,
    tables: Sequence[Table],
    files: dict[str, bytes],
    hashes: Mapping[str, str],
) -> dict[str, Any]:
    """The package of one version: its table files, warnings and changes (``hashes``: the
    files' sha256 by name)."""
    described: list[tuple[str, type[BaseModel]]] = [(table.name, table.model) for table in tables]
    described += [("warnings", ParseWarning), ("changes", ChangeSet)]
    resources = [
        _resource(
            name,
            f"{name}.json",
            files[f"{name}.json"],
            model,
            hashes[f"{name}.json"],
        )
        for name, model in described
        if f"{name}.json" in files
    ]
    return {
        "profile": "data-package",  # tables, and empty ones as plain data
        "name": dataset,
        "created": created.isoformat().replace("+00:00", "Z"),
        "resources": resources,
    }


def field_table(model: type[BaseModel]) -> str:
    """The fields of a model as a Markdown table (name, type, description): the README's
    field tables are generated by this, never written by hand."""
    lines = ["| field | type | description |", "| --- | --- | --- |"]
    for entry in table_schema(model)["fields"]:
        kind = entry["type"]
        allowed = entry.get("constraints", {}).get("enum")
        if allowed:
            kind = " \\| ".join(f"`{value}`" for value in allowed)
        required = " (required)" if entry.get("constraints", {}).get("required") else ""
        description = str(entry.get("description", "")).replace("|", "\\|")
        lines.append(f"| `{entry['name']}` | {kind}{required} | {description} |")
    return "\n".join(lines) + "\n"
