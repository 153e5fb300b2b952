"""The papers presented at an event, each once, with every way it was presented.

A workshop shows the same paper as a spotlight and again as a poster: both slots become one
:class:`~pipeline.models.EventPaper` with two :class:`~pipeline.models.Presentation` s,
matched by :func:`~pipeline.core.text.normalise_title` (so a copy that lost its hyphens still
matches). A source may also say which items are one paper (the feed's
``related_events_ids``): those are joined whatever their titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from pipeline.core.ids import arxiv_id_from_url, first_openreview_id, title_key_id
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


def papers_from_event(
    doc: EventDocument, same_paper: Iterable[Sequence[str]] = ()
) -> list[EventPaper]:
    """Posters, spotlights, orals and paper talks, one record per paper, in page order.

    ``same_paper``: groups of item ids the source says are one paper.
    """
    paper_titles = {
        normalise_title(item.title) for item in doc.items if item.type in PAPER_ITEM_TYPES
    }
    items = [item for item in doc.items if _presents_a_paper(item, paper_titles)]
    parent = list(range(len(items)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(a: int, b: int) -> None:
        low, high = sorted((find(a), find(b)))
        parent[high] = low  # the group is led by its first item in page order

    first_of_title: dict[str, int] = {}
    position = {item.id: index for index, item in enumerate(items)}
    for index, item in enumerate(items):
        join(first_of_title.setdefault(normalise_title(item.title), index), index)
    for group in same_paper:
        members = [position[item_id] for item_id in group if item_id in position]
        for member in members[1:]:
            join(members[0], member)
    groups: dict[int, list[ScheduleItem]] = {}
    for index, item in enumerate(items):
        groups.setdefault(find(index), []).append(item)
    return [_paper(doc, members) for members in groups.values()]


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
    arxiv_ids = (arxiv_id_from_url(url) for url in links)
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
                session=item.session,
                room=item.room,
                poster_position=item.poster_position,
                url=item.url,
            )
            for item in items
        ],
        links=list(links.values()),
        arxiv_id=next((found.base for found in arxiv_ids if found), None),
        openreview_id=first_openreview_id(links),
        decision=next((item.decision for item in items if item.decision), None),
        topic=next((item.topic for item in items if item.topic), None),
        keywords=next((item.keywords for item in items if item.keywords), []),
        author_details=next((item.author_details for item in items if item.author_details), []),
    )
