"""Nothing trusted, nothing lost in the store: edited or damaged versions are never reused,
a damaged delta is one line for the versions that need it, and a write finishes what a
killed writer left."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.core.errors import PipelineError
from pipeline.models import InputFile, PaperCard, Provenance
from pipeline.store import versions as versions_module
from pipeline.store.compaction import KEYFRAME_EVERY
from pipeline.store.versions import (
    DatasetVersion,
    Table,
    latest_from_inputs,
    latest_version,
    list_versions,
    read_table,
    verify_version,
    write_version,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def version(n: int, dataset: str = "demo") -> DatasetVersion:
    """The n-th of a growing list: n + 3 cards, one of them retitled each time."""
    cards = [
        PaperCard(
            id=f"card-{i}",
            title=f"Paper {i}" + (f" (rev {n})" if i == n % 5 else ""),
            provenance=Provenance(source_id=dataset, line=i + 1),
        )
        for i in range(n + 3)
    ]
    return DatasetVersion(
        dataset=dataset,
        tables=[Table("records", PaperCard, cards)],
        inputs=[InputFile(source_id=dataset, path=f"{n:04d}.md", sha256=f"{n:064x}")],
        created_at=T0 + timedelta(days=n),
    )


def all_files(processed: Path, dataset: str = "demo") -> dict[str, bytes]:
    from pipeline.store.compaction import read_version_file

    out = {}
    for name in list_versions(processed, dataset):
        for entry in sorted((processed / dataset / name).iterdir()):
            plain = entry.name.removesuffix(".zst").removesuffix(".xz")
            out[f"{name}/{plain}"] = read_version_file(processed / dataset / name / plain)
    return out


def test_an_edited_latest_is_neither_reused_nor_taken_as_unchanged(tmp_path: Path) -> None:
    first = write_version(tmp_path, version(1))
    records = first.path / "records.json"
    records.write_text(records.read_text().replace("Paper 0", "Paper 0 EDITED"))

    assert verify_version(tmp_path, "demo", first.version) == [
        f"demo/{first.version}/records.json: checksum differs from the manifest's"
    ]
    assert latest_from_inputs(tmp_path, "demo", version(1).inputs) is None
    with pytest.raises(PipelineError, match="damaged"):
        read_table(tmp_path, "demo", first.version)

    again = write_version(tmp_path, version(1))
    assert again.status == "written" and again.version != first.version
    assert any("does not match its manifest" in note for note in again.notes)
    assert all("EDITED" not in r["title"] for r in read_table(tmp_path, "demo", again.version))


def test_a_damaged_delta_is_one_line_for_the_versions_that_need_it_and_no_other(
    tmp_path: Path,
) -> None:
    for n in range(40):
        write_version(tmp_path, version(n))
    names = list_versions(tmp_path, "demo")
    damaged_at = 20  # a delta between the keyframes at 0 and 32
    delta = tmp_path / "demo" / names[damaged_at] / "records.json.zst"
    data = bytearray(delta.read_bytes())
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0xFF
    delta.write_bytes(bytes(data))

    unreadable = []
    for position, name in enumerate(names):
        try:
            read_table(tmp_path, "demo", name)
        except PipelineError as exc:
            assert "\n" not in str(exc) and names[damaged_at] in str(exc)
            unreadable.append(position)
    # Older versions are deltas against newer ones, back to the keyframe before.
    keyframe = (damaged_at // KEYFRAME_EVERY) * KEYFRAME_EVERY
    assert unreadable == list(range(keyframe + 1, damaged_at + 1))


def test_diff_of_a_damaged_version_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        write_version(tmp_path, version(n))
    names = list_versions(tmp_path, "demo")
    delta = tmp_path / "demo" / names[0] / "records.json.zst"
    delta.write_bytes(delta.read_bytes()[:20] + b"garbage" * 10)
    monkeypatch.setenv("PIPELINE_PROCESSED_DIR", str(tmp_path))
    assert main(["diff", "demo", names[0], names[1]]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: demo/") and "damaged" in error and error.count("\n") == 1


def test_a_write_finishes_a_version_a_killed_writer_published_but_did_not_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uninterrupted = tmp_path / "a"
    for n in range(4):
        write_version(uninterrupted, version(n))

    resumed = tmp_path / "b"
    write_version(resumed, version(0))
    write_version(resumed, version(1))

    def killed(temps: object) -> None:
        raise SystemExit("killed between publishing the version and naming it")

    monkeypatch.setattr(versions_module, "finish_replacing", killed)
    with pytest.raises(SystemExit):
        write_version(resumed, version(2))
    monkeypatch.undo()
    assert latest_version(resumed, "demo") == list_versions(resumed, "demo")[1]
    (resumed / "demo" / ".records.json.zst.abc123.tmp").write_bytes(b"half")  # a killed compaction

    finished = write_version(resumed, version(3))
    assert any("LATEST now names" in note for note in finished.notes)
    assert any("temporaries" in note for note in finished.notes)
    assert all_files(resumed) == all_files(uninterrupted)
    assert not [p for p in (resumed / "demo").rglob("*.tmp")]


def test_a_second_writer_in_the_same_second_gets_its_own_version_name(tmp_path: Path) -> None:
    first = write_version(tmp_path, version(1))
    same_second = version(2)
    same_second = DatasetVersion(
        dataset="demo",
        tables=same_second.tables,
        inputs=same_second.inputs,
        created_at=version(1).created_at,
    )
    second = write_version(tmp_path, same_second)
    assert second.version == f"{first.version}-2"
    assert json.loads((second.path / "manifest.json").read_text())["version"] == second.version


@pytest.mark.parametrize("dataset", ["../x", "/abs", "x\n", "a" * 300, ""])
def test_write_version_refuses_a_name_that_is_no_dataset_name(tmp_path: Path, dataset: str) -> None:
    with pytest.raises(PipelineError, match="not a valid dataset name"):
        write_version(
            tmp_path / "processed",
            version(1, dataset="ok").__class__(dataset=dataset, tables=[], inputs=[]),
        )
    assert not (tmp_path / "x").exists() and not Path("/abs").exists()
