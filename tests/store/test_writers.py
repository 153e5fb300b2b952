"""A writer is one class plus one registry line: a toy TSV writer registered from the test
lands in every version of every dataset a refresh writes, listed and checksummed."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel

from pipeline.run.refresh import refresh
from pipeline.store.compaction import read_version_file
from pipeline.store.versions import Table, latest_version, read_manifest
from pipeline.store.writers import WRITERS, JsonWriter, dump_json
from tests.conftest import PROJECT_DIR, settings_for


@dataclass(frozen=True)
class TsvWriter:
    name: str = "tsv"
    suffix: str = ".tsv"
    every_version: bool = True

    def accepts(self, model: type[BaseModel]) -> bool:
        return "id" in model.model_fields

    def write(self, table: Table) -> bytes:
        rows = ["id\ttitle"]
        for record in table.records:
            data = record.model_dump(mode="json")
            rows.append(f"{data['id']}\t{data.get('title') or ''}")
        return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def tsv(monkeypatch: pytest.MonkeyPatch) -> TsvWriter:
    writer = TsvWriter()
    monkeypatch.setitem(WRITERS, writer.suffix, writer)
    return writer


def test_a_registered_writer_lands_in_every_version(tsv: TsvWriter, tmp_path: Path) -> None:
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    summary = refresh(settings_for(tmp_path))
    processed = tmp_path / "processed"
    for result in summary.results:
        folder = processed / result.dataset / result.version
        manifest = read_manifest(processed, result.dataset, result.version)
        listed = {entry.name: entry.sha256 for entry in manifest.files}
        for table in result.record_counts:
            data = read_version_file(folder / f"{table}.tsv")
            assert listed[f"{table}.tsv"] == hashlib.sha256(data).hexdigest()
            assert data.decode().count("\n") == result.record_counts[table] + 1
    hild = (processed / "icml-2023-hild" / latest_version(processed, "icml-2023-hild")).glob(
        "*.tsv"
    )
    assert sorted(path.name for path in hild) == ["events.tsv", "papers.tsv", "records.tsv"]


def test_the_json_writer_is_the_one_encoding_of_every_table() -> None:
    assert WRITERS[".json"] == JsonWriter()
    assert {writer.name for writer in WRITERS.values() if writer.every_version} == {"json"}
    assert dump_json({"é": [1]}) == '{\n  "é": [\n    1\n  ]\n}\n'.encode()
