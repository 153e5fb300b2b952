"""Where a flow's tasks run, and the runner that turns a library chain's steps into tasks.

``task_runner``: ``local`` is Prefect's thread pool in this process; ``dask`` is
prefect-dask's DaskTaskRunner on an existing cluster (PIPELINE_DASK_ADDRESS) or on a
LocalCluster of PIPELINE_DASK_WORKERS worker processes. Workers need this package installed
(same version) and, for a real Prefect server, PREFECT_API_URL reaching it.

:class:`PrefectRunner` is what a flow passes to its chain in :mod:`pipeline.run`: ``map``
maps a task over the items on the flow's task runner, ``call`` runs a task in the flow's
process, messages go to the run's logger. The flows hold no logic of their own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar, cast

from prefect import Task, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from pipeline.core.settings import Settings

R = TypeVar("R")


def task_runner(settings: Settings) -> TaskRunner[Any]:
    if settings.task_runner == "local":
        return ThreadPoolTaskRunner()
    # distributed logs connection teardown at INFO with tracebacks ("Batched Comm Closed")
    # when a cluster stops after a completed run; its warnings and errors still show. The
    # variable reaches the worker processes too, which import distributed afresh.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from prefect_dask.task_runners import DaskTaskRunner

    logging.getLogger("distributed").setLevel(logging.WARNING)

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            # Workers of a cluster we start and stop log a traceback when a heartbeat races
            # the scheduler's shutdown ("Failed to communicate with scheduler during
            # heartbeat"): noise after a completed run. Task failures still reach Prefect.
            "silence_logs": logging.CRITICAL,
        }
    )


@cache
def as_task(step: Callable[..., Any]) -> Task[Any, Any]:
    """The Prefect task of a library step, named after it (made once per step)."""
    name = step.__name__.replace("_", "-")
    made: Task[Any, Any] = task(name=name, cache_policy=NO_CACHE)(step)
    return made


class PrefectRunner:
    """A chain's steps as Prefect tasks of the flow that is running."""

    def map(self, step: Callable[..., R], items: Sequence[Any], *args: Any) -> list[R]:
        # Mapped items travel to the workers as they are (snapshots, historical versions):
        # a quote() around them does not survive a Dask worker's parameter resolution.
        if not items:
            return []
        futures = as_task(step).map(list(items), *(unmapped(arg) for arg in args))
        return list(futures.result())

    def call(self, step: Callable[..., R], *args: Any) -> R:
        # In quote(): Prefect walks every parameter to find futures and record task inputs,
        # and a chain passes whole bundles, links and versions to the steps it calls (at
        # 16x, the walk made the flow 2.5x the library's time). These run in this process.
        return cast(R, as_task(step)(*(quote(arg) for arg in args)))

    def info(self, message: str) -> None:
        get_run_logger().info(message)

    def note(self, message: str) -> None:
        get_run_logger().warning(message)

    def publish(self, key: str, render: Callable[[], str]) -> None:
        create_markdown_artifact(key=key, markdown=render(), description="paper-pipeline report")
