"""SIGKILL at random moments: afterwards every LATEST names a complete version whose
checksums verify, no temporary sits in a version, raw/ is intact and the next run completes;
a replay resumed after kills equals an uninterrupted one byte for byte.

The slow tests kill 20 times each; the default run kills twice."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.scene import (
    Scene,
    check_invariants,
    plain_bytes,
    project_scene,
    stored_bytes,
    write_history,
)

HISTORY_VERSIONS = 40


def kill_at(scene: Scene, moment: float, *args: str) -> None:
    process = scene.start(*args)
    time.sleep(moment)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def timed(scene: Scene, *args: str) -> float:
    started = time.monotonic()
    done = scene.run(*args)
    assert done.returncode in (0, 3), done.stderr
    return time.monotonic() - started


def retitle(scene: Scene, round_: int) -> None:
    """A change of definition, so that the next refresh writes every source again."""
    path = scene.folder / "sources.toml"
    text = path.read_text()
    marker = 'title = "Oral 1D DL Theory'
    head, _, tail = text.partition(marker)
    tail = tail.split('"', 1)[1]
    path.write_text(f'{head}{marker} (round {round_})"{tail}')


def kill_refreshes(tmp_path: Path, kills: int, seed: int) -> None:
    scene = project_scene(tmp_path)
    full = timed(scene, "refresh")
    rng = random.Random(seed)
    for round_ in range(kills):
        retitle(scene, round_)
        kill_at(scene, rng.uniform(0.2, full * 1.1), "refresh")
        problems = check_invariants(scene)
        assert problems == [], f"after kill {round_ + 1}: {problems}"
    done = scene.run("refresh")
    assert done.returncode == 3, done.stderr  # offline: complete, papers pending
    assert "Traceback" not in done.stderr
    assert check_invariants(scene) == []


def kill_replays(tmp_path: Path, kills: int, seed: int, versions: int = HISTORY_VERSIONS) -> None:
    history = write_history(tmp_path / "history", versions)
    reference = Scene(tmp_path / "reference")
    full = timed(reference, "replay", str(history), "hist")

    scene = Scene(tmp_path / "killed")
    rng = random.Random(seed)
    for round_ in range(kills):
        kill_at(scene, rng.uniform(0.3, full * 1.1), "replay", str(history), "hist")
        problems = check_invariants(scene)
        assert problems == [], f"after kill {round_ + 1}: {problems}"
    done = scene.run("replay", str(history), "hist")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert check_invariants(scene) == []
    assert plain_bytes(scene.processed, "hist") == plain_bytes(reference.processed, "hist")
    assert stored_bytes(scene.processed, "hist") == stored_bytes(reference.processed, "hist")


def test_two_killed_refreshes_leave_every_dataset_whole(tmp_path: Path) -> None:
    kill_refreshes(tmp_path, kills=2, seed=13)


def test_a_replay_resumed_after_two_kills_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    kill_replays(tmp_path, kills=2, seed=16, versions=24)


@pytest.mark.slow
def test_twenty_killed_refreshes_leave_every_dataset_whole(tmp_path: Path) -> None:
    kill_refreshes(tmp_path, kills=20, seed=2013)


@pytest.mark.slow
def test_a_replay_resumed_after_twenty_kills_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    kill_replays(tmp_path, kills=20, seed=2016)
