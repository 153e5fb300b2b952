"""Who may write where: one lock per dataset, one per state folder (filelock, flock-based).

- ``processed/<dataset>/.lock``: held by whoever writes a version of that dataset (a
  refresh, an ingestion, a replay, or :func:`pipeline.store.versions.write_version` from
  your own code), so two writers never interleave and never race for a version name.
- ``<state folder>/run.lock``: held by a refresh or an ingestion for the whole run: they
  share the state folder's snapshot records, arXiv cache and Prefect home.

A holder writes who it is into the lock file (PID, host, command, since when); a second run
waits up to ``PIPELINE_LOCK_WAIT_SECONDS`` saying so, then refuses in one line: ``dataset X is
being written by PID N (...)``. flock locks die with their process, so a lock left by a
killed run is simply taken, and the leftover holder line says whose it was.

Locks are re-entrant within a process (a chain holds its datasets' locks and
``write_version`` takes them again), not between processes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.core.errors import PipelineError

logger = logging.getLogger(__name__)

DATASET_LOCK = ".lock"
STATE_LOCK = "run.lock"
_HOLDER_BYTES = 4096

Notify = Callable[[str], None]


class LockBusy(PipelineError):
    """Another process holds the lock; the message says who."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock, as its lock file says."""

    pid: int
    host: str
    command: str
    since: str

    def describe(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"PID {self.pid}{where} ({self.command}, since {self.since})"

    @classmethod
    def parse(cls, data: bytes) -> Holder | None:
        try:
            fields = json.loads(data.decode("utf-8"))
            return cls(
                int(fields["pid"]),
                str(fields["host"]),
                str(fields["command"]),
                str(fields["since"]),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None


def _me() -> bytes:
    command = " ".join(["paper-pipeline", *sys.argv[1:2]]) if sys.argv else "python"
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(holder).encode("utf-8")


# Lock files whose last holder died without releasing them, by path: reported once.
_taken_over: dict[str, Holder] = {}
_taken_over_guard = threading.Lock()


def _stamp(fd: int) -> None:
    """filelock's on_acquired hook: note a dead holder's leftover line, then write ours."""
    previous = os.pread(fd, _HOLDER_BYTES, 0)
    holder = Holder.parse(previous) if previous.strip() else None
    if holder is not None:
        path = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else str(fd)
        with _taken_over_guard:
            _taken_over[path] = holder
    os.ftruncate(fd, 0)
    os.pwrite(fd, _me(), 0)


def read_holder(path: Path) -> Holder | None:
    """Who holds the lock at ``path`` now (or held it last, if it died), if anyone says."""
    try:
        with open(path, "rb") as handle:
            return Holder.parse(handle.read(_HOLDER_BYTES))
    except OSError:
        return None


def _lock(path: Path) -> FileLock:
    # One instance per path and process (is_singleton), counted across threads: a chain's
    # steps may run on worker threads of the flow's process.
    return FileLock(str(path), thread_local=False, is_singleton=True, on_acquired=_stamp)


@contextmanager
def exclusive(
    path: Path, name: str, activity: str, *, wait: float, notify: Notify | None = None
) -> Iterator[None]:
    """Hold the lock at ``path`` for the block; messages say ``f"{name} is {activity} by
    {holder}"`` ("dataset papers is being written by PID 4242 (...)")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(path.resolve())
    tell = notify or logger.warning
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = read_holder(path)
        busy = f"{name} is {activity} by {holder.describe() if holder else 'another process'}"
        if wait <= 0:
            raise LockBusy(busy) from None
        tell(f"{busy}; waiting up to {wait:g} s")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise LockBusy(f"{busy}; gave up after {wait:g} s") from None
    with _taken_over_guard:
        dead = _taken_over.pop(str(path.resolve()), None)
    if dead is not None and dead.pid != os.getpid():
        tell(f"{name}: took over the lock left by {dead.describe()}, no longer running")
    try:
        yield
    finally:
        if lock.lock_counter == 1:
            # A clean release leaves an empty lock file; a line left in it means its holder died.
            with suppress(OSError):
                os.truncate(path, 0)
        lock.release()


def dataset_lock_path(processed_dir: Path, dataset: str) -> Path:
    return processed_dir / dataset / DATASET_LOCK


@contextmanager
def dataset_locks(
    processed_dir: Path, datasets: list[str], *, wait: float, notify: Notify | None = None
) -> Iterator[None]:
    """Hold the locks of several datasets (taken in name order, so two runs never deadlock)."""
    with ExitStack() as stack:
        for dataset in sorted(set(datasets)):
            stack.enter_context(
                exclusive(
                    dataset_lock_path(processed_dir, dataset),
                    f"dataset {dataset}",
                    "being written",
                    wait=wait,
                    notify=notify,
                )
            )
        yield


@contextmanager
def state_lock(state_dir: Path, *, wait: float, notify: Notify | None = None) -> Iterator[None]:
    """Hold the state folder's lock for a run that fetches, keeps snapshots and asks arXiv."""
    with exclusive(
        state_dir / STATE_LOCK, f"state folder {state_dir}", "in use", wait=wait, notify=notify
    ):
        yield
