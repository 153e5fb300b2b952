"""What a curator fixes next: a report over the datasets of processed/.

:func:`build_report` reads the LATEST versions (and every version's counts, for a list's
growth over its history) and the last fetch of each source; :mod:`pipeline.report.render`
writes it as Markdown (also the refresh's Prefect artifact) and as a static HTML page with
inline SVG charts (no server, no network).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.errors import PipelineError
from pipeline.models import ARXIV_SERVICE
from pipeline.sources.snapshots import read_check
from pipeline.store.versions import latest_version, list_versions, read_manifest, read_table

PAPERS = "papers"
STALE_AFTER = timedelta(days=7)  # a source not fetched fresh for a week is stale
_EVENT_KINDS = frozenset({"poster", "spotlight", "oral", "contributed_talk", "invited_talk"})


@dataclass(frozen=True)
class Growth:
    dataset: str
    points: list[tuple[datetime, int]]  # (version time, records)


@dataclass(frozen=True)
class SourceStatus:
    source_id: str
    checked_at: datetime | None
    status: str
    error: str | None
    stale: bool


@dataclass
class Report:
    """The facts a report shows, gathered once for every renderer."""

    generated_at: datetime
    datasets: dict[str, str] = field(default_factory=dict)  # dataset -> LATEST version
    record_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    papers_by_topic: Counter[str] = field(default_factory=Counter)
    papers_by_year: Counter[str] = field(default_factory=Counter)
    enrichment_by_status: Counter[str] = field(default_factory=Counter)
    warnings_by_source: dict[str, int] = field(default_factory=dict)
    warning_samples: dict[str, list[str]] = field(default_factory=dict)
    growth: list[Growth] = field(default_factory=list)
    title_mismatches: list[tuple[str, str, str]] = field(default_factory=list)  # id, ours, arXiv
    unmatched_event_papers: list[tuple[str, str, str]] = field(default_factory=list)
    near_misses: list[tuple[str, str, float, str]] = field(default_factory=list)
    sources: list[SourceStatus] = field(default_factory=list)


def _datasets(processed_dir: Path, wanted: Sequence[str] | None) -> list[str]:
    if wanted:
        missing = [name for name in wanted if latest_version(processed_dir, name) is None]
        if missing:
            raise PipelineError(f"no dataset {missing[0]!r} in {processed_dir}")
        return list(wanted)
    if not processed_dir.is_dir():
        raise PipelineError(f"{processed_dir}: no datasets yet (run a refresh first)")
    return sorted(
        entry.name
        for entry in processed_dir.iterdir()
        if entry.is_dir() and latest_version(processed_dir, entry.name) is not None
    )


def _arxiv(paper: dict[str, Any]) -> dict[str, Any]:
    """arXiv's result on a stored paper (``enrichments.arxiv``), empty when not asked."""
    enrichments = paper.get("enrichments")
    result = enrichments.get(ARXIV_SERVICE) if isinstance(enrichments, dict) else None
    return result if isinstance(result, dict) else {}


def _year(paper: dict[str, Any]) -> str:
    if isinstance(paper.get("year"), int):
        return str(paper["year"])
    metadata = _arxiv(paper).get("metadata") or {}
    published = str(metadata.get("published") or "")
    return published[:4] if published[:4].isdigit() else "unknown"


def _add_papers(report: Report, papers: list[dict[str, Any]]) -> None:
    for paper in papers:
        for topic in paper.get("topics") or ["(no topic)"]:
            report.papers_by_topic[topic] += 1
        report.papers_by_year[_year(paper)] += 1
        enrichment = _arxiv(paper)
        status = str(enrichment.get("status") or "not asked")
        report.enrichment_by_status[status] += 1
        mismatch = enrichment.get("title_mismatch")
        if mismatch:
            report.title_mismatches.append(
                (str(paper["id"]), str(mismatch["ours"]), str(mismatch["arxiv"]))
            )
        kinds = {str(a.get("kind")) for a in paper.get("appearances") or []}
        if kinds and kinds <= _EVENT_KINDS and status in ("no_match", "not_found", "ambiguous"):
            events = sorted(
                {str(a.get("event") or a.get("source_id")) for a in paper["appearances"]}
            )
            report.unmatched_event_papers.append((str(paper["title"]), ", ".join(events), status))


def build_report(
    processed_dir: Path,
    state_dir: Path,
    datasets: Sequence[str] | None = None,
    *,
    source_ids: Sequence[str] = (),
    now: datetime | None = None,
) -> Report:
    """The facts of a report over ``datasets`` (default: every dataset with a version)."""
    now = now or datetime.now(UTC)
    report = Report(generated_at=now)
    for dataset in _datasets(processed_dir, datasets):
        version = latest_version(processed_dir, dataset)
        assert version is not None  # _datasets keeps only those
        manifest = read_manifest(processed_dir, dataset, version)
        report.datasets[dataset] = version
        report.record_counts[dataset] = dict(manifest.record_counts)
        warnings = read_table(processed_dir, dataset, version, "warnings")
        if dataset == PAPERS:
            _add_papers(report, read_table(processed_dir, dataset, version))
            for miss in read_table(processed_dir, dataset, version, "near_misses"):
                titles = miss.get("titles") or ["", ""]
                report.near_misses.append(
                    (str(titles[0]), str(titles[-1]), float(miss["score"]), str(miss["reason"]))
                )
        else:
            report.warnings_by_source[dataset] = len(warnings)
            report.warning_samples[dataset] = [
                f"line {w.get('line') or '-'}: {w.get('message')}" for w in warnings[:5]
            ]
        versions = list_versions(processed_dir, dataset)
        if len(versions) > 1:
            points = []
            for name in versions:
                counts = read_manifest(processed_dir, dataset, name)
                points.append((counts.created_at, counts.record_counts.get("records", 0)))
            report.growth.append(Growth(dataset, points))
    for source_id in source_ids:
        check = read_check(state_dir, source_id)
        if check is None:
            report.sources.append(SourceStatus(source_id, None, "never fetched", None, True))
            continue
        fresh = check.status in ("fetched", "not_modified")
        stale = not fresh or now - check.checked_at > STALE_AFTER
        report.sources.append(
            SourceStatus(source_id, check.checked_at, check.status, check.error, stale)
        )
    report.near_misses.sort(key=lambda miss: -miss[2])
    return report


__all__ = ["Growth", "Report", "SourceStatus", "build_report", "write_report"]


def write_report(report: Report, folder: Path) -> tuple[Path, Path]:
    """report.md and report.html in ``folder`` (replaced atomically)."""
    from pipeline.core.files import write_atomic
    from pipeline.report.render import render_html, render_markdown

    folder.mkdir(parents=True, exist_ok=True)
    markdown, html = folder / "report.md", folder / "report.html"
    write_atomic(markdown, render_markdown(report).encode("utf-8"))
    write_atomic(html, render_html(report).encode("utf-8"))
    return markdown, html
