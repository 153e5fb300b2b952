"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> (the
sources they name: the same again) -> link -> enrich -> one version per source and the
papers dataset. With ``source_ids``, only those sources are read and written; the papers
are linked from them and from what the latest versions of the others hold.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from pipeline.core.errors import PipelineError
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


@dataclass(frozen=True)
class Reading:
    """The bundles of a run's sources, in the order a full refresh reads them (sources.toml's,
    then the parts they name, depth by depth), and why any source was skipped."""

    bundles: list[SourceBundle]
    skipped: list[str]
    kept: frozenset[str] = frozenset()  # ids read back from their latest versions, not read

    @property
    def read(self) -> list[SourceBundle]:
        """The bundles read this run (written as versions)."""
        return [bundle for bundle in self.bundles if bundle.source.id not in self.kept]


def read_sources(
    sources: Sequence[Source],
    settings: Settings,
    runner: Runner,
    fresh: Collection[str] | None = None,
) -> Reading:
    """Every source snapshotted, then read back or parsed; the sources they name (a
    conference's workshops and feed) are read the same way, one request after the other.

    ``fresh``: the ids of the sources to read (default: all); the others, and the parts they
    name, are what their latest versions hold (:func:`steps.stored_bundle`), taken for the
    papers without being read.
    """
    bundles: list[SourceBundle] = []
    skipped: list[str] = []
    kept: set[str] = set()
    reading = {source.id for source in sources} if fresh is None else set(fresh)
    known = steps.KnownSources(sources)
    pending: list[Source] = list(sources)
    for depth in range(steps.MAX_PART_DEPTH + 1):
        if not pending:
            break
        to_read = [source for source in pending if source.id in reading]
        to_keep = [source for source in pending if source.id not in reading]
        got: dict[str, SourceBundle] = {}
        if to_read:
            fresh_bundles, reasons = _read_fresh(to_read, settings, runner, parts=depth > 0)
            got.update((bundle.source.id, bundle) for bundle in fresh_bundles)
            skipped += reasons
        for stored in runner.map(steps.stored_bundle, to_keep, settings):
            if isinstance(stored, str):
                skipped.append(stored)
            else:
                got[stored.source.id] = stored
                kept.add(stored.source.id)
        read = [got[source.id] for source in pending if source.id in got]
        bundles += read
        pending = []
        for bundle in read:  # parts are read as their source is: fresh, or kept
            parts, refused = known.new_parts([bundle])
            if bundle.source.id in reading:
                reading.update(part.id for part in parts)
            pending += parts
            skipped += refused
        if pending:
            progress("fetch", total=len(known.ids))
    if pending:
        skipped.append(steps.deep_parts(pending))
    return Reading(bundles, skipped, frozenset(kept))


def _read_fresh(
    sources: Sequence[Source], settings: Settings, runner: Runner, *, parts: bool
) -> tuple[list[SourceBundle], list[str]]:
    """Sources snapshotted, then read back (unchanged) or parsed; parts share their site:
    in order, paced, in one step."""
    if parts:
        taken = runner.call(steps.take_part_snapshots, sources, settings)
    else:
        taken = runner.map(steps.take_snapshot, sources, settings)
    snapshots = [snapshot for snapshot in taken if isinstance(snapshot, Snapshot)]
    skipped = [reason for reason in taken if isinstance(reason, str)]
    # A source whose snapshot and definition are unchanged is read back, not parsed.
    stored = runner.map(steps.reuse_stored, snapshots, settings)
    to_parse = [
        snapshot for snapshot, bundle in zip(snapshots, stored, strict=True) if bundle is None
    ]
    parsed = iter(runner.map(steps.parse_snapshot, to_parse))
    return [bundle if bundle is not None else next(parsed) for bundle in stored], skipped


def named_sources(sources: Sequence[Source], source_ids: Collection[str]) -> list[Source]:
    """The sources a refresh reads: those named (in sources.toml's order), or all; an id
    sources.toml does not have is refused in one line."""
    if not source_ids:
        return list(sources)
    known = {source.id for source in sources}
    unknown = [source_id for source_id in source_ids if source_id not in known]
    if unknown:
        raise PipelineError(f"--source {unknown[0]}: no such source in sources.toml")
    return [source for source in sources if source.id in source_ids]


def refresh(
    settings: Settings,
    *,
    source_ids: Collection[str] = (),
    refresh_arxiv: bool = False,
    accept_drop: Collection[str] = (),
    runner: Runner = IN_PROCESS,
) -> RunSummary:
    """Refresh every source in sources.toml, or only those ``source_ids`` names; write a
    version of each dataset that changed, and of the papers.

    Holds the state folder's lock and the lock of every dataset it writes for the whole
    run (with ``source_ids``: theirs and the papers'); ``accept_drop`` names sources whose
    loss of records is to be published anyway.
    """
    sources = load_sources(settings.sources_file)
    named = named_sources(sources, source_ids)
    datasets = [source.id for source in named] + [steps.PAPERS_DATASET]
    # The state folder's lock also covers the datasets of parts found during the run (a
    # conference's workshops): no other refresh of this state folder runs meanwhile.
    with steps.run_locks(settings, datasets, runner.note):
        return _refresh(sources, named, settings, refresh_arxiv, accept_drop, runner)


def _refresh(
    sources: Sequence[Source],
    named: Sequence[Source],
    settings: Settings,
    refresh_arxiv: bool,
    accept_drop: Collection[str],
    runner: Runner,
) -> RunSummary:
    progress("fetch", done=0, total=len(named))
    reading = read_sources(sources, settings, runner, [source.id for source in named])
    skipped = reading.skipped
    # A source that lost most of its records keeps its last good version (and its papers).
    guarded = {
        bundle.source.id: steps.guard_drop(bundle, settings, accept_drop) for bundle in reading.read
    }
    refused = [note for _, note in guarded.values() if note is not None]
    # Every source's bundle, in order: those read this run (as guarded), and those of the
    # sources not named, as their latest versions hold them.
    every = [guarded[b.source.id][0] if b.source.id in guarded else b for b in reading.bundles]
    bundles = [bundle for bundle in every if bundle.source.id in guarded]

    first_link = runner.call(steps.link_bundles, every)
    report = runner.call(steps.enrich, first_link, settings, refresh_arxiv)
    for note in run_notes(bundles, report, skipped, refused):
        runner.note(note)
    every = [steps.apply_enrichment(bundle, first_link, report) for bundle in every]
    link = runner.call(steps.link_bundles, every)  # arXiv may show two titles are one paper
    enriched = [bundle for bundle in every if bundle.source.id in guarded]

    versions = [steps.source_version(bundle, settings.raw_dir) for bundle in enriched]
    versions.append(steps.papers_version(every, link, settings.raw_dir))
    results = [runner.call(steps.write, version, settings) for version in versions]
    for note in steps.write_notes(results):
        runner.note(note)
    for result in results:
        runner.info(steps.describe(result))
    summary = summarise(results, enriched, report, skipped, refused)
    runner.publish("refresh-report", steps.report_markdown(settings, sources))
    return summary
