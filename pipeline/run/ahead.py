"""Work read ahead in another process: the next batch is computed while this one is used.

A replay parses a list's versions and writes them in commit order. Writing must stay in the
process that holds the dataset's lock, but parsing need not: with one worker process, batch
k+1 is parsed on another core while batch k is written, so a replay takes about as long as
the larger of the two instead of their sum. One worker, not more: it keeps the parse caches
that successive snapshots of a README share (:mod:`pipeline.parse.readme.blocks`). Where no
worker can be made safely, everything is computed in this process, in the same order.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing.context import BaseContext
from typing import TypeVar

from pipeline.core.errors import PipelineError

T = TypeVar("T")
R = TypeVar("R")


def read_ahead(
    batches: Iterable[T], step: Callable[[T], R], *, worker: bool
) -> Iterator[tuple[T, R]]:
    """``(batch, step(batch))`` in order; with ``worker``, each step runs in one worker
    process, one batch ahead of the caller. A single batch is computed here (a process
    would only add its start). ``step`` must be picklable (a module's function, a partial);
    batches are never None.
    """
    batches = iter(batches)
    first = list(islice(batches, 2))
    context = _fork_context() if worker and len(first) == 2 else None
    if context is None:
        for batch in [*first, *batches]:
            yield batch, step(batch)
        return
    parent = os.getpid()
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=_die_with, initargs=(parent,)
    ) as pool:
        pending: list[tuple[T, Future[R]]] = [(batch, pool.submit(step, batch)) for batch in first]
        try:
            while pending:
                batch, future = pending.pop(0)
                result = future.result()
                following = next(batches, None)
                if following is not None:  # submitted before the caller uses this result
                    pending.append((following, pool.submit(step, following)))
                yield batch, result
        except BrokenProcessPool:
            raise PipelineError(
                "the process reading ahead stopped (killed, or out of memory); "
                "run again to go on where it stopped"
            ) from None
        finally:
            for _, future in pending:
                future.cancel()


def _fork_context() -> BaseContext | None:
    """Fork, where it is safe: on Linux, from a process with no other thread (a lock another
    thread held would stay locked in the child). Never spawn: a new interpreter imports the
    caller's script again, and a script without a main guard would run twice."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


_PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies


def _die_with(parent: int) -> None:
    """In the worker: be killed when the process that reads ahead dies, even by SIGKILL (a
    forked worker holds both ends of its pipes, so it would never see them close)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
