"""``enrich_papers``: look papers up on arXiv by id or by title, through the cache.

Order of work: validate ids locally, answer what the cache knows, then ask arXiv in as few
requests as possible (100 ids per request; titles packed into searches up to the URL
budget, :func:`pipeline.enrich.arxiv.query.pack_clauses`), or, with the local title index,
no searches at all (:mod:`pipeline.enrich.arxiv.index`). Faults never raise: a
failed request marks its papers ``error``, no network (or no answer) marks the rest
``pending``, and so does the run's time budget once spent.

Nothing doubtful is cached: a batch arXiv refuses (HTTP 400) is split in halves until the
ids it refuses are alone (``invalid_id``) and the rest answered; an empty answer, or a
short one (totalResults above its entries), is asked again once for the ids it left out,
and those are cached as ``not_found`` only when a request for each alone confirms it
(within the run's budget; the rest stay pending). A full answer that leaves ids out is
arXiv saying it does not know them.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.core.http import RetryPolicy
from pipeline.core.ids import parse_arxiv_id
from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.core.text import normalise_title
from pipeline.enrich.arxiv import matching
from pipeline.enrich.arxiv.cache import CACHE_FILE_NAME, ArxivCache
from pipeline.enrich.arxiv.client import (
    ArxivClient,
    ArxivFetchError,
    ArxivRefused,
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
        # One time budget for every arXiv request of the run, the title index's included.
        ends = time.monotonic() + settings.arxiv_budget_seconds
        missing_titles = [key for key in work.by_title if key not in work.titles]
        if missing_titles and settings.arxiv_title_index and not settings.offline:
            missing_titles = _titles_from_index(
                work, missing_titles, settings, retry, cache, report, refresh=refresh, ends=ends
            )
        missing_ids = sorted(set(work.by_id) - set(work.ids))
        if missing_ids or missing_titles:
            if settings.offline:
                _pend(work, missing_ids, missing_titles, "offline", report)
            else:
                _fetch(work, missing_ids, missing_titles, settings, retry, cache, report, ends)
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
    # One result for every paper pending alike, as a failed batch shares one between the
    # papers it held: an offline run of 10,000 titles made 10,000 equal models.
    by_id = Enrichment(status=EnrichmentStatus.pending, reason=PENDING_REASON, method="id")
    by_title = Enrichment(status=EnrichmentStatus.pending, reason=PENDING_REASON, method="title")
    for base in ids:
        work.failed[("id", base)] = by_id
    for key in titles:
        work.failed[("title", key)] = by_title
    count = sum(len(work.by_id[b]) for b in ids) + sum(len(work.by_title[k]) for k in titles)
    report.warnings.append(f"{cause}: {count} papers pending")


class _BudgetSpent(Exception):
    """The run's time for arXiv is used up: the rest stays pending."""


def _fetch(
    work: _Work,
    ids: Sequence[str],
    titles: Sequence[str],
    settings: Settings,
    retry: RetryPolicy | None,
    cache: ArxivCache | None,
    report: EnrichmentReport,
    ends: float,
) -> None:
    limiter = RequestLimiter(settings.state_dir / LIMITER_FILE_NAME, settings.arxiv_delay_seconds)
    client = ArxivClient(settings, limiter, retry or RetryPolicy())
    batches: list[tuple[Method, list[str]]] = [
        *(("id", list(ids[i : i + ID_BATCH_SIZE])) for i in range(0, len(ids), ID_BATCH_SIZE)),
        *(("title", batch) for batch in _title_searches(titles, work, settings)),
    ]
    try:
        for position, (method, batch) in enumerate(batches):
            seconds = (len(batches) - position) * settings.arxiv_delay_seconds
            progress("arXiv", done=position, total=len(batches), note=f"~{seconds:.0f} s left")
            try:
                if time.monotonic() >= ends:
                    raise _BudgetSpent
                if method == "id":
                    _fetch_ids(client, batch, work, cache, report, ends)
                else:
                    _search_titles(client, batch, work, cache, report)
            except (ArxivUnreachable, _BudgetSpent) as err:
                # No network: asking again batch after batch would only wait on timeouts.
                cause = (
                    f"arXiv's time budget of {settings.arxiv_budget_seconds:g} s is spent"
                    if isinstance(err, _BudgetSpent)
                    else str(err)
                )
                left = batches[position:]
                _pend(
                    work,
                    [k for m, b in left if m == "id" for k in b if _open(work, "id", k)],
                    [k for m, b in left if m == "title" for k in b if _open(work, "title", k)],
                    cause,
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


def _open(work: _Work, method: Method, key: str) -> bool:
    """Not answered, nor failed, yet (a split batch may have settled part of itself)."""
    answered = work.ids if method == "id" else work.titles
    return key not in answered and (method, key) not in work.failed


def _titles_from_index(
    work: _Work,
    titles: list[str],
    settings: Settings,
    retry: RetryPolicy | None,
    cache: ArxivCache | None,
    report: EnrichmentReport,
    *,
    refresh: bool,
    ends: float,
) -> list[str]:
    """Answer titles from the local title index (no search requests: only the confirmed
    ids are fetched, cache first, in id batches); returns the titles left to search, all of
    them when the index is missing or arXiv cannot be reached.

    The confirmed ids are asked as every id is (:func:`_fetch_ids`: refused batches split,
    doubtful answers asked again, nothing doubtful cached, the run's budget). A title whose
    confirmed id arXiv refused or left unconfirmed is not answered from the index: it is
    searched as without one.
    """
    path = settings.state_dir / INDEX_FILE_NAME
    if not path.exists():
        report.warnings.append(f"no arXiv title index at {path} (run `arxiv-index update`)")
        return titles
    limiter = RequestLimiter(settings.state_dir / LIMITER_FILE_NAME, settings.arxiv_delay_seconds)
    client = ArxivClient(settings, limiter, retry or RetryPolicy())
    fetched = _Work()  # the confirmed ids' answers, apart from the papers' own id lookups

    def fetch(ids: list[str]) -> dict[str, ArxivMetadata | None]:
        found = dict(cache.get_ids(ids)) if cache is not None and not refresh else {}
        missing = [base for base in ids if base not in found]
        for start in range(0, len(missing), ID_BATCH_SIZE):
            if time.monotonic() >= ends:
                raise _BudgetSpent
            _fetch_ids(client, missing[start : start + ID_BATCH_SIZE], fetched, cache, report, ends)
        found.update(fetched.ids)  # trusted answers only: refused or unconfirmed ids are absent
        return found

    try:
        with TitleIndex(path) as index:
            firsts = {key: work.by_title[key][0] for key in titles}
            matched = match_titles(index, firsts, fetch, CANDIDATES_KEPT)
    except (ArxivUnreachable, ArxivFetchError, _BudgetSpent, sqlite3.Error) as err:
        cause = "arXiv's time budget is spent" if isinstance(err, _BudgetSpent) else str(err)
        report.warnings.append(f"arXiv title index not used: {cause}")
        matched = {}
    finally:
        report.requests_made += client.requests_sent
        client.close()
    work.ids.update(fetched.ids)  # an id a paper names too is not asked twice
    work.titles.update(matched)
    return [key for key in titles if key not in work.titles]


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
    keys = [key for key in batch if _open(work, method, key)]
    for key in keys:
        work.failed[(method, key)] = failed
    groups = work.by_id if method == "id" else work.by_title
    count = sum(len(groups[key]) for key in keys)
    report.warnings.append(f"{count} papers ({method} lookup) not enriched: {reason}")


def _fetch_ids(
    client: ArxivClient,
    batch: list[str],
    work: _Work,
    cache: ArxivCache | None,
    report: EnrichmentReport,
    ends: float,
) -> None:
    """Ask for a batch of ids; a refused batch is split until the refused ids are alone."""
    try:
        page = client.fetch_id_page(batch)
    except ArxivRefused as err:
        if len(batch) == 1:
            work.failed[("id", batch[0])] = Enrichment(
                status=EnrichmentStatus.invalid_id,
                reason=f"arXiv refuses the id: {err}",
                method="id",
            )
            report.warnings.append(f"arXiv refuses the id {batch[0]}: {err}")
            return
        middle = len(batch) // 2
        _fetch_ids(client, batch[:middle], work, cache, report, ends)
        _fetch_ids(client, batch[middle:], work, cache, report, ends)
        return
    # arXiv answers in no fixed order and leaves unknown ids out: key by base id.
    found = {meta.arxiv_id: meta for meta in page.results}
    missing = [base for base in batch if base not in found]
    if missing and (page.short or not page.results):
        # An empty or short answer is doubtful: asked again once for what it left out, then
        # each id still missing alone; only a full answer to that makes it "not found". (A
        # full answer that leaves ids out is arXiv saying it does not know them.)
        if len(missing) > 1:
            found.update({meta.arxiv_id: meta for meta in _ids_quietly(client, missing)})
        unconfirmed: list[str] = []
        left = [base for base in missing if base not in found]
        for position, base in enumerate(left):
            if time.monotonic() >= ends:
                done = [b for b in batch if b not in left[position:] and b not in unconfirmed]
                _keep_ids(work, cache, {b: found.get(b) for b in done})
                raise _BudgetSpent
            metadata, trusted = _one_id(client, base)
            if metadata is not None:
                found[base] = metadata
            elif not trusted:
                unconfirmed.append(base)
        for base in unconfirmed:
            work.failed[("id", base)] = Enrichment(
                status=EnrichmentStatus.error,
                reason="arXiv's answers left this id out; not cached, asked again next run",
                method="id",
            )
        if unconfirmed:
            report.warnings.append(
                f"arXiv left {len(unconfirmed)} of {len(batch)} ids out of its answers; "
                "they stay unconfirmed (error) and are asked again next run"
            )
        batch = [base for base in batch if base not in unconfirmed]
    _keep_ids(work, cache, {base: found.get(base) for base in batch})


def _keep_ids(
    work: _Work, cache: ArxivCache | None, answered: dict[str, ArxivMetadata | None]
) -> None:
    work.ids.update(answered)
    if cache is not None:
        cache.put_ids(answered)


def _one_id(client: ArxivClient, base: str) -> tuple[ArxivMetadata | None, bool]:
    """One id asked alone: its entry, and whether the answer can be trusted (a full one)."""
    try:
        page = client.fetch_id_page([base])
    except ArxivRefused:
        return None, False
    found = next((meta for meta in page.results if meta.arxiv_id == base), None)
    return found, found is not None or not page.short


def _ids_quietly(client: ArxivClient, ids: list[str]) -> list[ArxivMetadata]:
    """A second look at ids an answer left out; a refused or failed one finds nothing."""
    try:
        return client.fetch_ids(ids)
    except ArxivRefused:
        return []


def _search_titles(
    client: ArxivClient,
    batch: list[str],
    work: _Work,
    cache: ArxivCache | None,
    report: EnrichmentReport,
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
    wanted = RESULTS_PER_TITLE * len(clauses)
    query = batch_query(list(clauses.values()))
    try:
        page = client.search_page(query, max_results=wanted)
        if page.short:  # entries lost on the way: asked again once
            page = client.search_page(query, max_results=wanted)
    except ArxivRefused as err:
        if len(clauses) == 1:
            _fail(work, "title", list(clauses), f"arXiv refuses the search: {err}", report)
            return
        keys = list(clauses)
        middle = len(keys) // 2
        _search_titles(client, keys[:middle], work, cache, report)
        _search_titles(client, keys[middle:], work, cache, report)
        return
    if page.short:
        reason = f"arXiv's answer was short twice ({len(page.results)} of {page.total} entries)"
        _fail(work, "title", list(clauses), reason + "; not cached", report)
        return
    answered = {}
    for key in clauses:
        first = work.by_title[key][0]
        ranked = matching.rank(first.title, first.authors, page.results)
        answered[key] = [candidate.metadata for candidate in ranked[:CANDIDATES_KEPT]]
    work.titles.update(answered)
    if cache is not None:
        cache.put_titles(answered)
        cache.put_ids({meta.arxiv_id: meta for meta in page.results})


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
