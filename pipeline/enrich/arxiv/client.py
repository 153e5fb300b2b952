"""The ``arxiv`` package's Client, wired for this pipeline.

- Transport: a requests Session whose adapter adds the timeout (arxiv sets none), our
  User-Agent (arxiv sends its own) and the shared rate limiter to every request.
- Retries: arxiv's own loop retries everything, HTTP 400 included, and cannot see
  Retry-After, so the client runs with ``num_retries=0`` and ``_parse_feed`` is replaced
  by a loop that retries only transient faults (429/5xx gateway, timeouts, dropped
  connections, malformed pages) with exponential backoff.
- Bounds: every response is read with a size cap (decoded bytes: a gzip bomb stops there)
  and a whole-response deadline (a trickled body ends on time), both from core/http.
- One page per call, never arxiv's paging: a feed whose totalResults exceeds its entries
  keeps what it holds, and the caller sees it was short (:class:`Page`).
- Faults surface as :class:`ArxivUnreachable` (no network, or no answer at all: callers
  mark papers pending), :class:`ArxivRefused` (HTTP 400/500: arXiv refuses this query;
  callers split the batch) or :class:`ArxivFetchError` (this request failed: its papers
  are errors).
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import arxiv
import requests
import urllib3.exceptions
from arxiv import _feed as arxiv_feed

from pipeline.core.http import (
    BodyError,
    BodyTooLarge,
    Deadline,
    DeadlineExceeded,
    GaveUp,
    RetryPolicy,
    Transient,
    parse_retry_after,
    polite_session,
    read_body,
    with_retries,
)
from pipeline.core.ids import parse_arxiv_id
from pipeline.core.settings import Settings
from pipeline.enrich.arxiv.limiter import RequestLimiter
from pipeline.models import ArxivMetadata

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})  # a 500 from arXiv is a bad query
REFUSED_STATUSES = frozenset({400, 500})  # arXiv refuses what was asked: split the batch
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # a 100-entry page is ~0.3 MB
_ATOM = "http://www.w3.org/2005/Atom"


class ArxivUnreachable(Exception):
    """No network (connection refused, DNS failure, connect timeout) or no answer at all."""


class ArxivFetchError(Exception):
    """A request failed for good; the message is the reason recorded on each paper."""


class ArxivRefused(ArxivFetchError):
    """arXiv refuses the query (HTTP 400, or 500 for a query it cannot run)."""


class _Silent(Transient):
    """No response within the timeout: retried, and if every attempt is silent, unreachable."""


@dataclass(frozen=True)
class Page:
    """One page of an answer; ``total`` is the feed's totalResults."""

    results: list[ArxivMetadata]
    total: int

    @property
    def short(self) -> bool:
        """The feed says it holds more than it gave (entries lost on the way)."""
        return self.total > len(self.results)


class ArxivClient(arxiv.Client):  # type: ignore[misc]  # arxiv ships no type hints
    """``arxiv.Client`` pointed at ``settings.arxiv_api_url``, with our transport and retries."""

    def __init__(self, settings: Settings, limiter: RequestLimiter, policy: RetryPolicy) -> None:
        # The limiter spaces requests across processes; arxiv's per-instance delay would
        # only add to it.
        super().__init__(page_size=100, delay_seconds=0.0, num_retries=0)
        separator = "&" if "?" in settings.arxiv_api_url else "?"
        self.query_url_format = (
            settings.arxiv_api_url.replace("{", "{{").replace("}", "}}") + separator + "{}"
        )
        self._session, self._adapter = polite_session(
            settings.user_agent,
            settings.arxiv_timeout_seconds,
            limiter=limiter,
            close_connections=True,
        )
        self._policy = policy
        self._sleep = _log_wait
        self._timeout = settings.arxiv_timeout_seconds
        self._deadline_seconds = settings.arxiv_deadline_seconds

    @property
    def requests_sent(self) -> int:
        return self._adapter.requests_sent

    def close(self) -> None:
        self._session.close()

    # ------------------------------------------------------------------ public calls

    def fetch_ids(self, base_ids: Sequence[str]) -> list[ArxivMetadata]:
        """The entries arXiv has for these ids (any order; unknown ids are absent)."""
        return self.fetch_id_page(base_ids).results

    def fetch_id_page(self, base_ids: Sequence[str]) -> Page:
        search = arxiv.Search(id_list=list(base_ids), max_results=len(base_ids))
        return self._one_page(search, max(len(base_ids), 1))

    def search(self, query: str, max_results: int) -> list[ArxivMetadata]:
        """The first ``max_results`` results of a search, in arXiv's relevance order."""
        return self.search_page(query, max_results).results

    def search_page(self, query: str, max_results: int) -> Page:
        return self._one_page(arxiv.Search(query=query, max_results=max_results), max_results)

    def _one_page(self, search: arxiv.Search, size: int) -> Page:
        # One request: arxiv's paging would ask again for what a short page left out and
        # lose what it already had when that fails.
        feed = self._parse_feed(self._format_url(search, 0, size))
        found = []
        for result in feed.results:
            metadata = to_metadata(result)
            if metadata is not None:
                found.append(metadata)
        return Page(found, min(feed.header.total_results, size))

    # ------------------------------------------------------------------ arxiv hook

    def _parse_feed(
        self, url: str, first_page: bool = True, _try_index: int = 0
    ) -> arxiv_feed.ParsedFeed:
        """One page, with our retry policy (replaces arxiv's retry-everything loop)."""
        try:
            return with_retries(lambda: self._fetch_page(url), self._policy, self._sleep)
        except GaveUp as end:
            fault = end.last
            if isinstance(fault, _Silent):
                # Silent on every attempt: the next batches would only wait as long.
                raise ArxivUnreachable(
                    f"arXiv did not answer ({fault.reason}, {end.attempts} attempts)"
                ) from fault
            if end.wait_refused:
                raise ArxivFetchError(
                    f"{fault.reason}; arXiv asks to retry after {fault.retry_after:.0f} s, "
                    f"more than the {self._policy.retry_after_limit:.0f} s we wait"
                ) from fault
            raise ArxivFetchError(
                f"{fault.reason} (gave up after {end.attempts} attempts)"
            ) from fault

    def _fetch_page(self, url: str) -> arxiv_feed.ParsedFeed:
        deadline = Deadline(self._deadline_seconds)
        try:
            response = self._session.get(url, stream=True, timeout=deadline.timeout(self._timeout))
        except requests.exceptions.ConnectionError as err:
            if _is_unreachable(err):
                raise ArxivUnreachable(f"arXiv unreachable: {_root_cause(err)}") from err
            raise Transient(f"connection failed: {_root_cause(err)}") from err
        except requests.exceptions.Timeout as err:
            raise _Silent(f"no response within {self._timeout:g} s") from err
        except requests.exceptions.RequestException as err:
            raise ArxivFetchError(f"request failed: {err}") from err
        with response:
            content = self._read(response, deadline)

        status = response.status_code
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise Transient(f"HTTP {status} from arXiv", retry_after)
        if status in REFUSED_STATUSES:
            raise ArxivRefused(f"HTTP {status} from arXiv{_error_summary(content)}")
        if status != 200:
            raise ArxivFetchError(f"HTTP {status} from arXiv{_error_summary(content)}")

        malformed = _malformed(content)
        if malformed:
            raise Transient(f"malformed response from arXiv: {malformed}")
        feed = arxiv_feed.parse(content)
        if feed.malformed:
            raise Transient(f"malformed response from arXiv: {feed.error}")
        return feed

    def _read(self, response: requests.Response, deadline: Deadline) -> bytes:
        try:
            return read_body(response, MAX_RESPONSE_BYTES, deadline)
        except BodyTooLarge as err:
            # Not retried: the same request would bring the same flood.
            raise ArxivFetchError(f"response from arXiv refused: {err}") from err
        except DeadlineExceeded as err:
            raise _Silent(f"no complete response within {deadline.seconds:g} s") from err
        except BodyError as err:
            raise Transient(f"response from arXiv cut: {err}") from err


# ---------------------------------------------------------------------- helpers


def _log_wait(seconds: float) -> None:
    logger.info("arXiv: retrying in %.1f s", seconds)
    time.sleep(seconds)


def to_metadata(result: Any) -> ArxivMetadata | None:
    """An ``arxiv.Result`` as our record; None for an entry without a usable id."""
    parsed = parse_arxiv_id(result.get_short_id())
    if parsed is None:
        logger.warning("arXiv entry with an unreadable id skipped: %s", result.entry_id)
        return None
    abs_url = next((link.href for link in result.links if link.rel == "alternate"), result.entry_id)
    return ArxivMetadata(
        arxiv_id=canonical_base_id(parsed.base),
        version=parsed.version,
        title=" ".join(str(result.title).split()),
        authors=[author.name for author in result.authors],
        abstract=" ".join(str(result.summary).split()) or None,
        published=result.published,
        updated=result.updated,
        categories=list(result.categories),
        primary_category=result.primary_category or None,
        doi=result.doi or None,
        journal_ref=result.journal_ref or None,
        comment=result.comment or None,
        abs_url=abs_url,
        pdf_url=result.pdf_url,
    )


def canonical_base_id(base: str) -> str:
    """arXiv answers old-style ids without the subject class: 'math.GT/0309136' -> 'math/...'."""
    archive, slash, number = base.partition("/")
    return f"{archive.split('.')[0]}/{number}" if slash else base


def _is_unreachable(err: requests.exceptions.ConnectionError) -> bool:
    if isinstance(err, requests.exceptions.ConnectTimeout | requests.exceptions.ProxyError):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    # NameResolutionError (DNS) is a NewConnectionError; both are ConnectTimeoutErrors.
    return isinstance(reason, urllib3.exceptions.ConnectTimeoutError)


def _root_cause(err: BaseException) -> str:
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return str(reason or err)


def _malformed(content: bytes) -> str | None:
    """Why this is not a well-formed Atom feed, or None.

    arxiv's parser recovers from broken XML, so a truncated page would pass as a short
    one and its missing ids would be cached as "not found"; a strict parse catches that.
    arXiv never sends a DTD: one in an answer (entity bombs, external entities) is refused
    before any parser sees it.
    """
    if b"<!doctype" in content[:4096].lower():
        return "a document type declaration (entities) in an Atom answer"
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as err:
        return str(err) or "XML syntax error"
    if root.tag != f"{{{_ATOM}}}feed":
        return f"root element is {root.tag!r}, not an Atom feed"
    return None


def _error_summary(content: bytes) -> str:
    """arXiv's error entry (HTTP 400) explains itself in the entry's summary."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return ""
    summary = root.findtext(f"{{{_ATOM}}}entry/{{{_ATOM}}}summary")
    return f": {' '.join(summary.split())}" if summary else ""


__all__ = [
    "ArxivClient",
    "ArxivFetchError",
    "ArxivRefused",
    "ArxivUnreachable",
    "Page",
    "canonical_base_id",
    "to_metadata",
]
