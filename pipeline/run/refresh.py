"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> (the
sources they name: the same again) -> link -> enrich -> one version per source and the
papers dataset.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.kinds import SourceBundle
from pipeline.models import Source
from pipeline.run import steps
from pipeline.run.runner import IN_PROCESS, Runner
from pipeline.sources.config import load_sources
from pipeline.sources.snapshots import Snapshot
from pipeline.store.versions import WriteResult


@dataclass(frozen=True)
class RunSummary:
    """What a run wrote, for the person who started it."""

    results: list[WriteResult]
    warnings: dict[str, int]
    enrichment: dict[str, int]
    notes: list[str]
    skipped: list[str] = field(default_factory=list)


def run_notes(
    bundles: Sequence[SourceBundle], report: EnrichmentReport, skipped: Sequence[str] = ()
) -> list[str]:
    """What a person should know about a run: skipped sources, fallbacks, arXiv trouble."""
    fallbacks = [note for bundle in bundles for note in bundle.notes]
    return [*skipped, *fallbacks, *report.warnings]


def summarise(
    results: Sequence[WriteResult],
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
) -> RunSummary:
    return RunSummary(
        results=list(results),
        warnings={bundle.source.id: len(bundle.warnings) for bundle in bundles},
        enrichment={status.value: n for status, n in sorted(report.status_counts().items())},
        notes=run_notes(bundles, report, skipped),
        skipped=list(skipped),
    )


def read_sources(
    sources: Sequence[Source], settings: Settings, runner: Runner
) -> tuple[list[SourceBundle], list[str]]:
    """Every source snapshotted, then read back or parsed; the sources they name (a
    conference's workshops and feed) are read the same way, one request after the other.
    Returns the bundles and why any source was skipped."""
    bundles: list[SourceBundle] = []
    skipped: list[str] = []
    known = steps.KnownSources(sources)
    pending: list[Source] = list(sources)
    for depth in range(steps.MAX_PART_DEPTH + 1):
        if not pending:
            break
        if depth == 0:
            taken = runner.map(steps.take_snapshot, pending, settings)
        else:  # parts share their site: in order, paced, in one step
            taken = runner.call(steps.take_part_snapshots, pending, settings)
        snapshots = [snapshot for snapshot in taken if isinstance(snapshot, Snapshot)]
        skipped += [reason for reason in taken if isinstance(reason, str)]
        # A source whose snapshot and definition are unchanged is read back, not parsed.
        stored = runner.map(steps.reuse_stored, snapshots, settings)
        to_parse = [
            snapshot for snapshot, bundle in zip(snapshots, stored, strict=True) if bundle is None
        ]
        parsed = iter(runner.map(steps.parse_snapshot, to_parse))
        read = [bundle if bundle is not None else next(parsed) for bundle in stored]
        bundles += read
        pending, refused = known.new_parts(read)
        skipped += refused
        if pending:
            progress("fetch", total=len(known.ids))
    if pending:
        skipped.append(
            f"{len(pending)} part(s) nested deeper than {steps.MAX_PART_DEPTH} not read: "
            + ", ".join(part.id for part in pending[:5])
        )
    return bundles, skipped


def refresh(
    settings: Settings, *, refresh_arxiv: bool = False, runner: Runner = IN_PROCESS
) -> RunSummary:
    """Refresh every source in sources.toml; write a version of each dataset that changed."""
    sources = load_sources(settings.sources_file)
    progress("fetch", done=0, total=len(sources))
    bundles, skipped = read_sources(sources, settings, runner)

    first_link = runner.call(steps.link_bundles, bundles)
    report = runner.call(steps.enrich, first_link, settings, refresh_arxiv)
    for note in run_notes(bundles, report, skipped):
        runner.note(note)
    enriched = [steps.apply_enrichment(bundle, first_link, report) for bundle in bundles]
    link = runner.call(steps.link_bundles, enriched)  # arXiv may show two titles are one paper

    versions = [steps.source_version(bundle, settings.raw_dir) for bundle in enriched]
    versions.append(steps.papers_version(enriched, link, settings.raw_dir))
    results = [runner.call(steps.write, version, settings) for version in versions]
    for result in results:
        runner.info(steps.describe(result))
    summary = summarise(results, enriched, report, skipped)
    runner.publish("refresh-report", steps.report_markdown(settings, sources))
    return summary
