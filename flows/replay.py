"""The replay flow: a README's history into one dataset version per commit.

Versions are parsed in parallel (mapped tasks, chunk by chunk, on the configured task
runner) and written in commit order in this process, so each changes.json is against the
version before and memory stays flat.
"""

from itertools import islice
from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows.runners import task_runner
from pipeline.core.settings import Settings, get_settings
from pipeline.models import ReadmeDocument
from pipeline.run import replay as replay_lib
from pipeline.run.replay import ReplaySummary
from pipeline.sources.history import HistoricalVersion, read_history
from pipeline.store.versions import write_version

CHUNK = 24


@task(cache_policy=NO_CACHE)
def parse_version(version: HistoricalVersion, dataset: str) -> ReadmeDocument:
    return replay_lib.parse_historical(version, dataset)


@flow(name="replay", task_runner=task_runner(get_settings()))
def replay(
    location: Path,
    dataset: str,
    settings: Settings | None = None,
    file_path: str = "README.md",
    limit: int | None = None,
) -> ReplaySummary:
    """Replay the history at ``location`` (tarball, folder or git repo) into ``dataset``."""
    settings = settings or get_settings()
    logger = get_run_logger()
    summary = ReplaySummary(dataset)
    history = islice(read_history(location, file_path), limit)
    pending = replay_lib.pending_versions(history, settings.processed_dir, dataset, summary)
    while chunk := list(islice(pending, CHUNK)):
        documents = parse_version.map(chunk, unmapped(dataset)).result()
        for version, document in zip(chunk, documents, strict=True):
            result = write_version(
                settings.processed_dir, replay_lib.historical_version(version, document, dataset)
            )
            replay_lib.record_write(summary, result, document)
        logger.info("%s: %d versions written", dataset, len(summary.written))
    return summary
