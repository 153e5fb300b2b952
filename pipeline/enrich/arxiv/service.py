"""``enrich_papers``: look papers up on arXiv by id or by title, through the cache.

Order of work: validate ids locally, answer what the cache knows, then ask arXiv in as few
requests as possible (100 ids per request; 5 titles per search). Faults never raise: a
failed request marks its papers ``error``, no network marks the rest ``pending``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.core.http import RetryPolicy
from pipeline.core.ids import parse_arxiv_id
from pipeline.core.settings import Settings
from pipeline.core.text import normalise_title
from pipeline.enrich.arxiv import matching
from pipeline.enrich.arxiv.cache import CACHE_FILE_NAME, ArxivCache
from pipeline.enrich.arxiv.client import (
    ArxivClient,
    ArxivFetchError,
    ArxivUnreachable,
    canonical_base_id,
)
from pipeline.enrich.arxiv.index import INDEX_FILE_NAME, TitleIndex, match_titles
from pipeline.enrich.arxiv.limiter import RequestLimiter
from pipeline.enrich.arxiv.query import batch_query, pack_clauses, title_clause
from pipeline.enrich.records import EnrichmentReport, PaperRef
from pipeline.models import ArxivMetadata, Enrichment, EnrichmentStatus

logger = logging.getLogger(__name__)

ID_BATCH_SIZE = 100  # ids per id_list request
RESULTS_PER_TITLE = 10  # page room per title in a batched search
# Titles per search: as many as the URL budget takes (query.pack_clauses), and at most
# what one page of arXiv's (2,000 results, the user manual's cap) has room for.
TITLE_BATCH_SIZE = 2000 // RESULTS_PER_TITLE
CANDIDATES_KEPT = 5  # per title, in the cache: enough for ambiguity and no_match reasons
LIMITER_FILE_NAME = "arxiv-requests.lock"

Method = Literal["id", "title"]


@dataclass
class _Work:
    """Papers grouped by what is asked of arXiv: a base id or a normalised title."""

    by_id: dict[str, list[PaperRef]] = field(default_factory=dict)
    by_title: dict[str, list[PaperRef]] = field(default_factory=dict)
    ids: dict[str, ArxivMetadata | None] = field(default_factory=dict)  # answered ids
    titles: dict[str, list[ArxivMetadata]] = field(default_factory=dict)  # answered titles
    failed: dict[tuple[Method, str], Enrichment] = field(default_factory=dict)


def enrich_papers(
    papers: Sequence[PaperRef],
    settings: Settings,
    *,
    refresh: bool = False,
    retry: RetryPolicy | None = None,
) -> EnrichmentReport:
    """An Enrichment for every paper (keyed by ``PaperRef.key``); never raises on faults.

    ``refresh`` ignores the cache (and rewrites it); ``retry`` tunes the backoff.
    """
    report = EnrichmentReport()
    work = _Work()
    _classify(papers, work, report)

    cache = _open_cache(settings, report)
    try:
        if cache is not None and not refresh:
            work.ids.update(cache.get_ids(work.by_id))
            work.titles.update(cache.get_titles(work.by_title))
        missing_titles = [key for key in work.by_title if key not in work.titles]
        if missing_titles and settings.arxiv_title_index and not settings.offline:
            missing_titles = _titles_from_index(
                work, missing_titles, settings, retry, cache, report
            )
        missing_ids = sorted(set(work.by_id) - set(work.ids))
        if missing_ids or missing_titles:
            if settings.offline:
                _pend(work, missing_ids, missing_titles, "offline", report)
            else:
                _fetch(work, missing_ids, missing_titles, settings, retry, cache, report)
    finally:
        if cache is not None:
            cache.close()
            report.warnings.extend(cache.warnings)

    _resolve(work, report)
    for status, count in sorted(report.status_counts().items()):
        logger.info("arXiv enrichment: %d %s", count, status.value)
    return report


# ---------------------------------------------------------------------- steps


def _classify(papers: Sequence[PaperRef], work: _Work, report: EnrichmentReport) -> None:
    seen: set[str] = set()
    for paper in papers:
        if paper.key in seen:
            report.warnings.append(f"duplicate paper key {paper.key!r}: the last one wins")
        seen.add(paper.key)
        if paper.arxiv_id is not None and paper.arxiv_id.strip():
            parsed = parse_arxiv_id(paper.arxiv_id)
            if parsed is None:
                report.results[paper.key] = Enrichment(
                    status=EnrichmentStatus.invalid_id,
                    reason=f"malformed arXiv id {paper.arxiv_id!r}; not sent to arXiv",
                    method="id",
                )
                continue
            work.by_id.setdefault(canonical_base_id(parsed.base), []).append(paper)
            continue
        key = normalise_title(paper.title)
        if not key:
            report.results[paper.key] = Enrichment(
                status=EnrichmentStatus.no_match,
                reason="no arXiv id and no title to search",
                method="title",
            )
            continue
        work.by_title.setdefault(key, []).append(paper)


def _open_cache(settings: Settings, report: EnrichmentReport) -> ArxivCache | None:
    path = settings.state_dir / CACHE_FILE_NAME
    try:
        cache = ArxivCache(path, settings.arxiv_cache_ttl_days)
    except (OSError, sqlite3.Error) as err:
        report.warnings.append(f"arXiv cache {path} unavailable ({err}); running without it")
        return None
    return cache


PENDING_REASON = "no network: arXiv will be asked on the next run that reaches it"


def _pend(
    work: _Work,
    ids: Sequence[str],
    titles: Sequence[str],
    cause: str,
    report: EnrichmentReport,
) -> None:
    # The record's reason stays the same whatever the machine's resolver said, so an
    # offline run's outputs are identical everywhere; the cause goes to the run's warning.
    reason = PENDING_REASON
    for base in ids:
        work.failed[("id", base)] = Enrichment(
            status=EnrichmentStatus.pending, reason=reason, method="id"
        )
    for key in titles:
        work.failed[("title", key)] = Enrichment(
            status=EnrichmentStatus.pending, reason=reason, method="title"
        )
    count = sum(len(work.by_id[b]) for b in ids) + sum(len(work.by_title[k]) for k in titles)
    report.warnings.append(f"{cause}: {count} papers pending")


def _fetch(
    work: _Work,
    ids: Sequence[str],
    titles: Sequence[str],
    settings: Settings,
    retry: RetryPolicy | None,
    cache: ArxivCache | None,
    report: EnrichmentReport,
) -> None:
    limiter = RequestLimiter(settings.state_dir / LIMITER_FILE_NAME, settings.arxiv_delay_seconds)
    client = ArxivClient(settings, limiter, retry or RetryPolicy())
    batches: list[tuple[Method, list[str]]] = [
        *(("id", list(ids[i : i + ID_BATCH_SIZE])) for i in range(0, len(ids), ID_BATCH_SIZE)),
        *(("title", batch) for batch in _title_searches(titles, work, settings)),
    ]
    try:
        for position, (method, batch) in enumerate(batches):
            try:
                if method == "id":
                    _fetch_ids(client, batch, work, cache)
                else:
                    _search_titles(client, batch, work, cache)
            except ArxivUnreachable as err:
                # No network: asking again batch after batch would only wait on timeouts.
                left = batches[position:]
                _pend(
                    work,
                    [key for m, b in left if m == "id" for key in b],
                    [key for m, b in left if m == "title" for key in b],
                    str(err),
                    report,
                )
                return
            except ArxivFetchError as err:
                _fail(work, method, batch, f"arXiv request failed: {err}", report)
            except Exception as err:  # a data fault in arxiv.py or our mapping: keep going
                logger.exception("arXiv %s batch failed", method)
                _fail(work, method, batch, f"unexpected {type(err).__name__}: {err}", report)
    finally:
        report.requests_made += client.requests_sent
        client.close()


def _titles_from_index(
    work: _Work,
    titles: list[str],
    settings: Settings,
    retry: RetryPolicy | None,
    cache: ArxivCache | None,
    report: EnrichmentReport,
) -> list[str]:
    """Answer titles from the local title index (no search requests: only the confirmed
    ids are fetched, cache first, in id batches); returns the titles left to search, all of
    them when the index is missing or arXiv cannot be reached."""
    path = settings.state_dir / INDEX_FILE_NAME
    if not path.exists():
        report.warnings.append(f"no arXiv title index at {path} (run `arxiv-index update`)")
        return titles
    limiter = RequestLimiter(settings.state_dir / LIMITER_FILE_NAME, settings.arxiv_delay_seconds)
    client = ArxivClient(settings, limiter, retry or RetryPolicy())

    def fetch(ids: list[str]) -> dict[str, ArxivMetadata | None]:
        found = dict(cache.get_ids(ids)) if cache is not None else {}
        missing = [base for base in ids if base not in found]
        for start in range(0, len(missing), ID_BATCH_SIZE):
            batch = missing[start : start + ID_BATCH_SIZE]
            answered = {meta.arxiv_id: meta for meta in client.fetch_ids(batch)}
            found.update({base: answered.get(base) for base in batch})
            if cache is not None:
                cache.put_ids({base: answered.get(base) for base in batch})
        return found

    try:
        with TitleIndex(path) as index:
            firsts = {key: work.by_title[key][0] for key in titles}
            work.titles.update(match_titles(index, firsts, fetch, CANDIDATES_KEPT))
    except (ArxivUnreachable, ArxivFetchError, sqlite3.Error) as err:
        report.warnings.append(f"arXiv title index not used: {err}")
        return [key for key in titles if key not in work.titles]
    finally:
        report.requests_made += client.requests_sent
        client.close()
    return []


def _title_searches(titles: Sequence[str], work: _Work, settings: Settings) -> list[list[str]]:
    """The title keys packed into as few searches as the URL budget allows."""
    clauses = []
    for key in titles:
        first = work.by_title[key][0]
        clauses.append((key, title_clause(first.title, first.authors) or ""))
    return pack_clauses(clauses, settings.arxiv_api_url, max_clauses=TITLE_BATCH_SIZE)


def _fail(
    work: _Work, method: Method, batch: Sequence[str], reason: str, report: EnrichmentReport
) -> None:
    failed = Enrichment(status=EnrichmentStatus.error, reason=reason, method=method)
    for key in batch:
        work.failed[(method, key)] = failed
    groups = work.by_id if method == "id" else work.by_title
    count = sum(len(groups[key]) for key in batch)
    report.warnings.append(f"{count} papers ({method} lookup) not enriched: {reason}")


def _fetch_ids(
    client: ArxivClient, batch: list[str], work: _Work, cache: ArxivCache | None
) -> None:
    # arXiv answers in no fixed order and leaves unknown ids out: key by base id.
    found = {meta.arxiv_id: meta for meta in client.fetch_ids(batch)}
    answered = {base: found.get(base) for base in batch}
    work.ids.update(answered)
    if cache is not None:
        cache.put_ids(answered)


def _search_titles(
    client: ArxivClient, batch: list[str], work: _Work, cache: ArxivCache | None
) -> None:
    clauses = {}
    for key in batch:
        first = work.by_title[key][0]
        clause = title_clause(first.title, first.authors)
        if clause is None:
            work.titles[key] = []  # nothing searchable left in the title
        else:
            clauses[key] = clause
    if not clauses:
        return
    results = client.search(
        batch_query(list(clauses.values())), max_results=RESULTS_PER_TITLE * len(clauses)
    )
    answered = {}
    for key in clauses:
        first = work.by_title[key][0]
        ranked = matching.rank(first.title, first.authors, results)
        answered[key] = [candidate.metadata for candidate in ranked[:CANDIDATES_KEPT]]
    work.titles.update(answered)
    if cache is not None:
        cache.put_titles(answered)
        cache.put_ids({meta.arxiv_id: meta for meta in results})


def _resolve(work: _Work, report: EnrichmentReport) -> None:
    for base, papers in work.by_id.items():
        for paper in papers:
            report.results[paper.key] = _by_id(base, paper, work)
    for key, papers in work.by_title.items():
        for paper in papers:
            failed = work.failed.get(("title", key))
            if failed is not None:
                report.results[paper.key] = failed
            else:
                report.results[paper.key] = matching.decide(
                    paper.title, paper.authors, work.titles.get(key, [])
                )


def _by_id(base: str, paper: PaperRef, work: _Work) -> Enrichment:
    failed = work.failed.get(("id", base))
    if failed is not None:
        return failed
    if base not in work.ids:  # cannot happen: every id is answered, failed or pending
        return Enrichment(status=EnrichmentStatus.error, reason="not looked up", method="id")
    metadata = work.ids[base]
    if metadata is None:
        return Enrichment(
            status=EnrichmentStatus.not_found,
            reason=f"arXiv has no paper {base}",
            method="id",
        )
    return Enrichment(
        status=EnrichmentStatus.enriched,
        reason=f"arXiv {metadata.arxiv_id}v{metadata.version} by id",
        method="id",
        metadata=metadata,
        title_mismatch=matching.title_mismatch(paper.title, metadata),
    )
