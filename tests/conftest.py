"""Shared fixtures: where ../shared is, and an isolated pipeline folder per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.models import Source
from pipeline.sources.config import load_sources

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_DIR.parent / "shared"
CORPUS_DIR = SHARED_DIR / "corpus" / "awesome-deep-phenomena"
SEEDS_DIR = SHARED_DIR / "seeds"
README_AD1EB52 = CORPUS_DIR / "README@ad1eb52-2025-01-07.md"
HISTORY_TARBALL = CORPUS_DIR / "readme-history.tar.xz"


def require(path: Path) -> Path:
    """The path, or skip the test saying which shared file is missing."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus (../shared) is not beside the project")
    return path


def run_python(script: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter with the project importable: no thread of pytest's
    process runs there (a worker is forked only from a process without other threads)."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_same_files(left: Path, right: Path, *, at_least: int) -> None:
    """The two folders hold the same names and, file for file, the same bytes."""
    names = sorted(path.relative_to(left) for path in left.rglob("*"))
    assert names == sorted(path.relative_to(right) for path in right.rglob("*"))
    assert len(names) > at_least
    for relative in names:
        if (left / relative).is_file():
            assert (left / relative).read_bytes() == (right / relative).read_bytes(), relative


def settings_for(folder: Path) -> Settings:
    """Settings for a whole pipeline run inside ``folder`` (offline: raw/ serves)."""
    return Settings(
        sources_file=folder / "sources.toml",
        raw_dir=folder / "raw",
        processed_dir=folder / "processed",
        state_dir=folder / "state",
        offline=True,
    )


def seed_sources() -> dict[str, Source]:
    """The sources of sources.toml by snapshot name: the seeds' real metadata, in one place."""
    return {
        source.snapshot: source
        for source in load_sources(PROJECT_DIR / "sources.toml")
        if source.snapshot is not None
    }


def seed_text(name: str) -> str:
    """A seed capture from ../shared/seeds, or skip saying it is absent."""
    return require(SEEDS_DIR / name).read_text(encoding="utf-8")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of sources.toml and raw/ in a temporary folder, with PIPELINE_* pointing at it."""
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml")
    monkeypatch.setenv("PIPELINE_SOURCES_FILE", str(tmp_path / "sources.toml"))
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("PIPELINE_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PIPELINE_OFFLINE", "true")
    return tmp_path
