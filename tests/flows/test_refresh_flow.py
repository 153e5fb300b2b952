"""The refresh flow on Prefect's temporary server, over a copy of the embedded default."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.store.versions import latest_version, read_manifest
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.slow

DATASETS = [
    "awesome-deep-phenomena",
    "icml-2021-overparameterization",
    "icml-2023-hild",
    "neurips-2023-oral-1d-dl-theory",
    "papers",
]


@pytest.fixture(scope="module")
def prefect_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the module: a kept home starts in seconds, a fresh one in ~15 s."""
    return tmp_path_factory.mktemp("state")


def refresh(project: Path, state: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIPELINE_SOURCES_FILE": str(project / "sources.toml"),
        "PIPELINE_RAW_DIR": str(project / "raw"),
        "PIPELINE_PROCESSED_DIR": str(project / "processed"),
        "PIPELINE_STATE_DIR": str(state),
        "PIPELINE_OFFLINE": "true",
    }
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "refresh"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    # 3: done but partial: offline, so every paper's enrichment is pending
    assert result.returncode == 3, output
    assert "Traceback" not in output, output
    assert "database is locked" not in output, output
    assert not [line for line in output.splitlines() if "| ERROR" in line or "error:" in line]


def test_refresh_writes_a_version_per_source_then_says_unchanged(
    project_copy: Path, prefect_state: Path
) -> None:
    first = refresh(project_copy, prefect_state)
    assert_clean(first)
    processed = project_copy / "processed"
    versions = {source: latest_version(processed, source) for source in DATASETS}
    assert all(versions.values()), first.stdout
    assert read_manifest(processed, "awesome-deep-phenomena").record_counts["records"] == 543
    assert read_manifest(processed, "icml-2021-overparameterization").record_counts == {
        "records": 62,
        "events": 1,
        "papers": 45,
    }
    assert "arXiv: " in first.stdout and "pending" in first.stdout
    assert (prefect_state / "prefect").is_dir(), "Prefect's home must live in the state folder"
    # the run's report is a Prefect markdown artifact, kept in Prefect's own database
    with sqlite3.connect(prefect_state / "prefect" / "prefect.db") as database:
        keys = [row[0] for row in database.execute("SELECT key FROM artifact")]
        (markdown,) = database.execute(
            "SELECT data FROM artifact WHERE key = 'refresh-report' ORDER BY created DESC"
        ).fetchmany(1)[0:1] or [("",)]
    assert "refresh-report" in keys
    assert "## Papers per topic" in str(markdown)
    records = {
        source: (processed / source / str(version) / "records.json").read_bytes()
        for source, version in versions.items()
    }

    second = refresh(project_copy, prefect_state)
    assert_clean(second)
    assert second.stdout.count("unchanged") == len(DATASETS), second.stdout
    assert {source: latest_version(processed, source) for source in DATASETS} == versions

    # a rebuild from nothing gives byte-identical records
    fresh = project_copy / "fresh"
    fresh.mkdir()
    (fresh / "raw").symlink_to(project_copy / "raw")
    (fresh / "sources.toml").symlink_to(project_copy / "sources.toml")
    assert_clean(refresh(fresh, prefect_state))
    for source, data in records.items():
        version = latest_version(fresh / "processed", source)
        assert (fresh / "processed" / source / str(version) / "records.json").read_bytes() == data
