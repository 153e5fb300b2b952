"""validate: every version against its manifest checksums and its own schema.json, and
LATEST naming a complete version; each problem named, for its version alone."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pipeline.run.refresh import refresh
from pipeline.store.validate import validate_datasets
from pipeline.store.versions import latest_version, list_versions
from tests.conftest import PROJECT_DIR, settings_for

SESSION = "neurips-2023-oral-1d-dl-theory"


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    refresh(settings_for(tmp_path))
    capture = tmp_path / "raw" / "000_9da80035aa0ccbc3.txt"
    capture.write_text(capture.read_text().replace("Abide by the law", "Abide by the Law"))
    refresh(settings_for(tmp_path))  # a second version: the first is compacted
    return tmp_path / "processed"


def problems(processed: Path, dataset: str | None = None) -> list[tuple[str, str, str]]:
    found = validate_datasets(processed, [dataset] if dataset else None)
    return [(f.dataset, f.version, f.message) for f in found if not f.ok]


def latest_folder(processed: Path, dataset: str) -> Path:
    return processed / dataset / str(latest_version(processed, dataset))


def test_versions_as_written_validate(processed: Path) -> None:
    findings = validate_datasets(processed)
    assert findings and all(f.ok for f in findings)
    assert len([f for f in findings if f.dataset == SESSION]) == 2


def test_an_edited_table_is_named_as_tampered(processed: Path) -> None:
    records = latest_folder(processed, "papers") / "records.json"
    records.write_text(records.read_text().replace("Grokking", "Grokk1ng", 1))
    (found,) = problems(processed)
    assert found[0] == "papers" and "records.json: checksum differs" in found[2]


def test_a_record_against_the_schema_is_named_even_with_matching_checksums(
    processed: Path,
) -> None:
    folder = latest_folder(processed, SESSION)
    items = json.loads((folder / "records.json").read_text())
    items[0]["type"] = "keynote"  # not an ItemType
    data = (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode()
    (folder / "records.json").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["name"] == "records.json":
            entry["sha256"], entry["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (found,) = problems(processed, SESSION)
    assert "records.json: does not match schema.json at 0/type" in found[2]


def test_a_stray_temporary_file_and_a_wrong_latest_are_named(processed: Path) -> None:
    (latest_folder(processed, "papers") / ".records.json.abc.tmp").write_bytes(b"half")
    (processed / SESSION / "LATEST").write_text("20990101T000000Z\n")
    found = problems(processed)
    assert (
        "papers",
        latest_version(processed, "papers"),
        ".records.json.abc.tmp: not listed in the manifest",
    ) in found
    assert any(version == "LATEST" and "not a complete version" in m for _, version, m in found)


def test_a_damaged_delta_is_reported_for_its_version_alone(processed: Path) -> None:
    first = list_versions(processed, SESSION)[0]
    (delta,) = (processed / SESSION / first).glob("records.json.*")
    data = bytearray(delta.read_bytes())
    data[len(data) // 2] ^= 0xFF
    delta.write_bytes(bytes(data))
    found = problems(processed, SESSION)
    assert found and all(version == first for _, version, _ in found)
    assert "records.json: unreadable" in found[0][2] or "checksum differs" in found[0][2]
