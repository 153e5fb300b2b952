"""Where a run chain's steps run: in this process, or as tasks of an orchestrator.

Each chain in :mod:`pipeline.run` is written once, over a :class:`Runner`. In-process
(:data:`IN_PROCESS`) a step is a plain call; the Prefect flows pass a runner whose ``map``
maps a task over the items on the flow's task runner (threads or a Dask cluster) and whose
``call`` runs a task in the flow's own process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

R = TypeVar("R")

logger = logging.getLogger("pipeline.run")


class Runner(Protocol):
    def map(self, step: Callable[..., R], items: Sequence[Any], *args: Any) -> list[R]:
        """``[step(item, *args) for item in items]``, possibly in parallel, in order."""
        ...

    def call(self, step: Callable[..., R], *args: Any) -> R:
        """``step(*args)`` in this process, now (writes and arXiv go through here)."""
        ...

    def info(self, message: str) -> None:
        """Progress a person may want to follow."""
        ...

    def note(self, message: str) -> None:
        """Something a person should know about the run (a fallback, a skipped source)."""
        ...

    def publish(self, key: str, render: Callable[[], str]) -> None:
        """A run's summary, where the orchestrator shows such things (a Prefect artifact);
        ``render`` makes its Markdown, only when there is somewhere to show it."""
        ...


class InProcess:
    """Every step a plain call, one after the other; messages to the logging module."""

    def map(self, step: Callable[..., R], items: Sequence[Any], *args: Any) -> list[R]:
        return [step(item, *args) for item in items]

    def call(self, step: Callable[..., R], *args: Any) -> R:
        return step(*args)

    def info(self, message: str) -> None:
        logger.info(message)

    def note(self, message: str) -> None:
        logger.warning(message)

    def publish(self, key: str, render: Callable[[], str]) -> None:
        if logger.isEnabledFor(logging.DEBUG):  # the caller has the summary already
            logger.debug("%s:\n%s", key, render())


IN_PROCESS = InProcess()
