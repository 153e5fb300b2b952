"""The replay flow: the library's replay chain, versions parsed as mapped tasks."""

from pathlib import Path

from prefect import flow

from flows.runners import PrefectRunner, task_runner
from pipeline.core.settings import Settings, get_settings
from pipeline.run import replay as chain
from pipeline.run.replay import ReplaySummary


@flow(name="replay", task_runner=task_runner(get_settings()))
def replay(
    location: Path,
    dataset: str,
    settings: Settings | None = None,
    file_path: str = "README.md",
    limit: int | None = None,
) -> ReplaySummary:
    """Replay the history at ``location`` (tarball, folder or git repo) into ``dataset``."""
    return chain.replay(
        location,
        dataset,
        settings or get_settings(),
        file_path=file_path,
        limit=limit,
        runner=PrefectRunner(),
    )
