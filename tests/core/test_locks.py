"""One writer per dataset: a second one waits saying who holds it, then refuses in one line;
a lock left by a killed process is taken over, saying whose it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.core.locks import LockBusy, dataset_locks, read_holder

PROJECT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from pipeline.core.locks import dataset_locks
with dataset_locks(Path(sys.argv[1]), ["demo"], wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def holder(processed: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(processed), str(seconds)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    process = holder(tmp_path, 30)
    try:
        with pytest.raises(LockBusy) as busy, dataset_locks(tmp_path, ["demo"], wait=0):
            pass
        message = str(busy.value)
        assert message.startswith(f"dataset demo is being written by PID {process.pid} (")
        assert "\n" not in message
    finally:
        process.kill()
        process.wait()


def test_a_second_writer_waits_saying_so_then_gives_up(tmp_path: Path) -> None:
    process = holder(tmp_path, 30)
    said: list[str] = []
    try:
        started = time.monotonic()
        with (
            pytest.raises(LockBusy, match="gave up after 1 s"),
            dataset_locks(tmp_path, ["demo"], wait=1.0, notify=said.append),
        ):
            pass
        assert 0.9 <= time.monotonic() - started < 10
        assert len(said) == 1
        assert said[0].startswith(f"dataset demo is being written by PID {process.pid} (")
        assert said[0].endswith("; waiting up to 1 s")
    finally:
        process.kill()
        process.wait()


def test_a_waiting_writer_goes_on_when_the_holder_finishes(tmp_path: Path) -> None:
    process = holder(tmp_path, 1.0)
    said: list[str] = []
    with dataset_locks(tmp_path, ["demo"], wait=30, notify=said.append):
        holding = read_holder(tmp_path / "demo" / ".lock")
        assert holding is not None and holding.pid == os.getpid()
    process.wait()
    assert len(said) == 1 and "waiting up to 30 s" in said[0]


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    process = holder(tmp_path, 60)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    said: list[str] = []
    with dataset_locks(tmp_path, ["demo"], wait=0, notify=said.append):
        pass
    assert (
        said == [f"dataset demo: took over the lock left by {said[0].split('left by ')[1]}"]
        and f"PID {process.pid}" in said[0]
        and "no longer running" in said[0]
    )
    # A clean release leaves no holder behind: the next writer takes it silently.
    said.clear()
    with dataset_locks(tmp_path, ["demo"], wait=0, notify=said.append):
        pass
    assert said == []
