"""The ingest-readme flow: one README -> recognise -> parse -> link and enrich -> its dataset.

Each task calls one library function from :mod:`pipeline.run.ingest_readme`; the flow only wires
them. The CLI prepares the README before Prefect starts (a refused document then costs no
server start and its error is one line) and hands the result in as ``prepared``.
"""

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.core.settings import Settings, get_settings
from pipeline.models import Source
from pipeline.run import ingest_readme as readme_ingest
from pipeline.run.ingest_readme import EnrichedReadme, IngestResult, PreparedReadme
from pipeline.run.refresh import SourceBundle
from pipeline.store.versions import WriteResult


@task(cache_policy=NO_CACHE)
def prepare(target: str, settings: Settings, name: str | None) -> PreparedReadme:
    return readme_ingest.prepare_readme(target, settings, name=name)


@task(cache_policy=NO_CACHE)
def parse(prepared: PreparedReadme) -> SourceBundle:
    return readme_ingest.load_bundle(prepared)


@task(cache_policy=NO_CACHE)
def enrich(bundle: SourceBundle, settings: Settings) -> EnrichedReadme:
    return readme_ingest.enrich_bundle(bundle, settings)


@task(cache_policy=NO_CACHE)
def store(bundle: SourceBundle, settings: Settings) -> WriteResult:
    return readme_ingest.write_dataset(bundle, settings)


@task(cache_policy=NO_CACHE)
def add_source(sources_file: Path, source: Source) -> Path:
    readme_ingest.add_source(sources_file, source)
    return sources_file


@flow(name="ingest-readme")
def ingest_readme(
    target: str,
    settings: Settings | None = None,
    name: str | None = None,
    add: bool = False,
    prepared: PreparedReadme | None = None,
) -> IngestResult:
    """Ingest one README (URL or path) into its own dataset; with ``add``, into sources.toml."""
    settings = settings or get_settings()
    logger = get_run_logger()
    if prepared is None:
        prepared = prepare(target, settings, name)
    enriched = enrich(parse(prepared), settings)
    written = store(enriched.bundle, settings)
    added_to = add_source(settings.sources_file, prepared.source) if add else None
    result = readme_ingest.summarise(prepared, enriched, written, added_to)
    for note in result.notes:
        logger.warning(note)
    logger.info(
        "%s: %s %s (%d cards)", written.dataset, written.status, written.version, result.cards
    )
    return result
