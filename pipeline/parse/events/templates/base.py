"""What a page template is, and what it gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.models import Organizer, ParseWarning
from pipeline.parse.events.page import HtmlPage
from pipeline.parse.events.records import EventDraft, ItemDraft, PageKind
from pipeline.parse.events.templates.header import Header

__all__ = ["PageReading", "PageTemplate", "event_from_header"]


@dataclass
class PageReading:
    """A page as a template read it: its event, its items and what it could not read."""

    event: EventDraft
    items: list[ItemDraft]
    warnings: list[ParseWarning] = field(default_factory=list)


@dataclass(frozen=True)
class PageTemplate:
    """One DOM shape of the virtual sites: ``read`` gives None for a page not of its shape."""

    name: str
    read: Callable[[HtmlPage], PageReading | None]


def event_from_header(header: Header, kind: PageKind) -> EventDraft:
    """The event a page's header describes (its names are the organisers)."""
    return EventDraft(
        title=header.title,
        title_line=header.title_line,
        kind=kind,
        description=[header.abstract] if header.abstract else [],
        organizers=[Organizer(name=name) for name in header.names],
        links=list(header.links),
        site_id=header.site_id,
        room=header.room,
        time=header.time,
    )
