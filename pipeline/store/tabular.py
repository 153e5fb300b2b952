"""Tables for data tools: JSON Lines, CSV and Parquet (typed, from the models).

- JSON Lines: one record per line, as in the version's JSON.
- CSV: one column per field of the model, in the model's order; a list of plain values is
  joined with '; ', anything nested (a list of links, an enrichment) is compact JSON.
- Parquet: the Arrow schema is derived from the model's fields (strings, int64, float64,
  booleans, UTC timestamps, dates, lists, structs for nested records); a field typed Any or
  a union of different types is JSON text.
"""

from __future__ import annotations

import csv
import io
import json
import types
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

if TYPE_CHECKING:
    import pyarrow as pa

    from pipeline.store.versions import Table


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class JsonLinesWriter:
    name: str = "jsonl"
    suffix: str = ".jsonl"
    every_version: bool = False

    def accepts(self, model: type[BaseModel]) -> bool:
        return True

    def write(self, table: Table) -> bytes:
        lines = [_compact(record.model_dump(mode="json")) + "\n" for record in table.records]
        return "".join(lines).encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return "; ".join(str(item) for item in value)
    if isinstance(value, list | dict):
        return _compact(value)
    return str(value)


@dataclass(frozen=True)
class CsvWriter:
    name: str = "csv"
    suffix: str = ".csv"
    every_version: bool = False

    def accepts(self, model: type[BaseModel]) -> bool:
        return True

    def write(self, table: Table) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = list(table.model.model_fields)
        writer.writerow(columns)
        for record in table.records:
            row = record.model_dump(mode="json")
            writer.writerow([_cell(row.get(column)) for column in columns])
        return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- Parquet

_JSON_TEXT = "json"  # marks a column kept as JSON text


def _optional_inner(annotation: Any) -> tuple[Any, bool]:
    """(X, True) for X | None; the annotation unchanged otherwise."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def arrow_type(annotation: Any) -> pa.DataType | str:
    """The Arrow type of a model field's annotation, or _JSON_TEXT."""
    import pyarrow as pa

    annotation, _ = _optional_inner(annotation)
    origin = get_origin(annotation)
    if origin is not None and getattr(origin, "__name__", "") == "Annotated":
        return arrow_type(get_args(annotation)[0])
    if origin is Literal:
        return pa.string()
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        inner = arrow_type(item)
        return _JSON_TEXT if inner == _JSON_TEXT else pa.list_(inner)
    if origin is dict:
        return _JSON_TEXT
    if origin is not None:  # a union of different types
        return _JSON_TEXT
    if not isinstance(annotation, type):
        return _JSON_TEXT
    if issubclass(annotation, bool):
        return pa.bool_()
    if issubclass(annotation, int) and not issubclass(annotation, Enum):
        return pa.int64()
    if issubclass(annotation, float):
        return pa.float64()
    if issubclass(annotation, str):
        return pa.string()
    if issubclass(annotation, datetime):
        return pa.timestamp("us", tz="UTC")
    if issubclass(annotation, date):
        return pa.date32()
    if issubclass(annotation, BaseModel):
        fields = []
        for name, field in annotation.model_fields.items():
            kind = arrow_type(field.annotation)
            fields.append(pa.field(name, pa.string() if kind == _JSON_TEXT else kind))
        return pa.struct(fields)
    return _JSON_TEXT


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    import pyarrow as pa

    fields = []
    for name, field in model.model_fields.items():
        kind = arrow_type(field.annotation)
        description = (field.description or "").encode("utf-8")
        metadata = {b"description": description} if description else None
        if kind == _JSON_TEXT:
            metadata = {**(metadata or {}), b"encoding": b"json"}
            kind = pa.string()
        fields.append(pa.field(name, kind, metadata=metadata))
    return pa.schema(fields, metadata={b"model": model.__name__.encode()})


def _arrow_value(value: Any, annotation: Any) -> Any:
    """A model value as Arrow takes it for the column arrow_type gives."""
    if value is None:
        return None
    kind = arrow_type(annotation)
    if kind == _JSON_TEXT:
        return _compact(_jsonable(value))
    inner, _ = _optional_inner(annotation)
    if isinstance(value, BaseModel):
        return {
            name: _arrow_value(getattr(value, name), field.annotation)
            for name, field in type(value).model_fields.items()
        }
    if isinstance(value, list):
        (item,) = get_args(inner) or (Any,)
        return [_arrow_value(element, item) for element in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _jsonable(value: Any) -> Any:
    """Records (at any depth: a dict of enrichments by service) as their JSON data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class ParquetWriter:
    name: str = "parquet"
    suffix: str = ".parquet"
    every_version: bool = False

    def accepts(self, model: type[BaseModel]) -> bool:
        return True

    def write(self, table: Table) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema(table.model)
        fields = table.model.model_fields
        rows = [
            {name: _arrow_value(getattr(record, name), fields[name].annotation) for name in fields}
            for record in table.records
        ]
        arrow_table = pa.Table.from_pylist(rows, schema=schema)
        out = io.BytesIO()
        pq.write_table(arrow_table, out, compression="zstd")
        return out.getvalue()


def read_parquet(data: bytes, model: type[BaseModel]) -> list[BaseModel]:
    """Records back from a Parquet export (JSON-text columns decoded)."""
    import pyarrow.parquet as pq

    arrow_table = pq.read_table(io.BytesIO(data))
    json_columns = {
        field.name
        for field in arrow_table.schema
        if field.metadata and field.metadata.get(b"encoding") == b"json"
    }
    records = []
    for row in arrow_table.to_pylist():
        for name in json_columns:
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
        records.append(model.model_validate(_decode_nested(row, model)))
    return records


def _decode_nested(row: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Struct members that were kept as JSON text inside nested records, decoded."""
    for name, field in model.model_fields.items():
        value = row.get(name)
        inner, _ = _optional_inner(field.annotation)
        if isinstance(value, dict) and isinstance(inner, type) and issubclass(inner, BaseModel):
            row[name] = _decode_struct(value, inner)
        elif isinstance(value, list) and get_origin(inner) is list:
            (item,) = get_args(inner)
            if isinstance(item, type) and issubclass(item, BaseModel):
                row[name] = [_decode_struct(v, item) if isinstance(v, dict) else v for v in value]
    return row


def _decode_struct(value: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    for name, field in model.model_fields.items():
        if arrow_type(field.annotation) == _JSON_TEXT and isinstance(value.get(name), str):
            value[name] = json.loads(value[name])
    return _decode_nested(value, model)
