"""Versions written under schema 1 read as schema 2 rows, without being rewritten."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.models import PaperCard
from pipeline.store.migrations import upgrade_rows
from pipeline.store.tables import read_records
from pipeline.store.versions import latest_version, read_table
from tests.conftest import PROJECT_DIR, settings_for


def test_a_schema_1_enrichment_becomes_the_arxiv_enrichment() -> None:
    rows = [{"id": "a", "enrichment": {"status": "pending"}}, {"id": "b", "enrichment": None}]
    assert upgrade_rows(rows, "1") == [
        {"id": "a", "enrichments": {"arxiv": {"status": "pending"}}},
        {"id": "b", "enrichments": {}},
    ]
    assert upgrade_rows(rows, "2") == rows


def test_a_stored_schema_1_version_reads_back_as_records(tmp_path: Path) -> None:
    from pipeline.run.refresh import refresh

    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    refresh(settings_for(tmp_path))
    processed, dataset = tmp_path / "processed", "awesome-deep-phenomena"
    version = str(latest_version(processed, dataset))
    folder = processed / dataset / version
    # Make it what schema 1 wrote (checksums left alone: read_table checks them, so the
    # records file is rewritten with its manifest entry).
    rows = json.loads((folder / "records.json").read_text())
    for row in rows:
        row["enrichment"] = row.pop("enrichments").get("arxiv")
    data = json.dumps(rows).encode()
    (folder / "records.json").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = "1"
    import hashlib

    for entry in manifest["files"]:
        if entry["name"] == "records.json":
            entry["sha256"], entry["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    (folder / "manifest.json").write_text(json.dumps(manifest))

    assert read_table(processed, dataset, version)[0]["enrichments"]["arxiv"]["status"] == "pending"
    table = read_records(processed, dataset, version, "records")
    assert table.model is PaperCard and len(table.records) == 543
