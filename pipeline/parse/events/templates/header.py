"""The header of an event, oral or poster page (2025 on), read by its structure.

``<script type="application/ld+json">`` (the title and authors), ``h1.event-title``,
``div.event-organizers`` (names separated by ``⋅``), ``.abstract-section >
div.abstract-text-inner`` and ``span.meta-pill`` (room and time). Each field comes from the
first of these that has it; :attr:`Header.elements` are what was read, so the line grammar
can read the rest of the page without reading the header twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipeline.models import Link
from pipeline.parse.events.names import split_names
from pipeline.parse.events.page import Element, HtmlPage, site_id_of, text_of
from pipeline.parse.events.times import parse_time

__all__ = ["Header", "paper_links", "read_header"]

_ROOM_ICONS = ("fa-map-marker", "fa-location", "fa-map-pin", "fa-building", "fa-door")
_TIME_ICONS = ("fa-calendar", "fa-clock")
_PAPER_HOSTS = ("openreview.net", "arxiv.org")


@dataclass
class Header:
    """What an event page's header says; empty fields when it does not say it."""

    title: str | None = None
    title_line: int | None = None
    names: list[str] = field(default_factory=list)
    abstract: str | None = None
    room: str | None = None
    time: str | None = None
    links: list[Link] = field(default_factory=list)
    site_id: str | None = None
    elements: list[Element] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.title is not None


def _json_ld(page: HtmlPage) -> dict[str, Any] | None:
    """The first JSON-LD object with a name (a list or an @graph may hold it)."""
    if not page.has_text(b"ld+json"):
        return None
    for script in page.root.iter("script"):  # lxml's tag iteration: cheaper than XPath
        if not script.text or "ld+json" not in str(script.get("type") or ""):
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        if isinstance(data, dict):
            candidates = data.get("@graph", [data])
        else:
            candidates = data if isinstance(data, list) else []
        for candidate in candidates if isinstance(candidates, list) else []:
            if isinstance(candidate, dict) and isinstance(candidate.get("name"), str):
                return candidate
    return None


def _people(value: Any) -> list[str]:
    """The names of a JSON-LD author/organizer value: one person or a list of them."""
    people = value if isinstance(value, list) else [value] if value else []
    names = [person.get("name") if isinstance(person, dict) else person for person in people]
    return [" ".join(name.split()) for name in names if isinstance(name, str) and name.strip()]


def _pill(header: Header, pill: Element) -> None:
    icons = " ".join(str(icon.get("class") or "") for icon in pill.iter("i"))
    text = text_of(pill)
    if not text:
        return
    if any(name in icons for name in _TIME_ICONS) or (
        not any(name in icons for name in _ROOM_ICONS) and parse_time(text) is not None
    ):
        header.time = header.time or text
    else:
        header.room = header.room or text


def read_header(page: HtmlPage) -> Header:
    """The page's header fields, structure first: JSON-LD, then the visible elements
    (read once per page: templates and the fallback all ask)."""
    known = page.memo.get("header")
    if isinstance(known, Header):
        return known
    header = _read_header(page)
    page.memo["header"] = header
    return header


def _read_header(page: HtmlPage) -> Header:
    header = Header(site_id=site_id_of(page.base_url))
    data = _json_ld(page)
    if data is not None:
        header.title = " ".join(str(data["name"]).split())
        header.names = _people(data.get("author")) or _people(data.get("organizer"))
    found = page.by_classes(("event-title", "event-organizers", "abstract-section", "meta-pill"))
    if found["event-title"]:
        title = found["event-title"][0]
        header.elements.append(title)
        header.title = text_of(title) or header.title
        header.title_line = title.sourceline
    if found["event-organizers"]:
        organizers = found["event-organizers"][0]
        header.elements.append(organizers)
        header.names = header.names or split_names(text_of(organizers))
    for section in found["abstract-section"]:
        inner = page.first_by_class("abstract-text-inner", within=section)
        heading = next((text_of(h) for h in section.iter("h2", "h3", "h4")), "")
        if inner is not None and header.abstract is None and heading.lower() in {"", "abstract"}:
            header.abstract = text_of(inner) or None
            header.elements.append(section)
    for pill in found["meta-pill"]:
        if pill.tag == "span":
            _pill(header, pill)
            header.elements.append(pill)
    if header.title is None:
        header.elements = []  # no header: its parts belong to something else
        return header
    # Links in the header's own elements (its buttons are not always inside them).
    header.links = page.links(header.elements)
    return header


def paper_links(page: HtmlPage) -> list[Link]:
    """OpenReview and arXiv links anywhere on the page (of one presentation: its paper's)."""
    anchors = page.root.xpath(
        "//a[contains(@href, 'openreview.net') or contains(@href, 'arxiv.org')]"
    )
    return [link for link in page.links(anchors) if any(h in link.url for h in _PAPER_HOSTS)]
