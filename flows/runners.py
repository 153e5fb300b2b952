"""The task runner a flow runs its tasks on, from settings.

``local``: Prefect's thread pool in this process. ``dask``: prefect-dask's DaskTaskRunner on
an existing cluster (PIPELINE_DASK_ADDRESS) or on a LocalCluster of PIPELINE_DASK_WORKERS
worker processes. Workers need this package installed (same version) and, for a real
Prefect server, PREFECT_API_URL reaching it.
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from pipeline.core.settings import Settings


def task_runner(settings: Settings) -> TaskRunner[Any]:
    if settings.task_runner == "local":
        return ThreadPoolTaskRunner()
    from prefect_dask.task_runners import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
    )
