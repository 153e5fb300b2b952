"""Harvest arXiv's metadata through OAI-PMH into the local title index, incrementally.

``paper-pipeline arxiv-index update`` asks arXiv's OAI-PMH interface
(``PIPELINE_ARXIV_OAI_URL``) for ``ListRecords`` in arXiv's own metadata format, one set at
a time (``PIPELINE_ARXIV_INDEX_SETS``: ``cs,stat`` by default), following resumption
tokens (sickle's iterator) page after page, and stores each page in the index as it comes.
A set's next harvest starts from the last datestamp it stored (OAI-PMH ``from``, inclusive),
so a daily update fetches a day of changes, and an interrupted one resumes near where it
stopped. Requests go through the one polite session (our User-Agent, timeout, retries on
503/429 honouring Retry-After) and the arXiv limiter: one request every
``PIPELINE_ARXIV_DELAY_SECONDS`` across the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch
from sickle.response import OAIResponse

from pipeline.core.http import (
    GaveUp,
    RetryPolicy,
    Transient,
    parse_retry_after,
    polite_session,
    with_retries,
)
from pipeline.core.ids import parse_arxiv_id
from pipeline.core.settings import Settings
from pipeline.enrich.arxiv.client import canonical_base_id
from pipeline.enrich.arxiv.index import INDEX_FILE_NAME, TitleIndex
from pipeline.enrich.arxiv.limiter import RequestLimiter
from pipeline.enrich.arxiv.service import LIMITER_FILE_NAME
from pipeline.models import ArxivMetadata

logger = logging.getLogger(__name__)

METADATA_PREFIX = "arXiv"
_ARXIV = "{http://arxiv.org/OAI/arXiv/}"
_RETRY = frozenset({429, 500, 502, 503, 504})
PAGE_COMMIT = 1000  # records per index commit: an interrupted harvest keeps what it stored


class HarvestError(Exception):
    """The OAI-PMH interface could not be read; the message says why, in one line."""


@dataclass
class HarvestSummary:
    records: dict[str, int] = field(default_factory=dict)  # set -> records stored
    deleted: int = 0
    requests: int = 0
    size: int = 0  # papers in the index afterwards


class PoliteSickle(Sickle):  # type: ignore[misc]  # sickle ships no type hints
    """sickle's OAI-PMH client on our session, with our retries (sickle's own only sleep)."""

    def __init__(self, settings: Settings, policy: RetryPolicy) -> None:
        super().__init__(settings.arxiv_oai_url, max_retries=0)
        limiter = RequestLimiter(
            settings.state_dir / LIMITER_FILE_NAME, settings.arxiv_delay_seconds
        )
        self.session, self.adapter = polite_session(
            settings.user_agent, settings.arxiv_timeout_seconds, limiter=limiter
        )
        self.policy = policy

    def harvest(self, **kwargs: Any) -> OAIResponse:
        response = with_retries(lambda: self._get(kwargs), self.policy, _sleep)
        return OAIResponse(response, params=kwargs)

    def _get(self, params: dict[str, Any]) -> requests.Response:
        try:
            response = self.session.get(self.endpoint, params=params)
        except requests.exceptions.RequestException as err:
            raise Transient(f"OAI-PMH request failed: {err}") from err
        if response.status_code in _RETRY:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise Transient(f"HTTP {response.status_code} from OAI-PMH", retry_after)
        if response.status_code != 200:
            raise HarvestError(f"HTTP {response.status_code} from {self.endpoint}")
        return response


def _sleep(seconds: float) -> None:
    logger.info("OAI-PMH: retrying in %.1f s", seconds)
    time.sleep(seconds)


def update_index(
    settings: Settings,
    *,
    sets: list[str] | None = None,
    since: str | None = None,
    policy: RetryPolicy | None = None,
) -> HarvestSummary:
    """Harvest every set (default: the setting's) from its last datestamp (or ``since``)."""
    summary = HarvestSummary()
    client = PoliteSickle(settings, policy or RetryPolicy())
    with TitleIndex(settings.state_dir / INDEX_FILE_NAME) as index:
        try:
            for set_spec in sets or settings.arxiv_index_set_list:
                summary.records[set_spec] = _harvest_set(client, index, set_spec, since, summary)
        except GaveUp as end:
            raise HarvestError(
                f"{end.last.reason} (gave up after {end.attempts} attempts)"
            ) from end
        finally:
            summary.requests = client.adapter.requests_sent
            client.session.close()
        summary.size = index.size()
    return summary


def _harvest_set(
    client: PoliteSickle,
    index: TitleIndex,
    set_spec: str,
    since: str | None,
    summary: HarvestSummary,
) -> int:
    start = since or index.last_datestamp(client.endpoint, set_spec)
    arguments = {"metadataPrefix": METADATA_PREFIX, "set": set_spec}
    if start:
        arguments["from"] = start
    try:
        records = client.ListRecords(**arguments)
    except NoRecordsMatch:
        return 0
    stored, latest = 0, start
    page: list[tuple[ArxivMetadata, str]] = []
    for record in _records(records):
        kind, datestamp, value = record
        latest = max(latest or datestamp, datestamp)
        if kind == "deleted":
            index.delete([value])
            summary.deleted += 1
            continue
        page.append((value, datestamp))
        if len(page) >= PAGE_COMMIT:
            stored += index.upsert(page)
            page = []
    stored += index.upsert(page)
    if latest:
        index.record_harvest(client.endpoint, set_spec, latest)
    return stored


def _records(records: Any) -> Iterator[tuple[str, str, Any]]:
    """(kind, datestamp, metadata or deleted base id) of each harvested record."""
    try:
        for record in records:
            header = record.header
            datestamp = str(header.datestamp)
            if header.deleted:
                base = _base_id(header.identifier.rsplit(":", 1)[-1])
                if base:
                    yield "deleted", datestamp, base
                continue
            metadata = to_metadata(record.xml)
            if metadata is not None:
                yield "record", datestamp, metadata
    except NoRecordsMatch:
        return


def _base_id(raw: str) -> str | None:
    parsed = parse_arxiv_id(raw)
    return canonical_base_id(parsed.base) if parsed else None


def to_metadata(record: Any) -> ArxivMetadata | None:
    """One OAI-PMH record (an lxml element, as sickle gives it) in arXiv's format as our
    metadata; None without a usable id or title."""
    found = record.find(f".//{_ARXIV}arXiv")
    if found is None:
        return None

    def text(name: str) -> str | None:
        value = found.findtext(f"{_ARXIV}{name}")
        return " ".join(value.split()) if value and value.strip() else None

    base = _base_id(text("id") or "")
    title = text("title")
    if base is None or title is None:
        return None
    authors = []
    for author in found.iter(f"{_ARXIV}author"):
        names = [author.findtext(f"{_ARXIV}{part}") or "" for part in ("forenames", "keyname")]
        suffix = author.findtext(f"{_ARXIV}suffix")
        authors.append(" ".join(name.strip() for name in [*names, suffix or ""] if name.strip()))
    categories = (text("categories") or "").split()
    return ArxivMetadata(
        arxiv_id=base,
        title=title,
        authors=[name for name in authors if name],
        abstract=text("abstract"),
        published=_date(text("created")),
        updated=_date(text("updated")),
        categories=categories,
        primary_category=categories[0] if categories else None,
        doi=text("doi"),
        journal_ref=text("journal-ref"),
        comment=text("comments"),
        abs_url=f"https://arxiv.org/abs/{base}",
        pdf_url=f"https://arxiv.org/pdf/{base}",
    )


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None
