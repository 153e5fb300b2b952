"""The papers presented at an event, each once, with every way it was presented.

A workshop shows the same paper as a spotlight and again as a poster: both slots become one
:class:`~pipeline.models.EventPaper` with two :class:`~pipeline.models.Presentation` s,
matched by :func:`~pipeline.core.text.normalise_title` (so a copy that lost its hyphens still
matches).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.core.ids import title_key_id
from pipeline.core.text import normalise_title
from pipeline.models import (
    PAPER_ITEM_TYPES,
    EventDocument,
    EventPaper,
    ItemType,
    Link,
    Presentation,
    ScheduleItem,
)

__all__ = ["papers_from_event"]

# Links that show a contributed talk is about a paper (not a session of several talks).
_PAPER_HOSTS = ("openreview.net", "arxiv.org")


def papers_from_event(doc: EventDocument) -> list[EventPaper]:
    """Posters, spotlights, orals and paper talks, one record per paper, in page order."""
    paper_titles = {
        normalise_title(item.title) for item in doc.items if item.type in PAPER_ITEM_TYPES
    }
    groups: dict[str, list[ScheduleItem]] = {}
    for item in doc.items:
        if _presents_a_paper(item, paper_titles):
            groups.setdefault(normalise_title(item.title), []).append(item)
    return [_paper(doc, items) for items in groups.values()]


def _presents_a_paper(item: ScheduleItem, paper_titles: set[str]) -> bool:
    if item.type in PAPER_ITEM_TYPES:
        return True
    if item.type is not ItemType.contributed_talk:
        return False
    # A contributed talk is a paper when the page also shows it as one, or links to it.
    return normalise_title(item.title) in paper_titles or any(
        _is_paper_link(link) for link in item.links
    )


def _is_paper_link(link: Link) -> bool:
    host = (urlsplit(link.url).hostname or "").lower()
    return host.endswith(_PAPER_HOSTS) or urlsplit(link.url).path.lower().endswith(".pdf")


def _paper(doc: EventDocument, items: list[ScheduleItem]) -> EventPaper:
    first = items[0]
    # Fields come from the first slot that has them, so the result never depends on a sort.
    authors = next((item.authors for item in items if item.authors), None) or next(
        (item.speakers for item in items if item.speakers), []
    )
    abstract = next((item.abstract for item in items if item.abstract), None)
    links: dict[str, Link] = {}
    for item in items:
        for link in item.links:
            links.setdefault(link.url, link)
    return EventPaper(
        id=title_key_id("paper", first.title),
        event_id=doc.event.id,
        title=first.title,
        authors=list(authors),
        abstract=abstract,
        presentations=[
            Presentation(
                item_id=item.id,
                type=item.type,
                start_at=item.start_at,
                start=item.start,
                poster_spots=list(item.poster_spots),
            )
            for item in items
        ],
        links=list(links.values()),
    )
