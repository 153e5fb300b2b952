"""What every event page reader fills in (drafts), and how drafts become records.

The line grammar (:mod:`~pipeline.parse.events.schedule`) and the page templates
(:mod:`~pipeline.parse.events.templates`) read different things, the same way: an
:class:`EventDraft` and one :class:`ItemDraft` per item. :func:`build_document` then does
what is the same for all: item types from their labels, speakers split from talk titles,
shown times resolved into the event's time zone, and stable ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pipeline.core.ids import disambiguate, short_hash
from pipeline.core.text import collapse_spaces, normalise_title, surname
from pipeline.models import (
    PAPER_ITEM_TYPES,
    Event,
    EventDocument,
    EventKind,
    ItemType,
    Link,
    Organizer,
    ParseWarning,
    Provenance,
    ScheduleItem,
    Source,
)
from pipeline.parse.events.names import looks_like_name
from pipeline.parse.events.times import ShownTime, known_zone, resolve_time

__all__ = [
    "EventDraft",
    "ItemDraft",
    "PageKind",
    "build_document",
    "item_type",
    "normalise_label",
]

PageKind = Literal["workshop", "session", "listing", "presentation", "feed"]


@dataclass(slots=True)
class ItemDraft:
    """An item being read: its fields as the page shows them."""

    title: str | None = None
    title_line: int | None = None
    first_line: int | None = None
    label: str | None = None
    time: ShownTime | None = None
    names: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    spots: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    ended: bool = False  # the line grammar saw its '🔗' end mark
    site_id: str | None = None
    url: str | None = None
    session: str | None = None
    room: str | None = None
    poster_position: str | None = None

    def keep_links(self, links: tuple[Link, ...] | list[Link]) -> None:
        for link in links:
            if all(known.url != link.url for known in self.links):
                self.links.append(link)


@dataclass(slots=True)
class EventDraft:
    """The page's own event as read; what it lacks comes from the source."""

    title: str | None = None
    title_line: int | None = None
    kind: PageKind | None = None  # from a heading or the page's structure
    item_label: str | None = None  # what the page's items are: 'Oral' under 'Oral Session'
    description: list[str] = field(default_factory=list)
    organizers: list[Organizer] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    timezone_shown: str | None = None
    site_id: str | None = None
    room: str | None = None
    time: str | None = None
    sign_in_required: bool = False


# --------------------------------------------------------------------------- types

# Type labels as the sites print them, normalised (case-folded, plural 's' dropped).
_TYPE_LABELS: dict[str, ItemType] = {
    "invited talk": ItemType.invited_talk,
    "invited speaker": ItemType.invited_talk,
    "plenary speaker": ItemType.invited_talk,
    "plenary talk": ItemType.invited_talk,
    "keynote": ItemType.invited_talk,
    "keynote talk": ItemType.invited_talk,
    "spotlight": ItemType.spotlight,
    "spotlight talk": ItemType.spotlight,
    "spotlight poster": ItemType.spotlight,
    "oral": ItemType.oral,
    "oral presentation": ItemType.oral,
    "poster": ItemType.poster,
    "contributed talk": ItemType.contributed_talk,
    "opening": ItemType.remarks,
    "closing": ItemType.remarks,
    "remark": ItemType.remarks,
    "opening remark": ItemType.remarks,
    "closing remark": ItemType.remarks,
    "introduction": ItemType.remarks,
    "welcome": ItemType.remarks,
    "live q&a": ItemType.discussion,
    "q&a": ItemType.discussion,
    "panel": ItemType.discussion,
    "panel discussion": ItemType.discussion,
    "discussion": ItemType.discussion,
    "break": ItemType.break_,
    "coffee break": ItemType.break_,
    "lunch": ItemType.break_,
    "lunch break": ItemType.break_,
    "workshop": ItemType.workshop,
    "affinity workshop": ItemType.workshop,
    "tutorial": ItemType.tutorial,
}
# An untyped slot is named by its title: 'Lunch', 'Coffee Break', 'Poster Session/Coffee Break'.
_UNTYPED_KEYWORDS: tuple[tuple[re.Pattern[str], ItemType], ...] = (
    (re.compile(r"\b(?:break|lunch|coffee|poster session|social)\b", re.I), ItemType.break_),
    (re.compile(r"\b(?:remarks|opening|closing|welcome)\b", re.I), ItemType.remarks),
    (re.compile(r"\b(?:panel|q&a|discussion)\b", re.I), ItemType.discussion),
    (re.compile(r"\b(?:invited talk|keynote)\b", re.I), ItemType.invited_talk),
)


@lru_cache(maxsize=1024)  # a page has a handful of labels, each shown many times
def normalise_label(label: str) -> str:
    words = collapse_spaces(label).casefold().split()
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words)


def is_type_label(label: str) -> bool:
    """Whether the sites use ``label`` as a type ('Poster', 'Invited Talks')."""
    return normalise_label(label) in _TYPE_LABELS


def item_type(label: str | None, title: str) -> ItemType:
    """The normalised type of a slot, from its label or, when it has none, its title."""
    if label is not None:
        return _TYPE_LABELS.get(normalise_label(label), ItemType.other)
    for keywords, kind in _UNTYPED_KEYWORDS:
        if keywords.search(title):
            return kind
    return ItemType.other


def _split_speaker_from_title(
    title: str, kind: ItemType, speakers: list[str]
) -> tuple[str, str | None]:
    """'Talk title, Murat A. Erdogdu' -> ('Talk title', 'Murat A. Erdogdu') for a talk."""
    if kind in PAPER_ITEM_TYPES or ", " not in title:
        return title, None
    head, tail = title.rsplit(", ", 1)
    if not head or not looks_like_name(tail):
        return title, None
    confirmed = surname(tail) in {surname(name) for name in speakers}
    if confirmed or (not speakers and kind is ItemType.invited_talk):
        return head.strip(), tail
    return title, None


# --------------------------------------------------------------------------- building

_EVENT_KINDS: dict[str, EventKind] = {kind.value: kind for kind in EventKind}
# A source kind whose pages are events of another kind: a conference is read from a listing.
_SOURCE_EVENT_KINDS = {"conference": EventKind.listing}


def _event_kind(draft: EventDraft, source: Source) -> EventKind:
    if draft.kind is not None:
        return _EVENT_KINDS[draft.kind]
    return _SOURCE_EVENT_KINDS.get(source.kind) or _EVENT_KINDS.get(source.kind, EventKind.workshop)


def _event(draft: EventDraft, source: Source, warnings: list[ParseWarning]) -> Event:
    """The page's event: what the page shows, the rest from the source metadata."""
    timezone = source.timezone
    if timezone is None and draft.timezone_shown:
        if known_zone(draft.timezone_shown):
            timezone = draft.timezone_shown
        else:
            warnings.append(
                ParseWarning(
                    line=None, message=f"time zone '{draft.timezone_shown}' is not an IANA name"
                )
            )
    return Event(
        id=source.id,
        title=draft.title or source.title,
        venue=source.venue,
        year=source.year,
        date=source.date,
        timezone=timezone,
        kind=_event_kind(draft, source),
        url=source.url,
        description="\n".join(draft.description) or None,
        organizers=draft.organizers,
        links=draft.links,
        site_id=draft.site_id,
        room=draft.room,
        time=draft.time,
        sign_in_required=draft.sign_in_required,
        provenance=Provenance(source_id=source.id, line=draft.title_line),
    )


def _item_fields(
    draft: ItemDraft,
    title: str,
    item_label: str | None,
    event: Event,
    source: Source,
    warnings: list[ParseWarning],
) -> dict[str, Any]:
    """A draft's ScheduleItem fields, all but its id."""
    # A session page's items take their type from its heading ('Oral Session' -> oral).
    label = draft.label if draft.label is not None or item_label is None else item_label
    kind = item_type(label, title)
    names = list(draft.names)
    authors, speakers = (names, []) if kind in PAPER_ITEM_TYPES else ([], names)
    title, speaker = _split_speaker_from_title(title, kind, speakers)
    if speaker is not None and surname(speaker) not in {surname(name) for name in speakers}:
        speakers.append(speaker)
    if kind in PAPER_ITEM_TYPES and not authors:
        warnings.append(
            ParseWarning(line=draft.title_line, message=f"{kind.value} '{title}' has no authors")
        )
    shown = draft.time
    start_at = end_at = None
    if shown is not None:
        year = source.year or year_of_url(source.url)
        start_at, end_at, problem = resolve_time(shown, source.date, event.timezone, year)
        if problem is not None:
            warnings.append(ParseWarning(line=draft.first_line, message=f"{problem}: no datetimes"))
    return {
        "event_id": source.id,
        "title": title,
        "type": kind,
        "type_label": draft.label,
        "authors": authors,
        "speakers": speakers,
        "day": shown.day if shown else None,
        "start": shown.start if shown else None,
        "end": shown.end if shown else None,
        "start_at": start_at,
        "end_at": end_at,
        "abstract": "\n".join(draft.abstract) or None,
        "poster_spots": draft.spots,
        "links": draft.links,
        "site_id": draft.site_id,
        "url": draft.url,
        "session": draft.session,
        "room": draft.room or (shown.room if shown else None),
        "poster_position": draft.poster_position,
        "provenance": Provenance(source_id=source.id, line=draft.title_line),
    }


_URL_YEAR = re.compile(r"/(?:virtual|Conferences)/((?:19|20)\d{2})/")


def year_of_url(url: str) -> int | None:
    """The conference year a virtual site's URL names: '/virtual/2025/poster/1' -> 2025."""
    match = _URL_YEAR.search(url)
    return int(match.group(1)) if match else None


def item_id(source_id: str, title: str, kind: ItemType) -> str:
    """Ids survive re-runs and lost hyphens: the event, the normalised title, the type."""
    return f"{source_id}-{short_hash(normalise_title(title), kind.value)}"


def build_document(
    source: Source,
    event_draft: EventDraft,
    drafts: list[ItemDraft],
    warnings: list[ParseWarning],
) -> EventDocument:
    """The records of a page read into drafts; ``warnings`` gains what building finds."""
    event = _event(event_draft, source, warnings)
    if event.timezone and not known_zone(event.timezone):
        warnings.append(
            ParseWarning(line=None, message=f"unknown time zone '{event.timezone}': no datetimes")
        )
        event_zone_ok = False
    else:
        event_zone_ok = True
    fields = [
        _item_fields(
            draft,
            draft.title,
            event_draft.item_label,
            event if event_zone_ok else event.model_copy(update={"timezone": None}),
            source,
            warnings,
        )
        for draft in drafts
        if draft.title is not None  # readers keep titled drafts only
    ]
    # The same title and type twice gets '-2'.
    ids = disambiguate([item_id(source.id, f["title"], f["type"]) for f in fields])
    items = [
        ScheduleItem.model_validate({"id": record_id, **values})
        for record_id, values in zip(ids, fields, strict=True)
    ]
    return EventDocument(
        kind=event.kind.value,
        title=event.title,
        event=event,
        items=items,
        warnings=warnings,
    )
