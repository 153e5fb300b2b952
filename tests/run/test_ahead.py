"""run/ahead.py: the next batch computed in a worker process, results in order, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pipeline.core.errors import PipelineError
from pipeline.run import ahead
from pipeline.run.ahead import read_ahead
from tests.conftest import PROJECT_DIR, run_python


def in_clean_interpreter(body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` where no other thread runs, as a script without a main guard: the
    worker must never run it a second time."""
    script = "import os\nfrom pipeline.run.ahead import read_ahead\n" + textwrap.dedent(body)
    return run_python(script)


def test_a_worker_reads_ahead_in_another_process_and_results_come_in_order() -> None:
    done = in_clean_interpreter(
        """
        print("script ran")
        from tests.run.test_ahead import pid_and_sum
        batches = [[n, n + 1] for n in range(0, 10, 2)]
        results = list(read_ahead(batches, pid_and_sum, worker=True))
        assert [total for _, (_, total) in results] == [1, 5, 9, 13, 17]
        assert [batch for batch, _ in results] == batches
        pids = {pid for _, (pid, _) in results}
        assert len(pids) == 1 and os.getpid() not in pids, pids
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    # the worker never runs the caller's script again (it has no main guard)
    assert done.stdout.split() == ["script", "ran", "ok"]


def pid_and_sum(batch: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(batch)


def killed(batch: list[int]) -> int:
    os.kill(os.getpid(), 9)
    return 0


def test_a_killed_worker_is_a_one_line_error() -> None:
    done = in_clean_interpreter(
        """
        from pipeline.core.errors import PipelineError
        from tests.run.test_ahead import killed
        try:
            list(read_ahead([[1], [2], [3]], killed, worker=True))
        except PipelineError as error:
            print(error)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "stopped" in done.stdout


def test_with_another_thread_running_everything_is_computed_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        results = list(read_ahead([[1], [2], [3]], pid_and_sum, worker=True))
    finally:
        stop.set()
        thread.join()
    assert [result for _, result in results] == [(os.getpid(), n) for n in (1, 2, 3)]


def test_a_single_batch_or_no_worker_is_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "_fork_context", lambda: pytest.fail("no worker wanted"))
    assert list(read_ahead([[1, 2]], pid_and_sum, worker=True)) == [([1, 2], (os.getpid(), 3))]
    assert [r for _, r in read_ahead([[1], [2]], pid_and_sum, worker=False)] == [
        (os.getpid(), 1),
        (os.getpid(), 2),
    ]


def test_errors_of_the_step_reach_the_caller_as_they_are() -> None:
    with pytest.raises(PipelineError, match="bad batch"):
        list(read_ahead([[1]], failing, worker=True))


def failing(batch: list[int]) -> int:
    raise PipelineError("bad batch")


def sleeper(batch: list[str]) -> int:
    Path(batch[0]).write_text(str(os.getpid()))
    time.sleep(120)
    return 0


def test_a_worker_dies_with_the_process_that_reads_ahead(tmp_path: Path) -> None:
    pid_file = tmp_path / "worker.pid"
    script = textwrap.dedent(
        f"""
        from pipeline.run.ahead import read_ahead
        from tests.run.test_ahead import sleeper
        list(read_ahead([[{str(pid_file)!r}], ["unused"]], sleeper, worker=True))
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        parent.kill()  # SIGKILL: no cleanup runs in the parent
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(worker):
            assert time.monotonic() < deadline, "the worker outlived its parent"
            time.sleep(0.05)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (dead, not yet reaped by init) counts as gone
    status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    return status != "Z"
