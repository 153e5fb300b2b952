"""Incremental refresh: an unchanged snapshot is not parsed again and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.run import steps
from pipeline.run.refresh import refresh as run_refresh
from pipeline.store.versions import read_table
from tests.conftest import PROJECT_DIR, settings_for


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    return tmp_path


def test_second_run_parses_nothing_and_writes_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_refresh(settings_for(folder))
    assert {result.status for result in first.results} == {"written"}
    papers = read_table(folder / "processed", "papers")

    def no_parsing(*_: object) -> None:
        raise AssertionError("an unchanged snapshot was parsed again")

    monkeypatch.setattr(steps, "parse_snapshot", no_parsing)
    second = run_refresh(settings_for(folder))
    assert {result.status for result in second.results} == {"unchanged"}
    assert second.warnings == first.warnings
    assert read_table(folder / "processed", "papers") == papers


def test_a_changed_snapshot_is_parsed_and_only_its_datasets_change(folder: Path) -> None:
    run_refresh(settings_for(folder))
    capture = folder / "raw" / "000_9da80035aa0ccbc3.txt"
    capture.write_text(capture.read_text().replace("Abide by the law", "Abide by the Law"))
    summary = run_refresh(settings_for(folder))
    status = {result.dataset: result.status for result in summary.results}
    assert status["neurips-2023-oral-1d-dl-theory"] == "written"
    assert status["icml-2021-overparameterization"] == "unchanged"
    assert status["awesome-deep-phenomena"] == "unchanged"
