"""The collector's setting for a run: raised for the block, restored after, shared."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.collection import RUN_THRESHOLD, fewer_collections
from pipeline.core.settings import Settings
from pipeline.run import steps


@pytest.fixture(autouse=True)
def default_threshold() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_a_run_collects_young_objects_less_often_and_restores_the_setting() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (RUN_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_runs_restore_the_setting_only_when_the_outer_one_ends() -> None:
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == RUN_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_a_failed_run_restores_the_setting() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_program_with_a_higher_threshold_keeps_it() -> None:
    gc.set_threshold(200_000, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (200_000, 5, 5)
    assert gc.get_threshold() == (200_000, 5, 5)


def test_runs_in_two_threads_share_the_setting_until_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other_run() -> None:
        with fewer_collections():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_run)
    with fewer_collections():
        thread.start()
        assert inside.wait(10)
    assert gc.get_threshold()[0] == RUN_THRESHOLD  # the other run goes on
    release.set()
    thread.join(10)
    assert gc.get_threshold() == (700, 10, 10)


def test_every_run_chain_holds_fewer_collections_with_its_locks(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", processed_dir=tmp_path / "out")
    with steps.run_locks(settings, ["demo"], lambda note: None):
        assert gc.get_threshold()[0] == RUN_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)
