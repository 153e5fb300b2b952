"""The steps every run chain is made of, as plain functions over records.

snapshot -> (reuse a stored version | parse) -> link -> enrich -> versions -> write.
What a step means for a source's documents is its kind's (:mod:`pipeline.kinds`); the
chains in :mod:`pipeline.run` order the steps and hand them to a runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import PipelineError
from pipeline.core.ids import sha256_bytes
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport, PaperRef, enricher_for
from pipeline.kinds import SourceBundle, check_kind, kind_of
from pipeline.link.blocking import PairFinder, blocked_pairs
from pipeline.link.papers import LinkResult, link_papers
from pipeline.models import (
    Enrichment,
    InputFile,
    Manifest,
    NearMiss,
    Paper,
    ParseWarning,
    Source,
)
from pipeline.sources.snapshots import Snapshot, load_snapshot
from pipeline.store.versions import (
    MAIN_TABLE,
    DatasetVersion,
    Table,
    WriteResult,
    latest_from_inputs,
    latest_version,
    read_manifest,
    read_table,
    write_version,
)
from pipeline.store.writers import WRITERS, version_file_names

PAPERS_DATASET = "papers"


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


def take_snapshot(source: Source, settings: Settings) -> Snapshot | str:
    """This run's snapshot of a source (fetched, or the last good one); a source that cannot
    be read at all gives a one-line reason instead, so the other sources still refresh."""
    try:
        return load_snapshot(source, settings)
    except PipelineError as exc:
        return f"{source.id}: skipped: {exc}"


def reuse_stored(snapshot: Snapshot, settings: Settings) -> SourceBundle | None:
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
        return check_kind(snapshot.source.kind).reload(snapshot, table)
    except (PipelineError, ValueError):
        return None


def parse_snapshot(snapshot: Snapshot) -> SourceBundle:
    return check_kind(snapshot.source.kind).parse(snapshot)


def link_bundles(bundles: Sequence[SourceBundle], pairs: PairFinder = blocked_pairs) -> LinkResult:
    """``pairs``: a :class:`~pipeline.link.blocking.RememberedPairs` shared by a run's links
    finds the similar titles once."""
    return link_papers(
        [mention for bundle in bundles for mention in kind_of(bundle).mentions(bundle)], pairs
    )


def enrichment_requests(link: LinkResult) -> list[PaperRef]:
    """One request per linked paper: a workshop paper a README carries needs no title search."""
    return [
        PaperRef(key=paper.id, title=paper.title, authors=paper.authors, arxiv_id=paper.arxiv_id)
        for paper in link.papers
    ]


def enrich(link: LinkResult, settings: Settings, refresh: bool = False) -> EnrichmentReport:
    """Metadata for every linked paper, from the configured service, in one call: every
    request goes through one client and one limiter, never in parallel."""
    return enricher_for(settings).enrich(enrichment_requests(link), settings, refresh=refresh)


def apply_enrichment(
    bundle: SourceBundle, link: LinkResult, report: EnrichmentReport
) -> SourceBundle:
    """The bundle with each of its paper records carrying its linked paper's enrichment."""

    def enrichment_of(record_id: str) -> Enrichment | None:
        paper_id = link.paper_of.get((bundle.source.id, record_id))
        return report.results.get(paper_id) if paper_id else None

    return kind_of(bundle).with_enrichment(bundle, enrichment_of)


def source_version(bundle: SourceBundle, raw_dir: Path) -> DatasetVersion:
    """The dataset version of one source: the tables its kind makes, and its warnings."""
    return DatasetVersion(
        dataset=bundle.source.id,
        tables=kind_of(bundle).tables(bundle),
        inputs=snapshot_inputs(bundle.snapshot, raw_dir),
        warnings=bundle.warnings,
    )


def papers_version(
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
                message=f"{bundle.source.id}: {len(bundle.warnings)} parse warnings",
            )
            for bundle in bundles
            if bundle.warnings
        ],
    )


def write(version: DatasetVersion, settings: Settings) -> WriteResult:
    return write_version(settings.processed_dir, version)


def report_markdown(settings: Settings, sources: Sequence[Source]) -> str:
    """What a curator fixes next, over the datasets as they now are (see pipeline.report)."""
    from pipeline.report import build_report
    from pipeline.report.render import render_markdown

    report = build_report(
        settings.processed_dir, settings.state_dir, source_ids=[s.id for s in sources]
    )
    return render_markdown(report)


def describe(result: WriteResult) -> str:
    """One line for a person: what a write did."""
    counts = ", ".join(f"{n} {name}" for name, n in result.record_counts.items())
    return f"{result.dataset}: {result.status} {result.version} ({counts})"


# --------------------------------------------------------------------------- reuse
# What a refresh reuses from the last versions when sources did not change: the papers
# dataset's link instead of linking again, and LATEST instead of writing what it holds.


def stored_link(bundles: Sequence[SourceBundle], settings: Settings) -> LinkResult | None:
    """The papers dataset's LATEST as a link of these bundles, when it was made from exactly
    their inputs and every mention carries its stored paper's enrichment (so linking them
    again would give it back); None otherwise."""
    inputs = [
        item for bundle in bundles for item in snapshot_inputs(bundle.snapshot, settings.raw_dir)
    ]
    version = latest_from_inputs(settings.processed_dir, PAPERS_DATASET, inputs)
    if version is None:
        return None
    try:
        papers = [
            Paper.model_validate(record)
            for record in read_table(settings.processed_dir, PAPERS_DATASET, version)
        ]
        near_misses = [
            NearMiss.model_validate(record)
            for record in read_table(settings.processed_dir, PAPERS_DATASET, version, "near_misses")
        ]
    except (PipelineError, ValueError):
        return None
    by_id = {paper.id: paper for paper in papers}
    paper_of = {
        (appearance.source_id, appearance.record_id): paper.id
        for paper in papers
        for appearance in paper.appearances
    }
    mentions = [mention for bundle in bundles for mention in kind_of(bundle).mentions(bundle)]
    if len(mentions) != len(paper_of):
        return None
    for mention in mentions:
        paper_id = paper_of.get((mention.appearance.source_id, mention.appearance.record_id))
        if paper_id is None or by_id[paper_id].enrichment != mention.enrichment:
            return None  # the sources' versions and the papers' come from different runs
    return LinkResult(papers=papers, near_misses=near_misses, paper_of=paper_of)


def same_tables(before: SourceBundle, after: SourceBundle) -> bool:
    """Whether two bundles of a source give the same tables (enrichment changed nothing)."""
    kind = kind_of(before)
    return [list(t.records) for t in kind.tables(before)] == [
        list(t.records) for t in kind.tables(after)
    ]


def write_source(bundle: SourceBundle, settings: Settings, unchanged: bool = False) -> WriteResult:
    """Write a source's version; ``unchanged`` (its tables are LATEST's): only say so."""
    version = source_version(bundle, settings.raw_dir)
    return (unchanged and _latest_holds(version, settings)) or write(version, settings)


def write_papers(
    bundles: Sequence[SourceBundle], link: LinkResult, settings: Settings, unchanged: bool = False
) -> WriteResult:
    """Write the papers dataset; ``unchanged`` (``link`` is LATEST's): only say so."""
    version = papers_version(bundles, link, settings.raw_dir)
    return (unchanged and _latest_holds(version, settings)) or write(version, settings)


def _latest_holds(version: DatasetVersion, settings: Settings) -> WriteResult | None:
    """'unchanged' for a version whose tables LATEST holds, when LATEST also carries a file
    of every writer this run has (a writer added since makes a new version)."""
    name = latest_version(settings.processed_dir, version.dataset)
    if name is None:
        return None
    try:
        manifest = read_manifest(settings.processed_dir, version.dataset, name)
    except (PipelineError, ValueError):
        return None
    if not set(version_file_names(list(version.tables))) <= {f.name for f in manifest.files}:
        return None
    path = settings.processed_dir / version.dataset / name
    return WriteResult(version.dataset, name, path, "unchanged", dict(manifest.record_counts))


@dataclass(frozen=True)
class Standing:
    """Every dataset's LATEST, when a refresh would change none of them (``results``), or
    only the enrichment that changes something, for the run to use rather than ask again."""

    report: EnrichmentReport
    results: list[WriteResult] | None = None
    warnings: dict[str, int] | None = None  # parse warnings per source, as LATEST counts


def standing_versions(
    snapshots: Sequence[Snapshot], settings: Settings, refresh: bool = False
) -> Standing | None:
    """The run's outcome when nothing changed, found from manifests and the papers table:
    every source's LATEST made from its snapshot, the papers' from all of them, every
    writer's file present, and enrichment giving each paper what it carries. None when an
    input differs (or ``refresh`` asks arXiv again); only the report when enrichment does:
    the run then does the work."""
    if refresh:
        return None
    manifests: list[Manifest] = []
    everything: list[InputFile] = []
    for snapshot in snapshots:
        inputs = snapshot_inputs(snapshot, settings.raw_dir)
        everything += inputs
        manifest = _standing_manifest(snapshot.source.id, inputs, settings)
        if manifest is None:
            return None
        manifests.append(manifest)
    papers_manifest = _standing_manifest(PAPERS_DATASET, everything, settings)
    if papers_manifest is None:
        return None
    try:
        papers = read_table(settings.processed_dir, PAPERS_DATASET, papers_manifest.version)
        requests = [
            PaperRef(key=p["id"], title=p["title"], authors=p["authors"], arxiv_id=p["arxiv_id"])
            for p in papers
        ]
    except (PipelineError, ValueError, KeyError, TypeError):
        return None
    report = enricher_for(settings).enrich(requests, settings, refresh=False)
    for paper in papers:
        found = report.results.get(paper["id"])
        if found is None or found.model_dump(mode="json") != paper.get("enrichment"):
            return Standing(report=report)
    results = [
        WriteResult(
            manifest.dataset,
            manifest.version,
            settings.processed_dir / manifest.dataset / manifest.version,
            "unchanged",
            dict(manifest.record_counts),
        )
        for manifest in [*manifests, papers_manifest]
    ]
    warnings = {manifest.dataset: manifest.warning_count for manifest in manifests}
    return Standing(report=report, results=results, warnings=warnings)


def _standing_manifest(
    dataset: str, inputs: Sequence[InputFile], settings: Settings
) -> Manifest | None:
    """LATEST's manifest when it was made from ``inputs`` and has every writer's file."""
    name = latest_from_inputs(settings.processed_dir, dataset, inputs)
    if name is None:
        return None
    manifest = read_manifest(settings.processed_dir, dataset, name)
    names = {entry.name for entry in manifest.files}
    suffixes = {writer.suffix for writer in WRITERS.values() if writer.every_version}
    if not all(
        f"{table}{suffix}" in names for table in manifest.record_counts for suffix in suffixes
    ):
        return None  # a writer added since: the next version carries its files
    return manifest
