"""One arXiv request at a time, ``delay`` seconds apart, across threads and processes.

The time of the last request lives in a lock file under the state folder; an exclusive
``flock`` on it is held for the whole request, so every task, thread and worker process of
a run that shares the state folder shares one connection and one clock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RequestLimiter:
    """A cross-process rate limiter backed by ``lock_path``."""

    def __init__(self, lock_path: Path, delay_seconds: float) -> None:
        self.lock_path = lock_path
        self.delay_seconds = delay_seconds

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for our turn, then hold it while the body (one request) runs."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh descriptor per slot: flock locks belong to the open file description,
        # so threads of one process exclude each other as well as processes do.
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                time.sleep(self._wait(self._read_last(fd)))
                try:
                    yield
                finally:
                    # The end of the request, so the gap is counted from when the
                    # connection was released rather than from when it was opened.
                    self._write_last(fd, time.time())
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _wait(self, last: float | None) -> float:
        if last is None:
            return 0.0
        # Clamped: a clock stepped backwards must not stall the run.
        return min(max(last + self.delay_seconds - time.time(), 0.0), self.delay_seconds)

    @staticmethod
    def _read_last(fd: int) -> float | None:
        raw = os.pread(fd, 64, 0)
        try:
            return float(raw.decode("ascii").strip())
        except ValueError:  # empty (new file) or garbage: no previous request known
            return None

    @staticmethod
    def _write_last(fd: int, timestamp: float) -> None:
        data = f"{timestamp:.6f}\n".encode("ascii")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
