"""How a table becomes a file: writers by file suffix, as scrapy registers its exporters.

Every version carries each table once per writer whose ``every_version`` is set (JSON:
``records.json``, ``papers.json``...); the others serve ``paper-pipeline export --format
NAME``. To add a format: a class with ``name``, ``suffix``, ``every_version``,
``accepts(model)`` and ``write(table)``, and one line in :data:`WRITERS` (or
:func:`register_writer` from a test or plug-in).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from pydantic import BaseModel, TypeAdapter

from pipeline.core.errors import PipelineError
from pipeline.store.floats import float_check

if TYPE_CHECKING:
    from pipeline.store.versions import Table


_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
# Where orjson's bytes could differ from json.dumps': floats below 1e-4 (orjson writes
# '0.00001' and '2.5e-7', Python '1e-05' and '2.5e-07'). In indented JSON a number is the
# rest of its line after a space; text inside strings never ends a line.
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:e-\d+)?,?")


def _may_hold_small_float(encoded: bytes) -> bool:
    for marker in (b"e-", b".0000"):  # substring search: a regex over 800 KB costs more
        at = encoded.find(marker)
        while at != -1:
            start = encoded.rfind(b" ", 0, at) + 1
            end = encoded.find(b"\n", at)
            if _NUMBER.fullmatch(encoded, start, end if end != -1 else len(encoded)):
                return True
            at = encoded.find(marker, at + 1)
    return False


def dump_json(data: Any) -> bytes:
    """The one JSON encoding of every output file: stable, readable, UTF-8, newline-ended.

    The bytes are ``json.dumps(data, ensure_ascii=False, indent=2)`` plus a newline, as
    every version so far was written; orjson writes them (the standard library's indented
    encoder is pure Python, 30x slower) unless they might differ. Data orjson refuses
    (integers beyond 64 bits, keys that are not strings) takes the standard library too.
    NaN and infinities, which no output holds, would be written null rather than NaN.
    """
    try:
        fast = orjson.dumps(data, option=_ORJSON_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        fast = None
    if fast is not None and not _may_hold_small_float(fast):
        return fast
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def dump_json_array(items: Iterable[Any]) -> bytes:
    """``dump_json(list(items))``, one item at a time: a table's records are never all held
    as dicts at once (at 43,520 papers, hundreds of MB).

    Each item is encoded alone and indented one level: JSON text never holds a raw newline
    inside a string, so every newline of an item's encoding starts one of its lines.
    """
    # Encoded ARRAY_BATCH items at a time (one orjson call each: a call per item costs more
    # than the encoding), into one growing buffer whose bytes are handed over without a
    # copy: the array is held once, never twice, at its largest, and never all as dicts.
    out = io.BytesIO()
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == ARRAY_BATCH:
            _write_batch(out, batch)
            batch = []
    if batch:
        _write_batch(out, batch)
    if not out.tell():
        return b"[]\n"
    out.write(b"\n]\n")
    return out.getvalue()


ARRAY_BATCH = 500


def _write_batch(out: io.BytesIO, batch: list[Any]) -> None:
    """The items of a batch as the next lines of an indented array (``[\n  `` first)."""
    _write_encoded(out, dump_json(batch))


def _write_encoded(out: io.BytesIO, encoded: bytes) -> None:
    """An encoded indented array's items ('[\n  <items>\n]', a newline after or not), as
    the next lines of ``out``'s array: the items are already one level in."""
    out.write(b",\n  " if out.tell() else b"[\n  ")
    out.write(memoryview(encoded)[4 : -3 if encoded.endswith(b"\n") else -2])


def dump_records(model: type[BaseModel], records: Sequence[BaseModel]) -> bytes:
    """``dump_json_array(record.model_dump(mode="json") for record in records)``, the same
    bytes, encoded by pydantic-core straight from the records (no dicts: twice as fast).

    Its JSON is orjson's, number for number (measured), so the same guard applies: a batch
    that may hold a small float (:mod:`pipeline.store.floats`), or holds a record of another
    class than ``model`` (whose fields pydantic-core would cut to ``model``'s), is encoded
    the slow way.
    """
    if not records:
        return b"[]\n"
    adapter = _list_adapter(model)
    check = float_check(model)  # the model's float fields, or None: scan the bytes
    out = io.BytesIO()
    for start in range(0, len(records), ARRAY_BATCH):
        batch = list(records[start : start + ARRAY_BATCH])
        encoded = None
        if all(type(record) is model for record in batch):
            encoded = adapter.dump_json(batch, indent=2)
            risky = (
                _may_hold_small_float(encoded)
                if check is None
                else any(check(record) for record in batch)
            )
            if risky:
                encoded = None
        if encoded is None:
            encoded = dump_json([record.model_dump(mode="json") for record in batch])
        _write_encoded(out, encoded)
    out.write(b"\n]\n")
    return out.getvalue()


@cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


class Writer(Protocol):
    @property
    def name(self) -> str:
        """What ``export --format`` calls it."""
        ...

    @property
    def suffix(self) -> str:
        """The file name is the table's name plus this: 'records' + '.json'."""
        ...

    @property
    def every_version(self) -> bool:
        """Written into every dataset version (else on request, by export)."""
        ...

    def accepts(self, model: type[BaseModel]) -> bool:
        """Whether tables of this model can be written in this format."""
        ...

    def write(self, table: Table) -> bytes: ...


@dataclass(frozen=True)
class JsonWriter:
    """A table as a JSON array of its records (the form every reader of a version uses)."""

    name: str = "json"
    suffix: str = ".json"
    every_version: bool = True

    def accepts(self, model: type[BaseModel]) -> bool:
        return True

    def write(self, table: Table) -> bytes:
        return dump_records(table.model, table.records)


def _registered() -> dict[str, Writer]:
    from pipeline.store.citations import BibtexWriter, CslJsonWriter
    from pipeline.store.tabular import CsvWriter, JsonLinesWriter, ParquetWriter

    writers: tuple[Writer, ...] = (
        JsonWriter(),
        JsonLinesWriter(),
        CsvWriter(),
        ParquetWriter(),
        BibtexWriter(),
        CslJsonWriter(),
    )
    return {writer.suffix: writer for writer in writers}


WRITERS: dict[str, Writer] = _registered()


def register_writer(writer: Writer) -> None:
    WRITERS[writer.suffix] = writer


def writer_named(name: str) -> Writer:
    for writer in WRITERS.values():
        if writer.name == name:
            return writer
    known = ", ".join(sorted(writer.name for writer in WRITERS.values()))
    raise PipelineError(f"--format {name!r}: not a format ({known})")


def version_file_names(tables: list[Table]) -> list[str]:
    """The table files a version carries, by name (what :func:`version_files` writes)."""
    return [
        f"{table.name}{writer.suffix}"
        for table in tables
        for writer in WRITERS.values()
        if writer.every_version and writer.accepts(table.model)
    ]


def version_files(tables: list[Table]) -> dict[str, bytes]:
    """Every table file a version carries, by file name."""
    return {
        f"{table.name}{writer.suffix}": writer.write(table)
        for table in tables
        for writer in WRITERS.values()
        if writer.every_version and writer.accepts(table.model)
    }
