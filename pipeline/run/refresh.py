"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> (the
sources they name: the same again) -> link -> enrich -> one version per source and the
papers dataset.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.kinds import SourceBundle
from pipeline.link.blocking import RememberedPairs
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
) -> tuple[list[SourceBundle], list[bool], list[str]]:
    """Every source snapshotted, then read back or parsed; the sources they name (a
    conference's workshops and feed) are read the same way, one request after the other.
    Returns the bundles, whether each was read back from its LATEST (not parsed), and why
    any source was skipped."""
    bundles: list[SourceBundle] = []
    reused: list[bool] = []
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
        reused += [bundle is not None for bundle in stored]
        del stored  # the bundles list holds them; nothing else may keep a second copy alive
        pending, refused = known.new_parts(read)
        skipped += refused
        if pending:
            progress("fetch", total=len(known.ids))
    if pending:
        skipped.append(
            f"{len(pending)} part(s) nested deeper than {steps.MAX_PART_DEPTH} not read: "
            + ", ".join(part.id for part in pending[:5])
        )
    return bundles, reused, skipped


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
    read, reused, skipped = read_sources(sources, settings, runner)
    # What a killed run left is finished before anything is taken as unchanged: a source
    # whose LATEST the repair moved is not reused as read.
    repaired, moved = steps.recover_datasets(
        [*(bundle.source.id for bundle in read), steps.PAPERS_DATASET], settings
    )
    for note in repaired:
        runner.note(note)
    # A source that lost most of its records keeps its last good version (and its papers).
    guarded = [steps.guard_drop(bundle, settings, accept_drop) for bundle in read]
    bundles = [bundle for bundle, _ in guarded]
    refused = [note for _, note in guarded if note is not None]
    reused = [
        was_reused and note is None and bundle.source.id not in moved
        for was_reused, (bundle, note) in zip(reused, guarded, strict=True)
    ]
    del read, guarded

    # Nothing changed, and arXiv gives every paper what it has: every LATEST stands, and
    # the run reads the papers table only (no link, no write).
    standing = (
        runner.call(steps.standing_versions, bundles, settings, refresh_arxiv)
        if all(reused)
        else None
    )
    if standing is not None and standing.results is not None:
        for note in run_notes(bundles, standing.report, skipped, refused):
            runner.note(note)
        return _finish(
            standing.results, bundles, standing.report, skipped, refused, repaired, settings,
            sources, runner,
        )  # fmt: skip

    # Nothing changed but enrichment: the papers dataset is their link already. Otherwise
    # link, finding similar titles once for both links of the run (enrichment changes no
    # title).
    pairs = RememberedPairs()
    link_stored = runner.call(steps.stored_link, bundles, settings) if all(reused) else None
    # The last version's paper ids, carried by every link made here (the stored link has
    # them already).
    previous = [] if link_stored is not None else steps.previous_papers(settings)
    first_link = link_stored or runner.call(steps.link_bundles, bundles, pairs, previous)
    # The stored link asks arXiv what the papers table did: its answers are already here.
    known = standing.report if standing is not None and link_stored is not None else None
    report = known or runner.call(steps.enrich, first_link, settings, refresh_arxiv)
    for note in run_notes(bundles, report, skipped, refused):
        runner.note(note)
    enriched = [steps.apply_enrichment(bundle, first_link, report) for bundle in bundles]
    unchanged = [
        was_reused and steps.same_tables(before, after)
        for was_reused, before, after in zip(reused, bundles, enriched, strict=True)
    ]
    del bundles
    # arXiv may show two titles are one paper: link again unless enrichment changed nothing;
    # each paper keeps the id it had.
    link = (
        first_link
        if all(unchanged)
        else runner.call(
            steps.link_bundles, enriched, pairs, previous or steps.previous_papers(settings)
        )
    )
    same_papers = link_stored is not None and link is link_stored
    del first_link, link_stored  # the papers before enrichment: not needed again

    # One version at a time, each written as soon as it is made.
    results = [
        runner.call(steps.write_source, bundle, settings, same)
        for bundle, same in zip(enriched, unchanged, strict=True)
    ]
    results.append(runner.call(steps.write_papers, enriched, link, settings, same_papers))
    return _finish(results, enriched, report, skipped, refused, repaired, settings, sources, runner)


def _finish(
    results: Sequence[WriteResult],
    bundles: Sequence[SourceBundle],
    report: EnrichmentReport,
    skipped: Sequence[str],
    refused: Sequence[str],
    repaired: Sequence[str],
    settings: Settings,
    sources: Sequence[Source],
    runner: Runner,
) -> RunSummary:
    """The run's last lines (the writes' repairs, one line per dataset), its report, and
    its summary: the same whether the datasets were written or every LATEST stood."""
    for note in steps.write_notes(results):
        runner.note(note)
    for result in results:
        runner.info(steps.describe(result))
    summary = summarise(results, bundles, report, skipped, refused)
    runner.publish("refresh-report", lambda: steps.report_markdown(settings, sources))
    return replace(summary, notes=[*repaired, *summary.notes]) if repaired else summary
