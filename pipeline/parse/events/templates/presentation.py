"""The page of one oral, spotlight or poster (2025 on): its header is the presentation.

What kind of presentation it is comes from the page's URL (``/virtual/2025/poster/<id>``,
the source's or the page's canonical one), else from its ``<title>`` ('ICML 2025 Poster
...'). A workshop, tutorial or social page has a header too but is no presentation: its
program is read by the other templates or the line grammar.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pipeline.models import ParseWarning
from pipeline.parse.events.page import HtmlPage, text_of
from pipeline.parse.events.records import ItemDraft
from pipeline.parse.events.templates.base import PageReading, event_from_header
from pipeline.parse.events.templates.header import paper_links, read_header
from pipeline.parse.events.times import parse_time

__all__ = ["read_presentation"]

# Path segments of presentation pages and the type label each gives.
_PATH_TYPES = {
    "poster": "Poster",
    "oral": "Oral",
    "spotlight": "Spotlight",
    "invited-talk": "Invited Talk",
}
_TITLE_TYPE = re.compile(
    r"^\s*[A-Za-z]+(?:\s+\d{4})?\s+(?P<type>Poster|Oral|Spotlight(?: Poster)?)\b"
)


def _page_urls(page: HtmlPage) -> list[str]:
    urls = [page.base_url or ""]
    for element in page.root.iter("link", "meta"):
        rel = str(element.get("rel") or "").lower()
        prop = str(element.get("property") or "").lower()
        if rel == "canonical" or prop == "og:url":
            urls.append(str(element.get("href") or element.get("content") or ""))
    return urls


def presentation_label(page: HtmlPage) -> str | None:
    """'Poster', 'Oral'...: what one presentation's page presents; None for other pages."""
    for url in _page_urls(page):
        segments = [segment for segment in urlsplit(url).path.split("/") if segment]
        for segment in segments[:-1]:
            if segment.lower() in _PATH_TYPES:
                return _PATH_TYPES[segment.lower()]
            if segment.lower() in {"workshop", "tutorial", "social", "session", "events", "day"}:
                return None
    title = page.root.find(".//title")
    match = _TITLE_TYPE.match(text_of(title)) if title is not None else None
    return match.group("type") if match else None


def read_presentation(page: HtmlPage) -> PageReading | None:
    header = read_header(page)
    if not header.found:
        return None
    label = presentation_label(page)
    if label is None:
        return None
    event = event_from_header(header, kind="presentation")
    event.organizers = []  # the header's names are the presentation's authors
    item = ItemDraft(
        title=header.title,
        title_line=header.title_line,
        first_line=header.title_line,
        label=label,
        names=list(header.names),
        abstract=[header.abstract] if header.abstract else [],
        links=list({link.url: link for link in [*header.links, *paper_links(page)]}.values()),
        url=page.base_url,
        site_id=header.site_id,
        room=header.room,
        time=parse_time(header.time) if header.time else None,
    )
    reading = PageReading(event, [item])
    if header.time and item.time is None:
        message = f"time '{header.time}' of '{header.title}' not understood"
        reading.warnings.append(ParseWarning(line=header.title_line, message=message))
    return reading
