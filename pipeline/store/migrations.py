"""Rows written under an older schema version, read as the current schema's rows.

Every reader of stored rows goes through :func:`upgrade_rows` (``read_table`` calls it), so
old versions export, diff and reload like new ones; the files themselves are never
rewritten. One function per schema version, taking its rows to the next; CHANGES.md says
what each version changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.models import ARXIV_SERVICE, SCHEMA_VERSION

Row = dict[str, Any]


def _from_1(row: Row) -> Row:
    """Schema 1 -> 2: the one arXiv ``enrichment`` became ``enrichments`` by service."""
    if "enrichment" not in row:
        return row
    upgraded = {key: value for key, value in row.items() if key != "enrichment"}
    enrichment = row["enrichment"]
    upgraded["enrichments"] = {ARXIV_SERVICE: enrichment} if enrichment else {}
    return upgraded


# schema version -> how its rows become the next version's
UPGRADES: dict[str, Callable[[Row], Row]] = {"1": _from_1}


def upgrade_rows(rows: list[Row], written_as: str | None) -> list[Row]:
    """``rows`` of a version written under schema ``written_as`` (None: the current one)."""
    version = written_as or SCHEMA_VERSION
    while version != SCHEMA_VERSION and version in UPGRADES:
        step = UPGRADES[version]
        rows = [step(row) if isinstance(row, dict) else row for row in rows]
        version = str(int(version) + 1)
    return rows
