"""The virtual sites' JSON feed -> one ScheduleItem per presentation.

``https://<conf>.cc/static/virtual/data/<conf>-<year>-orals-posters.json`` (ICML, NeurIPS,
ICLR; mlsys.org too) is ``{count, next, previous, results: [...]}``, paginated by ``next``.
Each result is one presentation: ``id``, ``name`` (the title), ``abstract`` (from 2026 in a
sidecar ``<conf>-<year>-abstracts.json``: ``{"<id>": "<abstract>"}``), ``authors``
(``fullname``, ``institution`` - empty, null or HTML-escaped - and ``url``), ``topic``,
``keywords``, ``decision``, ``session``, ``eventtype`` or ``event_type``, ``room_name``,
``virtualsite_url``, ``url``, ``paper_url`` (the OpenReview forum), ``paper_pdf_url``,
``sourceurl`` (the OpenReview group), ``starttime``/``endtime`` with their offset,
``poster_position``, ``eventmedia[].uri`` and ``related_events_ids`` (the other
presentations of the same paper).

The reader takes every page and sidecar of one feed (in the order they were fetched),
tells them apart by their shape, and returns the items with the groups of item ids that
are one paper. Whatever it cannot use is a warning naming the record.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.models import (
    Author,
    Event,
    EventDocument,
    EventKind,
    Link,
    ParseWarning,
    Provenance,
    ScheduleItem,
    Source,
)
from pipeline.parse.events.records import item_type, normalise_label

__all__ = ["FeedReading", "feed_continuations", "read_feed"]

# Type labels of the feed's presentations; others are kept, typed from their label, and said.
_KNOWN_TYPES = frozenset({"poster", "oral", "spotlight", "spotlight poster"})
_LINK_FIELDS = (
    ("virtualsite_url", "Virtual site"),
    ("paper_url", "OpenReview"),
    ("paper_pdf_url", "PDF"),
    ("url", "Project page"),
    ("sourceurl", "OpenReview group"),
)
_FEED_NAME = re.compile(r"(?P<stem>[a-z]+-(?P<year>\d{4}))-orals-posters\.json$")


@dataclass
class FeedReading:
    document: EventDocument
    same_paper: list[list[str]] = field(default_factory=list)  # item ids, per paper


def _text(value: Any) -> str | None:
    """A feed string, HTML entities decoded and white space collapsed; None when empty.
    Numbers are their text (a poster position given as 2504); other values are no text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(value).split())
    return text or None


def _list(value: Any) -> list[Any]:
    """A feed list, or nothing: a field of another type is not iterated character by
    character."""
    return value if isinstance(value, list) else []


def _time(value: Any, zone: str | None) -> datetime | str | None:
    """An ISO time with its offset; naive times take the source's zone. A str: the problem."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return f"time {value!r} is not ISO 8601"
    if moment.tzinfo is not None:
        return moment
    try:
        return moment.replace(tzinfo=ZoneInfo(zone)) if zone else f"time {value!r} has no offset"
    except (ZoneInfoNotFoundError, ValueError):
        return f"time {value!r} has no offset and the source's zone {zone!r} is unknown"


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.warnings: list[ParseWarning] = []
        self.records: list[dict[str, Any]] = []
        self.abstracts: dict[str, str] = {}
        self.declared: int | None = None
        self.pages = 0
        self.other_types: dict[str | None, int] = {}  # labels that are no known type

    def warn(self, message: str) -> None:
        self.warnings.append(ParseWarning(line=None, message=message))

    def document(self, text: str, number: int) -> None:
        """One fetched document: a page of results, or the abstracts sidecar."""
        try:
            data = json.loads(text)
        except ValueError as error:
            self.warn(f"document {number} is not JSON ({error}); nothing read from it")
            return
        if isinstance(data, list):
            self.page(data, number)
        elif isinstance(data, dict) and isinstance(data.get("results"), list):
            if self.declared is None and isinstance(data.get("count"), int):
                self.declared = data["count"]
            self.page(data["results"], number)
        elif isinstance(data, dict) and data and all(isinstance(v, str) for v in data.values()):
            self.abstracts.update({str(key): value for key, value in data.items()})
        else:
            self.warn(f"document {number} is neither a page of results nor an abstracts sidecar")

    def page(self, results: list[Any], number: int) -> None:
        self.pages += 1
        for position, record in enumerate(results, 1):
            if isinstance(record, dict):
                self.records.append(record)
            else:
                self.warn(f"document {number}, result {position} is not an object: skipped")

    # ------------------------------------------------------------------ records

    def item(self, record: dict[str, Any], seen: set[str]) -> ScheduleItem | None:
        site_id = str(record.get("id", "")).strip()
        title = _text(record.get("name"))
        where = f"record {site_id or '?'}"
        if not site_id or not title:
            self.warn(f"{where}: no {'id' if not site_id else 'name'}: skipped")
            return None
        if site_id in seen:
            self.warn(f"{where} appears twice: the second is skipped")
            return None
        seen.add(site_id)
        label = _text(record.get("eventtype")) or _text(
            str(record.get("event_type") or "").replace("{location}", "")
        )
        kind = item_type(label, title)
        if label is None or normalise_label(label) not in _KNOWN_TYPES:
            self.other_types[label] = self.other_types.get(label, 0) + 1
        authors = [
            Author(
                name=name,
                institution=_text(author.get("institution")),
                url=_text(author.get("url")),
            )
            for author in _list(record.get("authors"))
            if isinstance(author, dict) and (name := _text(author.get("fullname")))
        ]
        times = {}
        for key in ("starttime", "endtime"):
            moment = _time(record.get(key), self.source.timezone)
            if isinstance(moment, str):
                self.warn(f"{where}: {moment}: no {key}")
                moment = None
            times[key] = moment
        abstract = _text(record.get("abstract")) or _text(self.abstracts.get(site_id))
        keywords = [kw for kw in (_text(k) for k in _list(record.get("keywords"))) if kw]
        url = self.link_url(record.get("virtualsite_url"))
        return ScheduleItem(
            id=f"{self.source.id}-{site_id}",
            event_id=self.source.id,
            title=title,
            type=kind,
            type_label=label,
            authors=[author.name for author in authors],
            start_at=times["starttime"],
            end_at=times["endtime"],
            abstract=abstract,
            links=self.links(record),
            site_id=site_id,
            url=url,
            session=_text(record.get("session")),
            room=_text(record.get("room_name")),
            poster_position=_text(record.get("poster_position")),
            decision=_text(record.get("decision")),
            topic=_text(record.get("topic")),
            keywords=keywords,
            author_details=authors,
            provenance=Provenance(source_id=self.source.id, line=None),
        )

    def link_url(self, value: Any) -> str | None:
        text = _text(value)
        return urljoin(self.source.url, text) if text else None

    def links(self, record: dict[str, Any]) -> list[Link]:
        found: dict[str, Link] = {}
        for key, label in _LINK_FIELDS:
            url = self.link_url(record.get(key))
            if url:
                found.setdefault(url, Link(label=label, url=url))
        for media in _list(record.get("eventmedia")):
            if isinstance(media, dict) and (url := self.link_url(media.get("uri"))):
                label = _text(media.get("name")) or _text(media.get("type")) or "Media"
                found.setdefault(url, Link(label=label, url=url))
        return list(found.values())


def read_feed(texts: Sequence[str], source: Source) -> FeedReading:
    """Every page and sidecar of one feed -> its presentations and which are one paper."""
    reader = _Reader(source)
    for number, text in enumerate(texts, 1):
        reader.document(text, number)
    seen: set[str] = set()
    items: list[ScheduleItem] = []
    related: list[list[str]] = []
    for record in reader.records:
        item = reader.item(record, seen)
        if item is None:
            continue
        items.append(item)
        others = _list(record.get("related_events_ids"))
        if others:
            related.append([item.id, *(f"{source.id}-{other}" for other in others)])
    if reader.declared is not None and reader.declared != len(reader.records):
        reader.warn(
            f"the feed says it holds {reader.declared} presentations; its {reader.pages} "
            f"page(s) hold {len(reader.records)}"
        )
    for label, count in reader.other_types.items():
        reader.warn(
            f"{count} presentation(s) of event type {label!r}, not an oral, spotlight or "
            f"poster: kept, typed {item_type(label, '').value}"
        )
    without = sum(item.abstract is None for item in items)
    if without:
        reader.warn(f"{without} presentation(s) without an abstract (none in the sidecar either)")
    if not items and not reader.warnings:
        reader.warn("the feed holds no presentations")
    match = _FEED_NAME.search(urlsplit(source.url).path)
    event = Event(
        id=source.id,
        title=source.title
        or (f"{match.group('stem')} orals, spotlights and posters" if match else None),
        venue=source.venue,
        year=source.year or (int(match.group("year")) if match else None),
        date=source.date,
        timezone=source.timezone,
        kind=EventKind.feed,
        url=source.url,
        provenance=Provenance(source_id=source.id, line=None),
    )
    document = EventDocument(
        kind="feed", title=event.title, event=event, items=items, warnings=reader.warnings
    )
    return FeedReading(document, related)


def feed_continuations(text: str, url: str) -> list[str]:
    """The further documents a feed page names: its ``next`` page, and the abstracts
    sidecar (``<conf>-<year>-abstracts.json`` beside it) when its records lack abstracts."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    found = []
    if isinstance(data.get("next"), str) and data["next"].strip():
        found.append(urljoin(url, data["next"].strip()))
    results = data.get("results")
    lacking = isinstance(results, list) and any(
        isinstance(record, dict) and not record.get("abstract") for record in results
    )
    parts = urlsplit(url)
    if lacking and parts.path.endswith("-orals-posters.json"):
        sidecar = parts.path.removesuffix("-orals-posters.json") + "-abstracts.json"
        found.append(f"{parts.scheme}://{parts.netloc}{sidecar}")
    return found
