"""The refresh flow: every source in sources.toml -> parse -> link -> enrich -> versions.

Each task calls one library function from :mod:`pipeline.run.refresh`; the flow only wires them.
"""

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows.runners import task_runner
from pipeline.core.settings import Settings, get_settings
from pipeline.enrich import EnrichmentReport
from pipeline.link.papers import LinkResult
from pipeline.models import Source
from pipeline.run import refresh as ingest
from pipeline.run.refresh import RunSummary, SourceBundle
from pipeline.sources.config import load_sources
from pipeline.store.versions import DatasetVersion, WriteResult, write_version


@task(cache_policy=NO_CACHE)
def parse_source(source: Source, settings: Settings) -> SourceBundle | str:
    return ingest.ingest_source(source, settings)


@task(cache_policy=NO_CACHE)
def link(bundles: list[SourceBundle]) -> LinkResult:
    return ingest.link_bundles(bundles)


@task(cache_policy=NO_CACHE)
def enrich(link_result: LinkResult, settings: Settings, refresh_arxiv: bool) -> EnrichmentReport:
    # One task for the whole run: every arXiv request goes through one client and one
    # cross-process limiter, never in parallel.
    return ingest.enrich(link_result, settings, refresh=refresh_arxiv)


@task(cache_policy=NO_CACHE)
def store(version: DatasetVersion, settings: Settings) -> WriteResult:
    return write_version(settings.processed_dir, version)


@flow(name="refresh", task_runner=task_runner(get_settings()))
def refresh(settings: Settings | None = None, refresh_arxiv: bool = False) -> RunSummary:
    """Refresh every source in sources.toml; write a version of each dataset that changed."""
    settings = settings or get_settings()
    logger = get_run_logger()
    sources = load_sources(settings.sources_file)
    # One task per source, in parallel on the configured task runner.
    bundles, skipped = ingest.split_outcomes(parse_source.map(sources, unmapped(settings)).result())
    first_link = link(bundles)
    report = enrich(first_link, settings, refresh_arxiv)
    for note in ingest.run_notes(bundles, report, skipped):
        logger.warning(note)
    enriched = [ingest.apply_enrichment(bundle, first_link, report) for bundle in bundles]
    final_link = link(enriched)  # arXiv may have revealed two titles to be one paper
    versions = ingest.dataset_versions(enriched, final_link, settings.raw_dir)
    results = [store(version, settings) for version in versions]
    for result in results:
        counts = ", ".join(f"{n} {name}" for name, n in result.record_counts.items())
        logger.info("%s: %s %s (%s)", result.dataset, result.status, result.version, counts)
    return ingest.summarise(results, enriched, report, skipped)
