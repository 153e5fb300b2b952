"""Runs at the same time on the same folders: no interleaved writes, one clear message."""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.sources.config import load_sources
from pipeline.store.versions import list_versions
from tests.conftest import PROJECT_DIR
from tests.reliability.scene import Scene, check_invariants, project_scene, write_history

# Every source of the project's sources.toml, and the linked papers.
DATASETS = [source.id for source in load_sources(PROJECT_DIR / "sources.toml")] + ["papers"]


def wait_for_lock(scene: Scene, dataset: str, seconds: float = 60) -> None:
    """Until the first run holds the dataset's lock (its lock file names it)."""
    lock = scene.processed / dataset / ".lock"
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if lock.exists() and lock.stat().st_size:
            return
        time.sleep(0.02)
    raise AssertionError(f"{dataset} never locked")


def test_two_refreshes_started_together_write_each_dataset_once(tmp_path: Path) -> None:
    scene = project_scene(tmp_path)
    first, second = scene.start("refresh"), scene.start("refresh")
    outputs = [process.communicate(timeout=600) for process in (first, second)]
    codes = [first.returncode, second.returncode]
    assert codes == [3, 3], outputs  # both complete (offline: papers pending)
    stdout = "".join(out for out, _ in outputs)
    assert stdout.count(": written ") == len(DATASETS)  # one run wrote, the other found
    assert stdout.count(": unchanged ") == len(DATASETS)  # everything already there
    waited = [err for _, err in outputs if "is in use by PID" in err]
    assert len(waited) == 1 and "waiting up to 60 s" in waited[0]
    for dataset in DATASETS:
        assert len(list_versions(scene.processed, dataset)) == 1
    assert check_invariants(scene) == []


def test_a_refresh_during_a_replay_of_its_dataset_refuses_in_one_line(tmp_path: Path) -> None:
    scene = project_scene(tmp_path)
    history = write_history(tmp_path / "history", 40)
    replaying = scene.start(
        "replay", str(history), "awesome-deep-phenomena", RUN_CHAIN_HOLD_SECONDS="3"
    )
    try:
        wait_for_lock(scene, "awesome-deep-phenomena")
        refused = scene.run("refresh", PIPELINE_LOCK_WAIT_SECONDS="0")
    finally:
        replayed = replaying.communicate(timeout=600)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert lines[0].startswith(
        f"error: dataset awesome-deep-phenomena is being written by PID {replaying.pid} ("
    )
    assert not (scene.processed / "papers").exists()  # the refresh wrote nothing at all
    assert replaying.returncode == 0, replayed
    assert len(list_versions(scene.processed, "awesome-deep-phenomena")) == 40
    assert check_invariants(scene) == []


def test_two_replays_of_one_dataset_at_once_write_each_version_once(tmp_path: Path) -> None:
    scene = Scene(tmp_path / "pipeline")
    history = write_history(tmp_path / "history", 30)
    first = scene.start("replay", str(history), "hist", RUN_CHAIN_HOLD_SECONDS="3")
    wait_for_lock(scene, "hist")
    second = scene.start("replay", str(history), "hist")
    outputs = [process.communicate(timeout=600) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    written = sorted(int(out.split(": ")[1].split()[0]) for out, _ in outputs)
    assert written == [0, 30]  # the second waited, then found every version written
    assert [err for _, err in outputs if "is being written by PID" in err]
    versions = list_versions(scene.processed, "hist")
    assert len(versions) == 30 and not [v for v in versions if "-" in v]  # no '-2' twins
    assert check_invariants(scene) == []
