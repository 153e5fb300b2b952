"""The ingest-readme flow: the library's one-off ingestion chain, its steps as tasks."""

from prefect import flow

from flows.runners import PrefectRunner
from pipeline.core.settings import Settings, get_settings
from pipeline.run import ingest_readme as chain
from pipeline.run.ingest_readme import IngestResult, PreparedReadme


@flow(name="ingest-readme")
def ingest_readme(
    target: str,
    settings: Settings | None = None,
    name: str | None = None,
    add: bool = False,
    prepared: PreparedReadme | None = None,
) -> IngestResult:
    """Ingest one README (URL or path) into its own dataset; with ``add``, into sources.toml."""
    return chain.ingest_readme(
        target,
        settings or get_settings(),
        name=name,
        add=add,
        prepared=prepared,
        runner=PrefectRunner(),
    )
