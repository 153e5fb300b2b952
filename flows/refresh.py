"""The refresh flow: the library's refresh chain, its steps as tasks on the task runner."""

from prefect import flow

from flows.runners import PrefectRunner, task_runner
from pipeline.core.settings import Settings, get_settings
from pipeline.run import refresh as chain
from pipeline.run.refresh import RunSummary


@flow(name="refresh", task_runner=task_runner(get_settings()))
def refresh(
    settings: Settings | None = None,
    refresh_arxiv: bool = False,
    accept_drop: list[str] | None = None,
) -> RunSummary:
    """Refresh every source in sources.toml; write a version of each dataset that changed."""
    return chain.refresh(
        settings or get_settings(),
        refresh_arxiv=refresh_arxiv,
        accept_drop=accept_drop or [],
        runner=PrefectRunner(),
    )
