"""The ``conference`` kind: a whole conference from its list of workshops.

``id = "icml-2023"``, ``url = "https://icml.cc/virtual/2023/events/workshop"``: the source's
own dataset is that listing (one record per workshop: title, organisers, time, room, page),
and it names its parts, each read as a source of its own and written as its own dataset:

* every workshop the listing links to (``kind = "workshop"``, id ``<id>-workshop-<site id>``);
* the conference's JSON feed (``kind = "feed"``, id ``<id>-orals-posters``),
  ``<origin>/static/virtual/data/<conf>-<year>-orals-posters.json``.

A part inherits the conference's venue, year and time zone (set ``timezone`` on the
conference: the pages show times without a zone); a workshop's date is its card's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.core.ids import slugify
from pipeline.kinds.base import SourceBundle
from pipeline.kinds.event import EventPageKind, event_document
from pipeline.models import ItemType, ScheduleItem, Source
from pipeline.parse.events.records import year_of_url

__all__ = ["ConferenceKind", "conference_parts"]

_ID = re.compile(r"^(?P<conf>[a-z][a-z0-9]*?)-?(?P<year>(?:19|20)\d{2})$")
_WORKSHOP_PATH = re.compile(r"/(?:workshop|affinity[-_]?workshop)s?/\d+/?$", re.IGNORECASE)
MAX_WORKSHOPS = 500  # a conference has ~100; more means the listing is not what we think


def _conference(source: Source) -> tuple[str | None, int | None]:
    """('icml', 2023) from the source's id, else from its host and URL."""
    match = _ID.match(source.id)
    if match:
        return match.group("conf"), int(match.group("year"))
    host = urlsplit(source.url).hostname or ""
    conf = host.split(".")[0] if host and not host[0].isdigit() else None
    return conf, source.year or year_of_url(source.url)


def _venue(source: Source, conf: str | None, year: int | None) -> str | None:
    if source.venue:
        return source.venue
    return f"{conf.upper()} {year}" if conf and year else None


def _is_workshop(item: ScheduleItem) -> bool:
    if item.url is None:
        return False
    return item.type is ItemType.workshop or bool(_WORKSHOP_PATH.search(urlsplit(item.url).path))


def _local_date(item: ScheduleItem, zone: str | None) -> date | None:
    if item.start_at is None:
        return None
    if zone:
        try:
            return item.start_at.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return item.start_at.date()


def conference_parts(source: Source, items: list[ScheduleItem]) -> list[Source]:
    """The workshops a conference's listing links to, then its feed."""
    conf, year = _conference(source)
    venue = _venue(source, conf, year)
    parts: list[Source] = []
    for item in [item for item in items if _is_workshop(item)][:MAX_WORKSHOPS]:
        assert item.url is not None  # see _is_workshop
        key = item.site_id or slugify(item.title, "workshop")[:40].strip("-")
        parts.append(
            Source.model_validate(
                {
                    "id": f"{source.id}-workshop-{key}",
                    "kind": "workshop",
                    "url": item.url,
                    "title": item.title,
                    "venue": venue,
                    "year": year,
                    "date": _local_date(item, source.timezone),
                    "timezone": source.timezone,
                }
            )
        )
    if conf and year:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(source.url))
        parts.append(
            Source(
                id=f"{source.id}-orals-posters",
                kind="feed",
                url=f"{origin}/static/virtual/data/{conf}-{year}-orals-posters.json",
                title=f"{venue} orals, spotlights and posters" if venue else None,
                venue=venue,
                year=year,
                timezone=source.timezone,
            )
        )
    return parts


@dataclass(frozen=True)
class ConferenceKind(EventPageKind):
    """Stored as the listing it is read from; its parts are read by the refresh chain."""

    name: str = "conference"

    def parts(self, bundle: SourceBundle) -> list[Source]:
        return conference_parts(bundle.source, event_document(bundle).items)
