"""Progress of long work, for whoever shows it (the command line's progress bars).

Steps report through :func:`progress`; by default nobody listens. The command line installs
a listener for the length of a command (:func:`listening`). Listeners must be thread-safe:
steps may run in a pool of threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Listener(Protocol):
    def update(
        self, task: str, *, done: int | None = None, total: int | None = None, note: str = ""
    ) -> None:
        """Where ``task`` ('fetch', 'arXiv', 'replay'...) stands; None leaves a value as it is."""
        ...


class _Nobody:
    def update(
        self, task: str, *, done: int | None = None, total: int | None = None, note: str = ""
    ) -> None:
        return None


_listener: Listener = _Nobody()


def progress(
    task: str, *, done: int | None = None, total: int | None = None, note: str = ""
) -> None:
    _listener.update(task, done=done, total=total, note=note)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous
