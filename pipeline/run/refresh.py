"""The steps of a run as plain functions over records.

snapshot -> parse -> link -> enrich -> versions. The Prefect flow wraps each step in a
task; :func:`run_pipeline` chains them for use without Prefect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.core.errors import PipelineError
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport, PaperRef, enrich_papers
from pipeline.link.event_papers import papers_from_event
from pipeline.link.papers import (
    LinkResult,
    Mention,
    link_papers,
    mentions_from_cards,
    mentions_from_event,
)
from pipeline.models import (
    Enrichment,
    Event,
    EventDocument,
    EventPaper,
    InputFile,
    NearMiss,
    Paper,
    PaperCard,
    ParseWarning,
    ReadmeDocument,
    ScheduleItem,
    Source,
    SourceKind,
)
from pipeline.parse.detect import parse_document
from pipeline.sources.config import Snapshot, decode_document, load_sources, sha256_bytes
from pipeline.sources.snapshots import refresh_snapshot
from pipeline.store.versions import (
    MAIN_TABLE,
    DatasetVersion,
    Table,
    WriteResult,
    latest_from_inputs,
    read_table,
    write_version,
)

PAPERS_DATASET = "papers"


@dataclass(frozen=True)
class SourceBundle:
    """One source after parsing: its snapshot, its document and the papers it presents."""

    snapshot: Snapshot
    document: ReadmeDocument | EventDocument
    event_papers: list[EventPaper] = field(default_factory=list)

    @property
    def source(self) -> Source:
        return self.snapshot.source


@dataclass(frozen=True)
class RunSummary:
    """What a run wrote, for the person who started it."""

    results: list[WriteResult]
    warnings: dict[str, int]
    enrichment: dict[str, int]
    notes: list[str]
    skipped: list[str] = field(default_factory=list)


def snapshot_inputs(snapshot: Snapshot, raw_dir: Path) -> list[InputFile]:
    """The inputs a version depends on: the snapshot's bytes and the source's definition."""
    try:
        shown = snapshot.path.relative_to(raw_dir).as_posix()
    except ValueError:
        shown = snapshot.path.as_posix()
    definition = snapshot.source.model_dump_json(exclude_none=True).encode("utf-8")
    return [
        InputFile(source_id=snapshot.source.id, path=shown, sha256=snapshot.sha256),
        InputFile(
            source_id=snapshot.source.id,
            path="sources.toml#" + snapshot.source.id,
            sha256=sha256_bytes(definition),
        ),
    ]


def load_snapshot(source: Source, settings: Settings) -> Snapshot:
    """This run's snapshot of a source: freshly fetched when the web allows, else the last
    good one in raw/ (offline, or the fetch failed), with a note saying so."""
    outcome = refresh_snapshot(source, settings)
    data = outcome.path.read_bytes()
    return Snapshot(
        source=source,
        path=outcome.path,
        text=decode_document(data, str(outcome.path)),
        sha256=outcome.sha256,
        format=outcome.meta.format if outcome.meta else source.format,
        note=outcome.note,
    )


def ingest_source(source: Source, settings: Settings) -> SourceBundle | str:
    """Snapshot and parse one source; a source that cannot be read at all is skipped with a
    one-line reason (returned), so the other sources still refresh."""
    try:
        snapshot = load_snapshot(source, settings)
        stored = stored_bundle(snapshot, settings)
        return stored if stored is not None else parse_snapshot(snapshot)
    except PipelineError as exc:
        return f"{source.id}: skipped: {exc}"


def split_outcomes(
    outcomes: Sequence[SourceBundle | str],
) -> tuple[list[SourceBundle], list[str]]:
    """The sources that were read, and the one-line reasons of those skipped."""
    bundles = [outcome for outcome in outcomes if isinstance(outcome, SourceBundle)]
    return bundles, [outcome for outcome in outcomes if isinstance(outcome, str)]


def stored_bundle(snapshot: Snapshot, settings: Settings) -> SourceBundle | None:
    """The bundle LATEST already holds when the snapshot is unchanged: no parse needed.

    Keyed on the snapshot's content hash and the source's definition (the version's
    inputs) and on the pipeline version; anything unreadable means parse again.
    """
    inputs = snapshot_inputs(snapshot, settings.raw_dir)
    version = latest_from_inputs(settings.processed_dir, snapshot.source.id, inputs)
    if version is None:
        return None

    def table(name: str) -> list[dict[str, Any]]:
        return read_table(settings.processed_dir, snapshot.source.id, version, name)

    try:
        warnings = [ParseWarning.model_validate(w) for w in table("warnings")]
        if snapshot.source.kind is SourceKind.readme:
            cards = [PaperCard.model_validate(record) for record in table(MAIN_TABLE)]
            return SourceBundle(snapshot, ReadmeDocument(items=cards, warnings=warnings))
        (event,) = [Event.model_validate(record) for record in table("events")]
        document = EventDocument(
            kind=event.kind.value,
            title=event.title,
            event=event,
            items=[ScheduleItem.model_validate(record) for record in table(MAIN_TABLE)],
            warnings=warnings,
        )
        papers = [EventPaper.model_validate(record) for record in table("papers")]
        return SourceBundle(snapshot, document, papers)
    except (PipelineError, ValueError):
        return None


def parse_snapshot(snapshot: Snapshot) -> SourceBundle:
    document = parse_document(snapshot.text, snapshot.source, snapshot.format)
    papers = papers_from_event(document) if isinstance(document, EventDocument) else []
    return SourceBundle(snapshot, document, papers)


def bundle_mentions(bundle: SourceBundle) -> list[Mention]:
    document = bundle.document
    if isinstance(document, ReadmeDocument):
        return mentions_from_cards(document.items, bundle.source)
    return mentions_from_event(document.event, bundle.event_papers, bundle.source)


def link_bundles(bundles: Sequence[SourceBundle]) -> LinkResult:
    return link_papers([mention for bundle in bundles for mention in bundle_mentions(bundle)])


def enrichment_requests(link: LinkResult) -> list[PaperRef]:
    """One request per linked paper: a workshop paper a README carries needs no title search."""
    return [
        PaperRef(key=paper.id, title=paper.title, authors=paper.authors, arxiv_id=paper.arxiv_id)
        for paper in link.papers
    ]


def enrich(link: LinkResult, settings: Settings, *, refresh: bool = False) -> EnrichmentReport:
    return enrich_papers(enrichment_requests(link), settings, refresh=refresh)


def apply_enrichment(
    bundle: SourceBundle, link: LinkResult, report: EnrichmentReport
) -> SourceBundle:
    """The bundle with each card / event paper carrying its linked paper's enrichment."""

    def enrichment_of(record_id: str) -> Enrichment | None:
        paper_id = link.paper_of.get((bundle.source.id, record_id))
        return report.results.get(paper_id) if paper_id else None

    document = bundle.document
    if isinstance(document, ReadmeDocument):
        cards = [
            card.model_copy(update={"enrichment": enrichment_of(card.id)})
            for card in document.items
        ]
        return replace(bundle, document=document.model_copy(update={"items": cards}))
    papers = [
        paper.model_copy(update={"enrichment": enrichment_of(paper.presentations[0].item_id)})
        if paper.presentations
        else paper
        for paper in bundle.event_papers
    ]
    return replace(bundle, event_papers=papers)


def build_version(bundle: SourceBundle, raw_dir: Path) -> DatasetVersion:
    """The dataset version of one source: its records, and for events the event and papers."""
    document = bundle.document
    tables: list[Table]
    if isinstance(document, ReadmeDocument):
        tables = [Table(MAIN_TABLE, PaperCard, document.items)]
    else:
        tables = [
            Table(MAIN_TABLE, ScheduleItem, document.items),
            Table("events", Event, [document.event]),
            Table("papers", EventPaper, bundle.event_papers),
        ]
    return DatasetVersion(
        dataset=bundle.source.id,
        tables=tables,
        inputs=snapshot_inputs(bundle.snapshot, raw_dir),
        warnings=document.warnings,
    )


def build_papers_version(
    bundles: Sequence[SourceBundle], link: LinkResult, raw_dir: Path
) -> DatasetVersion:
    """The papers dataset: every paper once, with its appearances, and the near misses."""
    return DatasetVersion(
        dataset=PAPERS_DATASET,
        tables=[
            Table(MAIN_TABLE, Paper, link.papers),
            Table("near_misses", NearMiss, link.near_misses),
        ],
        inputs=[item for bundle in bundles for item in snapshot_inputs(bundle.snapshot, raw_dir)],
        warnings=[
            ParseWarning(
                line=None,
                message=f"{bundle.source.id}: {len(bundle.document.warnings)} parse warnings",
            )
            for bundle in bundles
            if bundle.document.warnings
        ],
    )


def dataset_versions(
    bundles: Sequence[SourceBundle], link: LinkResult, raw_dir: Path
) -> list[DatasetVersion]:
    """Every version a run writes: one per source, then the papers dataset."""
    versions = [build_version(bundle, raw_dir) for bundle in bundles]
    versions.append(build_papers_version(bundles, link, raw_dir))
    return versions


def summarise(
    results: Sequence[WriteResult],
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
) -> RunSummary:
    return RunSummary(
        results=list(results),
        warnings={bundle.source.id: len(bundle.document.warnings) for bundle in bundles},
        enrichment={status.value: n for status, n in sorted(report.status_counts().items())},
        notes=run_notes(bundles, report, skipped),
        skipped=list(skipped),
    )


def run_notes(
    bundles: Sequence[SourceBundle], report: EnrichmentReport, skipped: Sequence[str] = ()
) -> list[str]:
    """What a person should know about a run: skipped sources, fallbacks, arXiv trouble."""
    fallbacks = [bundle.snapshot.note for bundle in bundles if bundle.snapshot.note]
    return [*skipped, *fallbacks, *report.warnings]


def run_pipeline(settings: Settings, *, refresh_arxiv: bool = False) -> RunSummary:
    """Every source in sources.toml, start to end, without Prefect."""
    sources = load_sources(settings.sources_file)
    bundles, skipped = split_outcomes([ingest_source(source, settings) for source in sources])
    first_link = link_bundles(bundles)
    report = enrich(first_link, settings, refresh=refresh_arxiv)
    enriched = [apply_enrichment(bundle, first_link, report) for bundle in bundles]
    link = link_bundles(enriched)  # arXiv may have revealed two titles to be one paper
    versions = dataset_versions(enriched, link, settings.raw_dir)
    results = [write_version(settings.processed_dir, version) for version in versions]
    return summarise(results, enriched, report, skipped)
