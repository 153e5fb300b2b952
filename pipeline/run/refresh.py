"""The refresh chain: every source in sources.toml -> snapshot -> reuse or parse -> link ->
enrich -> one version per source and the papers dataset.

Written once: :func:`refresh` runs it in-process by default, and the Prefect flow
(:mod:`flows.refresh`) passes a runner that makes each step a task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.kinds import SourceBundle
from pipeline.link.blocking import RememberedPairs
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
    fallbacks = [bundle.snapshot.note for bundle in bundles if bundle.snapshot.note]
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


def standing_summary(
    standing: steps.Standing,
    snapshots: Sequence[Snapshot],
    skipped: Sequence[str],
    settings: Settings,
    sources: Sequence[Source],
    runner: Runner,
) -> RunSummary:
    """What an unchanged run says: the same notes and lines as one that did the work."""
    assert standing.results is not None and standing.warnings is not None
    notes = [*skipped, *(s.note for s in snapshots if s.note), *standing.report.warnings]
    for note in notes:
        runner.note(note)
    for result in standing.results:
        runner.info(steps.describe(result))
    counts = standing.report.status_counts()
    runner.publish("refresh-report", steps.report_markdown(settings, sources))
    return RunSummary(
        results=standing.results,
        warnings=standing.warnings,
        enrichment={status.value: n for status, n in sorted(counts.items())},
        notes=notes,
        skipped=list(skipped),
    )


def refresh(
    settings: Settings, *, refresh_arxiv: bool = False, runner: Runner = IN_PROCESS
) -> RunSummary:
    """Refresh every source in sources.toml; write a version of each dataset that changed."""
    sources = load_sources(settings.sources_file)
    taken = runner.map(steps.take_snapshot, sources, settings)
    snapshots = [snapshot for snapshot in taken if isinstance(snapshot, Snapshot)]
    skipped = [reason for reason in taken if isinstance(reason, str)]
    # Nothing changed, and arXiv gives every paper what it has: every LATEST stands, and
    # the run reads manifests and the papers table only (no parse, no link, no write).
    standing = runner.call(steps.standing_versions, snapshots, settings, refresh_arxiv)
    if standing is not None and standing.results is not None:
        return standing_summary(standing, snapshots, skipped, settings, sources, runner)
    # A source whose snapshot and definition are unchanged is read back, not parsed.
    stored = runner.map(steps.reuse_stored, snapshots, settings)
    to_parse = [
        snapshot for snapshot, bundle in zip(snapshots, stored, strict=True) if bundle is None
    ]
    parsed = iter(runner.map(steps.parse_snapshot, to_parse))
    bundles = [bundle if bundle is not None else next(parsed) for bundle in stored]
    reused = [bundle is not None for bundle in stored]
    del stored  # the bundles list holds them; nothing else may keep a second copy alive

    # Nothing changed: the papers dataset is their link already. Otherwise link, finding
    # similar titles once for both links of the run (enrichment changes no title).
    pairs = RememberedPairs()
    link_stored = runner.call(steps.stored_link, bundles, settings) if all(reused) else None
    first_link = link_stored or runner.call(steps.link_bundles, bundles, pairs)
    # The stored link asks arXiv what the papers table did: its answers are already here.
    known = standing.report if standing is not None and link_stored is not None else None
    report = known or runner.call(steps.enrich, first_link, settings, refresh_arxiv)
    for note in run_notes(bundles, report, skipped):
        runner.note(note)
    enriched = [steps.apply_enrichment(bundle, first_link, report) for bundle in bundles]
    unchanged = [
        was_reused and steps.same_tables(before, after)
        for was_reused, before, after in zip(reused, bundles, enriched, strict=True)
    ]
    del bundles
    # arXiv may show two titles are one paper: link again unless enrichment changed nothing.
    link = first_link if all(unchanged) else runner.call(steps.link_bundles, enriched, pairs)
    same_papers = link_stored is not None and link is link_stored
    del first_link, link_stored  # the papers before enrichment: not needed again

    # One version at a time, each written as soon as it is made.
    results = [
        runner.call(steps.write_source, bundle, settings, same)
        for bundle, same in zip(enriched, unchanged, strict=True)
    ]
    results.append(runner.call(steps.write_papers, enriched, link, settings, same_papers))
    for result in results:
        runner.info(steps.describe(result))
    summary = summarise(results, enriched, report, skipped)
    runner.publish("refresh-report", steps.report_markdown(settings, sources))
    return summary
