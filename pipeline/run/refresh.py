"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> (the
sources they name: the same again) -> link -> enrich -> one version per source and the
papers dataset. With ``source_ids``, only those sources are read and written; the papers
are linked from them and from what the latest versions of the others hold.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from pipeline.core.errors import PipelineError
from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.kinds import HasParts, check_kind
from pipeline.link.blocking import RememberedPairs
from pipeline.link.papers import Mention
from pipeline.models import EnrichmentStatus, Source
from pipeline.run import steps
from pipeline.run.runner import IN_PROCESS, Runner
from pipeline.run.steps import ReadBundle, StoredBundle
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
    bundles: Sequence[ReadBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
    refused: Sequence[str] = (),
) -> list[str]:
    """What a person should know about a run: skipped sources, fallbacks, drops refused,
    arXiv trouble."""
    fallbacks = [note for bundle in bundles for note in bundle.notes]
    return [*skipped, *fallbacks, *refused, *report.warnings]


def partial_reasons(
    bundles: Sequence[ReadBundle],
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
    bundles: Sequence[ReadBundle],
    report: EnrichmentReport,
    skipped: Sequence[str] = (),
    refused: Sequence[str] = (),
) -> RunSummary:
    return RunSummary(
        results=list(results),
        warnings={bundle.source.id: steps.warning_count(bundle) for bundle in bundles},
        enrichment={status.value: n for status, n in sorted(report.status_counts().items())},
        notes=[*run_notes(bundles, report, skipped, refused), *steps.write_notes(results)],
        skipped=list(skipped),
        partial=partial_reasons(bundles, report, skipped, refused),
    )


@dataclass(frozen=True)
class Reading:
    """The bundles of a run's sources, in the order a full refresh reads them (sources.toml's,
    then the parts they name, depth by depth), whether each was read back from its LATEST
    rather than parsed (a :class:`~pipeline.run.steps.StoredBundle` when its records were
    not needed yet), and why any source was skipped."""

    bundles: list[ReadBundle]
    reused: list[bool]
    skipped: list[str]
    kept: frozenset[str] = frozenset()  # ids read back from their latest versions, not read


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
    bundles: list[ReadBundle] = []
    reused: list[bool] = []
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
        got: dict[str, tuple[ReadBundle, bool]] = {}
        if to_read:
            read, reasons = _read_fresh(to_read, settings, runner, parts=depth > 0)
            got.update((bundle.source.id, (bundle, was_reused)) for bundle, was_reused in read)
            skipped += reasons
            del read
        for stored in runner.map(steps.stored_bundle, to_keep, settings):
            if isinstance(stored, str):
                skipped.append(stored)
            else:
                got[stored.source.id] = (stored, True)
                kept.add(stored.source.id)
        # A source that names parts (a conference) is known by its records: read them back.
        found = [_with_parts(*got[source.id], settings) for source in pending if source.id in got]
        del got  # the bundles list holds them; nothing else may keep a second copy alive
        bundles += [bundle for bundle, _ in found]
        reused += [was_reused for _, was_reused in found]
        pending = []
        for bundle, _ in found:  # parts are read as their source is: fresh, or kept
            parts, refused = (
                ([], []) if isinstance(bundle, StoredBundle) else known.new_parts([bundle])
            )
            if bundle.source.id in reading:
                reading.update(part.id for part in parts)
            pending += parts
            skipped += refused
        if pending:
            progress("fetch", total=len(known.ids))
    if pending:
        skipped.append(steps.deep_parts(pending))
    return Reading(bundles, reused, skipped, frozenset(kept))


def _with_parts(bundle: ReadBundle, reused: bool, settings: Settings) -> tuple[ReadBundle, bool]:
    if isinstance(bundle, StoredBundle) and isinstance(check_kind(bundle.source.kind), HasParts):
        loaded, still = steps.materialise(bundle, settings)
        return loaded, reused and still
    return bundle, reused


def _read_fresh(
    sources: Sequence[Source], settings: Settings, runner: Runner, *, parts: bool
) -> tuple[list[tuple[ReadBundle, bool]], list[str]]:
    """Sources snapshotted, then read back (unchanged: True) or parsed; parts share their
    site: in order, paced, in one step."""
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
    steps.forget_parses()
    read: list[tuple[ReadBundle, bool]] = [
        (bundle, True) if bundle is not None else (next(parsed), False) for bundle in stored
    ]
    return read, skipped


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
    skipped, kept = reading.skipped, reading.kept
    # What a killed run left is finished before anything is taken as unchanged: a source
    # whose LATEST the repair moved is not reused as read. (The sources not named are
    # neither written nor repaired: their LATEST, verified, is what they hold.)
    repaired, moved = steps.recover_datasets(
        [*(b.source.id for b in reading.bundles if b.source.id not in kept), steps.PAPERS_DATASET],
        settings,
    )
    for note in repaired:
        runner.note(note)
    # A source that lost most of its records keeps its last good version (and its papers).
    guarded = [
        (bundle, None)
        if bundle.source.id in kept
        else steps.guard_drop(bundle, settings, accept_drop)
        for bundle in reading.bundles
    ]
    # Every source's bundle, in order: those read this run (as guarded), and those of the
    # sources not named, as their latest versions hold them (for the papers only).
    read_bundles = [bundle for bundle, _ in guarded]
    refused = [note for _, note in guarded if note is not None]
    reused = [
        was_reused and note is None and bundle.source.id not in moved
        for was_reused, (bundle, note) in zip(reading.reused, guarded, strict=True)
    ]
    written = [bundle.source.id not in kept for bundle in read_bundles]
    del reading, guarded

    # Nothing changed, and arXiv gives every paper what it has: every LATEST stands, and
    # the run reads the papers table only (no link, no write).
    standing = (
        runner.call(steps.standing_versions, read_bundles, settings, refresh_arxiv)
        if all(reused)
        else None
    )
    if standing is not None and standing.results is not None:
        stood_read = [b for b, write in zip(read_bundles, written, strict=True) if write]
        for note in run_notes(stood_read, standing.report, skipped, refused):
            runner.note(note)
        stood = [result for result in standing.results if result.dataset not in kept]
        return _finish(
            stood,
            stood_read,
            standing.report,
            skipped,
            refused,
            repaired,
            settings,
            sources,
            runner,
        )

    # Something changed: from here on every source's records are needed.
    materialised = [steps.materialise(bundle, settings) for bundle in read_bundles]
    del read_bundles
    bundles = [bundle for bundle, _ in materialised]
    reused = [was and still for was, (_, still) in zip(reused, materialised, strict=True)]
    del materialised

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
    read = [bundle for bundle, write in zip(bundles, written, strict=True) if write]
    for note in run_notes(read, report, skipped, refused):
        runner.note(note)
    del read
    # Each bundle replaced by its enriched copy, which is written at once (a source's tables
    # need only the first link and arXiv's answers) and dropped, the run keeping only what
    # the second link and the papers' version need of it: never every source's records
    # beside the papers of a link.
    pending = deque(bundles)
    del bundles
    unchanged: list[bool] = []
    mentions: list[Mention] = []
    results: list[WriteResult] = []
    held: list[ReadBundle] = []
    for was_reused, write in zip(reused, written, strict=True):
        before = pending.popleft()
        bundle = steps.apply_enrichment(before, first_link, report)
        same = was_reused and steps.same_tables(before, bundle)
        del before
        unchanged.append(same)
        mentions += steps.source_mentions(bundle)
        if write:
            result = runner.call(steps.write_source, bundle, settings, same)
            results.append(result)
            held.append(steps.written_bundle(bundle, result))
        else:
            held.append(bundle)  # a source not named: only its papers are written
        del bundle
    # arXiv may show two titles are one paper: link again unless enrichment changed nothing;
    # each paper keeps the id it had.
    same_papers = all(unchanged) and link_stored is not None
    del link_stored
    if all(unchanged):
        link = first_link
    else:
        del first_link  # the papers before enrichment: not needed again, nor while linking
        link = runner.call(
            steps.link_mentions, mentions, pairs, previous or steps.previous_papers(settings)
        )
    del mentions
    results.append(runner.call(steps.write_papers, held, link, settings, same_papers))
    done = [bundle for bundle, write in zip(held, written, strict=True) if write]
    return _finish(results, done, report, skipped, refused, repaired, settings, sources, runner)


def _finish(
    results: Sequence[WriteResult],
    bundles: Sequence[ReadBundle],
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
