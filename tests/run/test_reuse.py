"""What a refresh reuses: an unchanged one links nothing and writes nothing; a fresh one
finds similar titles once for its two links; a changed source rewrites only its datasets."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.kinds import readme as readme_kind
from pipeline.link.blocking import RememberedPairs
from pipeline.run import refresh as refresh_module
from pipeline.run import steps
from pipeline.run.refresh import refresh as run_refresh
from pipeline.store import versions
from pipeline.store.versions import read_table
from tests.conftest import PROJECT_DIR, settings_for
from tests.fake_arxiv import FakeArxiv, FakePaper


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    return tmp_path


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """The arguments of every call of ``owner.name`` from now on (it still runs)."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(owner, name, counted)
    return calls


def forbid(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError(f"{name} ran in a refresh where nothing changed")

    monkeypatch.setattr(owner, name, refused)


def test_an_unchanged_refresh_neither_links_nor_writes(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_refresh(settings_for(folder))
    papers = read_table(folder / "processed", steps.PAPERS_DATASET)
    forbid(monkeypatch, steps, "parse_snapshot")
    forbid(monkeypatch, steps, "link_papers")
    forbid(monkeypatch, versions, "write_version")
    forbid(monkeypatch, steps, "write_version")
    # Nor reads the records back, nor looks for a README's list files again: the
    # checksums of LATEST's files and what the last run found decide.
    forbid(monkeypatch, steps, "materialise")
    forbid(monkeypatch, readme_kind, "linked_list_files")
    second = run_refresh(settings_for(folder))
    assert [(r.dataset, r.version, r.status) for r in second.results] == [
        (r.dataset, r.version, "unchanged") for r in first.results
    ]
    assert second.notes == first.notes and second.warnings == first.warnings
    assert [r.record_counts for r in second.results] == [r.record_counts for r in first.results]
    assert second.enrichment == first.enrichment
    assert read_table(folder / "processed", steps.PAPERS_DATASET) == papers


def test_a_fresh_refresh_searches_similar_titles_once_for_its_two_links(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[RememberedPairs] = []

    class Recorded(RememberedPairs):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(refresh_module, "RememberedPairs", Recorded)
    links = count_calls(monkeypatch, steps, "link_mentions")
    run_refresh(settings_for(folder))
    assert len(links) == 2  # before and after enrichment
    assert [pairs.searches for pairs in made] == [1]


def test_a_changed_source_rewrites_its_dataset_and_the_papers_only(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_refresh(settings_for(folder))
    capture = folder / "raw" / "000_9da80035aa0ccbc3.txt"
    capture.write_text(capture.read_text().replace("Abide by the law", "Abide by the Law"))
    written: list[str] = []
    write_version = versions.write_version

    def recorded(
        processed: Path, version: versions.DatasetVersion, **options: Any
    ) -> versions.WriteResult:
        written.append(version.dataset)
        return write_version(processed, version, **options)

    monkeypatch.setattr(steps, "write_version", recorded)
    summary = run_refresh(settings_for(folder))
    assert written == ["neurips-2023-oral-1d-dl-theory", steps.PAPERS_DATASET]
    status = {result.dataset: result.status for result in summary.results}
    assert status["neurips-2023-oral-1d-dl-theory"] == "written"
    assert status["awesome-deep-phenomena"] == "unchanged"


def test_new_arxiv_answers_for_unchanged_sources_link_once_and_rewrite(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_refresh(settings_for(folder))  # offline: every paper pending
    papers = read_table(folder / "processed", steps.PAPERS_DATASET)
    known = [
        FakePaper(f"2401.{n:05d}", p["title"], p["authors"] or ["A B"])
        for n, p in enumerate(papers[:40])
    ]
    forbid(monkeypatch, steps, "parse_snapshot")
    links = count_calls(monkeypatch, steps, "link_papers")
    with FakeArxiv(known) as fake:
        online = settings_for(folder).model_copy(
            update={"offline": False, "arxiv_api_url": fake.url, "arxiv_delay_seconds": 0.0}
        )
        summary = run_refresh(online)
    assert len(links) == 1  # the stored link served before enrichment; one link after it
    assert {result.status for result in summary.results} == {"written"}
    assert summary.enrichment.get("enriched", 0) > 0


def test_an_unchanged_refresh_still_finishes_what_a_killed_writer_left(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_refresh(settings_for(folder))
    dataset = folder / "processed" / "awesome-deep-phenomena"
    staging = dataset / ".tmp-killed"
    staging.mkdir()
    (staging / "records.json").write_text("[")
    forbid(monkeypatch, steps, "link_papers")
    forbid(monkeypatch, steps, "write_version")
    summary = run_refresh(settings_for(folder))
    assert {result.status for result in summary.results} == {"unchanged"}
    assert not staging.exists()
    assert any("awesome-deep-phenomena: removed 1 temporaries" in n for n in summary.notes)


def test_a_version_published_but_not_named_is_named_before_anything_is_reused(
    folder: Path,
) -> None:
    run_refresh(settings_for(folder))
    capture = folder / "raw" / "000_9da80035aa0ccbc3.txt"
    capture.write_text(capture.read_text().replace("Abide by the law", "Abide by the Law"))
    changed = run_refresh(settings_for(folder))
    dataset = folder / "processed" / "neurips-2023-oral-1d-dl-theory"
    newest = next(r.version for r in changed.results if r.dataset == dataset.name)
    older = versions.list_versions(folder / "processed", dataset.name)[-2]
    (dataset / versions.LATEST).write_text(older + "\n")  # killed before LATEST moved
    summary = run_refresh(settings_for(folder))
    status = {result.dataset: (result.status, result.version) for result in summary.results}
    assert status[dataset.name] == ("unchanged", newest)
    assert any(f"LATEST now names {newest}" in note for note in summary.notes)


def test_a_stored_version_that_no_longer_reads_is_parsed_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its checksums verify, so it stands while nothing changed; once the run needs the
    records (here: arXiv has news) and they do not read back, the snapshot is parsed."""
    run_refresh(settings_for(folder))

    def unreadable(*_: object) -> None:
        raise ValueError("not the records' shape")

    monkeypatch.setattr(steps.check_kind("readme"), "reload", unreadable)
    parsed = count_calls(monkeypatch, steps, "parse_snapshot")
    monkeypatch.setattr(steps, "standing_versions", lambda *_: None)  # something changed
    summary = run_refresh(settings_for(folder))
    assert [snapshot.source.id for (snapshot,) in parsed] == ["awesome-deep-phenomena"]
    assert {result.status for result in summary.results} == {"unchanged"}
