"""How a table becomes a file: writers by file suffix, as scrapy registers its exporters.

Every version carries each table once per writer whose ``every_version`` is set (JSON
today: ``records.json``, ``papers.json``...). To add a format: a class with ``suffix``,
``every_version`` and ``write(table)``, and one line in :data:`WRITERS` (or
:func:`register_writer` from a test or plug-in).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pipeline.store.versions import Table


def dump_json(data: Any) -> bytes:
    """The one JSON encoding of every output file: stable, readable, UTF-8, newline-ended."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class Writer(Protocol):
    @property
    def suffix(self) -> str:
        """The file name is the table's name plus this: 'records' + '.json'."""
        ...

    @property
    def every_version(self) -> bool:
        """Written into every dataset version (else on request only)."""
        ...

    def write(self, table: Table) -> bytes: ...


@dataclass(frozen=True)
class JsonWriter:
    """A table as a JSON array of its records (the form every reader of a version uses)."""

    suffix: str = ".json"
    every_version: bool = True

    def write(self, table: Table) -> bytes:
        return dump_json([record.model_dump(mode="json") for record in table.records])


WRITERS: dict[str, Writer] = {writer.suffix: writer for writer in (JsonWriter(),)}


def register_writer(writer: Writer) -> None:
    WRITERS[writer.suffix] = writer


def version_files(tables: list[Table]) -> dict[str, bytes]:
    """Every table file a version carries, by file name."""
    return {
        f"{table.name}{writer.suffix}": writer.write(table)
        for table in tables
        for writer in WRITERS.values()
        if writer.every_version
    }
