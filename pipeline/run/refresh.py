"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> (the
sources they name: the same again) -> link -> enrich -> one version per source and the
papers dataset.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.kinds import SourceBundle
from pipeline.models import EnrichmentStatus, Source
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
    partial: list[str] = field(default_factory=list)  # why the run is done but incomplete

    @property
    def complete(self) -> bool:
        return not self.partial


def run_notes(
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
    refused: Sequence[str] = (),
) -> list[str]:
    """What a person should know about a run: skipped sources, fallbacks, drops refused,
    arXiv trouble."""
    fallbacks = [note for bundle in bundles for note in bundle.notes]
    return [*skipped, *fallbacks, *refused, *report.warnings]


def partial_reasons(
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
    refused: Sequence[str] = (),
) -> list[str]:
    """Why a finished run is not the whole picture (the CLI's exit code 3)."""
    reasons = [*(f"skipped: {reason}" for reason in skipped)]
    reasons += [f"drop refused: {note.split(':')[0]}" for note in refused]
    reasons += [f"fell back: {bundle.source.id}" for bundle in bundles if bundle.snapshot.fell_back]
    pending = report.status_counts().get(EnrichmentStatus.pending, 0)
    if pending:
        reasons.append(f"{pending} papers pending")
    return reasons


def summarise(
    results: Sequence[WriteResult],
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
    refused: Sequence[str] = (),
) -> RunSummary:
    return RunSummary(
        results=list(results),
        warnings={bundle.source.id: len(bundle.warnings) for bundle in bundles},
        enrichment={status.value: n for status, n in sorted(report.status_counts().items())},
        notes=[*run_notes(bundles, report, skipped, refused), *steps.write_notes(results)],
        skipped=list(skipped),
        partial=partial_reasons(bundles, report, skipped, refused),
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
    settings: Settings,
    *,
    refresh_arxiv: bool = False,
    accept_drop: Collection[str] = (),
    runner: Runner = IN_PROCESS,
) -> RunSummary:
    """Refresh every source in sources.toml; write a version of each dataset that changed.

    Holds the state folder's lock and the lock of every dataset it writes for the whole
    run; ``accept_drop`` names sources whose loss of records is to be published anyway.
    """
    sources = load_sources(settings.sources_file)
    datasets = [source.id for source in sources] + [steps.PAPERS_DATASET]
    # The state folder's lock also covers the datasets of parts found during the run (a
    # conference's workshops): no other refresh of this state folder runs meanwhile.
    with steps.run_locks(settings, datasets, runner.note):
        return _refresh(sources, settings, refresh_arxiv, accept_drop, runner)


def _refresh(
    sources: Sequence[Source],
    settings: Settings,
    refresh_arxiv: bool,
    accept_drop: Collection[str],
    runner: Runner,
) -> RunSummary:
    progress("fetch", done=0, total=len(sources))
    read, skipped = read_sources(sources, settings, runner)
    # A source that lost most of its records keeps its last good version (and its papers).
    guarded = [steps.guard_drop(bundle, settings, accept_drop) for bundle in read]
    bundles = [bundle for bundle, _ in guarded]
    refused = [note for _, note in guarded if note is not None]

    first_link = runner.call(steps.link_bundles, bundles)
    report = runner.call(steps.enrich, first_link, settings, refresh_arxiv)
    for note in run_notes(bundles, report, skipped, refused):
        runner.note(note)
    enriched = [steps.apply_enrichment(bundle, first_link, report) for bundle in bundles]
    # arXiv may show two titles are one paper; each paper keeps the id it had.
    link = runner.call(steps.link_bundles, enriched, steps.previous_papers(settings))

    versions = [steps.source_version(bundle, settings.raw_dir) for bundle in enriched]
    versions.append(steps.papers_version(enriched, link, settings.raw_dir))
    results = [runner.call(steps.write, version, settings) for version in versions]
    for note in steps.write_notes(results):
        runner.note(note)
    for result in results:
        runner.info(steps.describe(result))
    summary = summarise(results, enriched, report, skipped, refused)
    runner.publish("refresh-report", steps.report_markdown(settings, sources))
    return summary
