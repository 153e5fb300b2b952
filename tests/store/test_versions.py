"""Versioned output: deterministic, atomic, 'unchanged' when nothing changed."""

from __future__ import annotations

import hashlib
import json
import lzma
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.core.errors import PipelineError
from pipeline.models import InputFile, Link, PaperCard, ParseWarning, Provenance
from pipeline.store.compaction import KEYFRAME_EVERY
from pipeline.store.versions import (
    LATEST,
    DatasetVersion,
    Table,
    diff_versions,
    latest_version,
    list_versions,
    read_manifest,
    read_table,
    read_version_file,
    write_version,
)


def _cards(titles: list[str]) -> list[PaperCard]:
    return [
        PaperCard(
            id=f"card-{title.split()[0]}",
            title=title,
            authors=["Ada Lovelace"],
            links=[Link(label="paper", url=f"https://arxiv.org/abs/2101.0000{index}")],
            provenance=Provenance(source_id="demo", line=index + 1),
        )
        for index, title in enumerate(titles)
    ]


def _version(titles: list[str], sha: str = "a" * 64, when: int = 0) -> DatasetVersion:
    return DatasetVersion(
        dataset="demo",
        tables=[Table("records", PaperCard, _cards(titles))],
        inputs=[InputFile(source_id="demo", path="demo.md", sha256=sha)],
        warnings=[ParseWarning(line=3, message="not a card")],
        created_at=datetime(2025, 1, 7, 12, 0, when, tzinfo=UTC),
    )


def test_version_holds_records_manifest_schema_and_warnings(tmp_path: Path) -> None:
    result = write_version(tmp_path, _version(["A", "B"]))
    assert result.status == "written"
    files = sorted(path.name for path in result.path.iterdir())
    assert files == [
        "CHANGES.md",
        "changes.json",
        "datapackage.json",
        "manifest.json",
        "records.json",
        "schema.json",
        "warnings.json",
    ]
    assert (tmp_path / "demo" / LATEST).read_text() == result.version + "\n"
    manifest = read_manifest(tmp_path, "demo")
    assert manifest.record_counts == {"records": 2}
    assert manifest.warning_count == 1
    assert manifest.inputs[0].sha256 == "a" * 64
    for entry in manifest.files:
        data = (result.path / entry.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256
        assert len(data) == entry.bytes


def test_schema_json_is_generated_from_the_models(tmp_path: Path) -> None:
    result = write_version(tmp_path, _version(["A"]))
    schema = json.loads((result.path / "schema.json").read_text())
    card_schema = schema["tables"]["records.json"]
    assert card_schema["type"] == "array"
    assert set(PaperCard.model_fields) <= set(card_schema["$defs"]["PaperCard"]["properties"])


def test_same_inputs_write_no_new_version_and_say_unchanged(tmp_path: Path) -> None:
    first = write_version(tmp_path, _version(["A", "B"]))
    second = write_version(tmp_path, _version(["A", "B"], when=5))
    assert second.status == "unchanged"
    assert second.version == first.version
    assert list_versions(tmp_path, "demo") == [first.version]


def test_changed_records_write_a_new_version_with_identical_bytes_for_equal_tables(
    tmp_path: Path,
) -> None:
    first = write_version(tmp_path, _version(["A", "B"]))
    second = write_version(tmp_path, _version(["A", "B", "C"], sha="b" * 64, when=1))
    assert second.status == "written"
    assert latest_version(tmp_path, "demo") == second.version
    assert [r["title"] for r in read_table(tmp_path, "demo")] == ["A", "B", "C"]
    again = write_version(tmp_path / "elsewhere", _version(["A", "B"]))
    assert (again.path / "records.json").read_bytes() == read_version_file(
        first.path / "records.json"
    )


def test_versions_created_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    first = write_version(tmp_path, _version(["A"]))
    second = write_version(tmp_path, _version(["B"], sha="b" * 64))
    assert first.version != second.version
    assert list_versions(tmp_path, "demo") == [first.version, second.version]


def test_interrupted_write_keeps_latest_on_the_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_version(tmp_path, _version(["A"]))

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", crash)
    with pytest.raises(PipelineError, match="not written: disk full"):
        write_version(tmp_path, _version(["B"], sha="b" * 64, when=1))
    monkeypatch.undo()
    assert latest_version(tmp_path, "demo") == good.version
    assert list_versions(tmp_path, "demo") == [good.version]
    leftovers = [p.name for p in (tmp_path / "demo").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_new_version_carries_changes_against_the_previous_one(tmp_path: Path) -> None:
    write_version(tmp_path, _version(["A", "B"]))
    edited = _version(["A", "B corrected", "C"], sha="b" * 64, when=1)
    result = write_version(tmp_path, edited)
    changes = json.loads((result.path / "changes.json").read_text())
    assert len(changes) == 1
    table = changes[0]
    assert [entry["id"] for entry in table["added"]] == ["card-C"]
    assert table["removed"] == []
    (changed,) = table["changed"]
    assert changed["id"] == "card-B"
    assert changed["fields"] == [{"field": "title", "before": "B", "after": "B corrected"}]
    account = (result.path / "CHANGES.md").read_text()
    assert "1 record added; 1 record changed." in account
    assert "title: B -> B corrected" in account


def test_first_version_lists_every_record_as_added(tmp_path: Path) -> None:
    result = write_version(tmp_path, _version(["A", "B"]))
    (table,) = json.loads((result.path / "changes.json").read_text())
    assert table["from_version"] is None
    assert [entry["title"] for entry in table["added"]] == ["A", "B"]


def test_diff_between_any_two_versions(tmp_path: Path) -> None:
    first = write_version(tmp_path, _version(["A", "B"]))
    write_version(tmp_path, _version(["A", "B", "C"], sha="b" * 64, when=1))
    third = write_version(tmp_path, _version(["A", "C"], sha="c" * 64, when=2))
    (table,) = diff_versions(tmp_path, "demo", first.version, third.version)
    assert [entry.title for entry in table.added] == ["C"]
    assert [entry.title for entry in table.removed] == ["B"]


def test_older_versions_are_kept_compressed_and_stay_readable(tmp_path: Path) -> None:
    first = write_version(tmp_path, _version(["A", "B"]))
    second = write_version(tmp_path, _version(["A", "B", "C"], sha="b" * 64, when=1))
    old_files = sorted(path.name for path in first.path.iterdir())
    assert "records.json.zst" in old_files and "records.json" not in old_files
    assert "DELTA_BASE" not in old_files, "the first version is a keyframe: compressed alone"
    assert {"manifest.json", "CHANGES.md", "warnings.json"} <= set(old_files)
    assert (second.path / "records.json").is_file(), "LATEST stays plain JSON"
    assert [r["title"] for r in read_table(tmp_path, "demo", first.version)] == ["A", "B"]
    for entry in read_manifest(tmp_path, "demo", first.version).files:
        data = read_version_file(first.path / entry.name)
        assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.name


def test_a_record_that_only_moved_is_not_reported_as_changed(tmp_path: Path) -> None:
    first = _version(["A", "B"])
    moved = [
        card.model_copy(update={"provenance": Provenance(source_id="demo", line=90)})
        for card in _cards(["A", "B"])
    ]
    write_version(tmp_path, first)
    result = write_version(
        tmp_path,
        DatasetVersion(
            dataset="demo",
            tables=[Table("records", PaperCard, moved)],
            inputs=[InputFile(source_id="demo", path="demo.md", sha256="b" * 64)],
            created_at=datetime(2025, 1, 7, 12, 0, 9, tzinfo=UTC),
        ),
    )
    (table,) = json.loads((result.path / "changes.json").read_text())
    assert table["changed"] == [] and table["added"] == [] and table["removed"] == []


def test_older_versions_are_reverse_deltas_between_keyframes_and_read_back_exactly(
    tmp_path: Path,
) -> None:
    titles = [f"Paper {n}" for n in range(40)]
    written = [
        write_version(tmp_path, _version(titles[: n + 2], sha=f"{n:064d}", when=n))
        for n in range(KEYFRAME_EVERY + 3)
    ]
    names = [result.version for result in written]
    second = tmp_path / "demo" / names[1]
    assert (second / "records.json.zst").is_file()
    assert (second / "DELTA_BASE").read_text() == names[2]
    keyframe = tmp_path / "demo" / names[KEYFRAME_EVERY]
    assert (keyframe / "records.json.zst").is_file() and not (keyframe / "DELTA_BASE").exists()
    assert (tmp_path / "demo" / names[-1] / "records.json").is_file()
    for count, name in enumerate(names, start=2):
        assert [r["title"] for r in read_table(tmp_path, "demo", name)] == titles[:count]
        manifest = read_manifest(tmp_path, "demo", name)
        for entry in manifest.files:
            data = read_version_file(tmp_path / "demo" / name / entry.name)
            assert hashlib.sha256(data).hexdigest() == entry.sha256


def test_keyframes_an_earlier_release_kept_as_xz_still_read(tmp_path: Path) -> None:
    first = write_version(tmp_path, _version(["A", "B"]))
    write_version(tmp_path, _version(["A", "B", "C"], sha="b" * 64, when=1))
    alone = first.path / "records.json.zst"
    plain = read_version_file(first.path / "records.json")
    (first.path / "records.json.xz").write_bytes(lzma.compress(plain, preset=3))
    alone.unlink()
    assert [r["title"] for r in read_table(tmp_path, "demo", first.version)] == ["A", "B"]


@pytest.mark.parametrize(
    ("data", "profile"),
    [
        (b"[]\n", "data-resource"),
        (b" [ \n ] \n", "data-resource"),
        (b'[\n  {\n    "id": "a"\n  }\n]\n', "tabular-data-resource"),
    ],
)
def test_datapackage_describes_an_empty_table_as_plain_data_and_others_as_tables(
    data: bytes, profile: str
) -> None:
    from pipeline.store.datapackage import datapackage

    files = {"warnings.json": data}
    hashes = {"warnings.json": hashlib.sha256(data).hexdigest()}
    package = datapackage("demo", datetime(2026, 1, 1, tzinfo=UTC), [], files, hashes)
    (resource,) = package["resources"]
    assert resource["profile"] == profile and resource["bytes"] == len(data)
