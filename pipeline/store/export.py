"""``paper-pipeline export``: one table of any version (old ones included), filtered, in any
registered format (JSON, JSON Lines, CSV, Parquet, BibTeX, CSL-JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.store.filters import apply_filters, parse_filter
from pipeline.store.tables import read_records, resolve_version
from pipeline.store.versions import MAIN_TABLE, Table
from pipeline.store.writers import writer_named


@dataclass(frozen=True)
class Export:
    dataset: str
    version: str
    table: str
    format: str
    records: int
    data: bytes
    suffix: str

    def default_name(self) -> str:
        return f"{self.dataset}-{self.version}-{self.table}{self.suffix}"


def export_table(
    processed_dir: Path,
    dataset: str,
    *,
    format_name: str,
    version: str | None = None,
    table: str = MAIN_TABLE,
    where: Sequence[str] = (),
) -> Export:
    """The bytes of ``table`` of a version in a format; one-line errors for bad requests."""
    writer = writer_named(format_name)
    filters = [parse_filter(text) for text in where]
    chosen = resolve_version(processed_dir, dataset, version)
    records = read_records(processed_dir, dataset, chosen, table)
    if not writer.accepts(records.model):
        raise PipelineError(
            f"--format {format_name}: table {table!r} of {dataset!r} holds "
            f"{records.model.__name__} records, which are not papers with titles and authors"
        )
    kept = apply_filters(records.records, filters)
    data = writer.write(Table(table, records.model, kept))
    return Export(dataset, chosen, table, writer.name, len(kept), data, writer.suffix)
