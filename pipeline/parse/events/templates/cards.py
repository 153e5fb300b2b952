"""Listing pages (2022-2023 ``events/oral``, poster, spotlight and ``events/workshop``
lists; award and orals indexes): one card per event, read field by field.

A card is a ``div.displaycards`` (id ``event-<id>``) holding ``a.small-title`` (title and
page), ``div.type_display_name_virtual_card`` (``Poster``, ``Spotlight Poster``, ``Oral``,
``Workshop``...), ``div.author-str`` (names separated by ``·``), ``div.touchup-date-div``
(the time), a ``[ Room ]`` paragraph and the abstract, hidden in ``div.collapse >
div.abstract-display`` or a ``<details>``. Indexes made of ``div.virtual-card > a`` are read
the same way. Text of a card in no known part is a warning, never silently dropped.
"""

from __future__ import annotations

import re

from pipeline.models import ParseWarning
from pipeline.parse.events.names import split_names
from pipeline.parse.events.page import (
    Element,
    HtmlPage,
    PartsRead,
    has_class,
    site_id_of,
    text_of,
)
from pipeline.parse.events.records import EventDraft, ItemDraft
from pipeline.parse.events.templates.base import PageReading
from pipeline.parse.events.times import parse_time

__all__ = ["read_listing_cards"]

# The card part each class names, in the order they are looked for.
_PARTS = {
    "abstract-link": "toggle",  # the 'Abstract' button that shows the hidden abstract
    "small-title": "title",
    "type_display_name_virtual_card": "label",
    "author-str": "names",
    "touchup-date-div": "time",
    "abstract-display": "abstract",
}
_BRACKETED = re.compile(r"^\s*\[\s*(?P<room>.*?)\s*(?P<position>#\s?\d{1,5})?\s*\]\s*$", re.S)
_FURNITURE = re.compile(r"^(?:abstract|show abstract|hide abstract|\[\s*\]|»)$", re.IGNORECASE)


def _card_scopes(page: HtmlPage) -> list[Element]:
    """Each card's element: the displaycards div, or a virtual-card with its parent's parts."""
    cards = page.by_class("displaycards", "div")
    if cards:
        return cards
    scopes = []
    for card in page.by_class("virtual-card", "div"):
        parent = card.getparent()
        siblings = [] if parent is None else [e for e in parent if has_class(e, "virtual-card")]
        scopes.append(parent if len(siblings) == 1 else card)
    return scopes


def _parts(scope: Element) -> dict[str, Element]:
    """The first element of each known part in one pass over the card."""
    found: dict[str, Element] = {}
    for element in scope.iter("div", "a", "p", "details"):
        classes = element.get("class")
        if classes:
            for name in classes.split():
                part = _PARTS.get(name)
                if part is not None and part not in found:
                    found[part] = element
        tag = element.tag
        if tag == "details" and "abstract" not in found:
            body = [child for child in element if child.tag != "summary"]
            if body:
                found["abstract"] = body[0]
            summary = element.find("summary")
            if summary is not None:
                found.setdefault("toggle", summary)
        elif tag == "a":
            if "title" not in found and "first_link" not in found and element.get("href"):
                found["first_link"] = element
        elif "room" not in found and not len(element):
            text = element.text
            if text and "[" in text and _BRACKETED.match(text):
                found["room"] = element  # '[ Room #123 ]': a paragraph of its own, no link
    return found


def _card(page: HtmlPage, scope: Element, warnings: list[ParseWarning]) -> ItemDraft | None:
    parts = _parts(scope)
    read = PartsRead()
    # Explicit: an lxml element without children is falsy.
    title_element = parts.get("title")
    if title_element is None:
        title_element = parts.get("first_link")
    title = read.text(title_element) if title_element is not None else ""
    line = scope.sourceline
    if title_element is None or not title:
        if text_of(scope):
            shown = text_of(scope)[:60]
            warnings.append(ParseWarning(line=line, message=f"card without a title: '{shown}'"))
        return None
    draft = ItemDraft(title=title, title_line=title_element.sourceline, first_line=line)
    draft.keep_links(page.links([scope]))  # the title's first: it leads the card
    href = str(title_element.get("href") or "").strip()
    draft.url = page.resolve(href) if href and not href.startswith("#") else None
    draft.site_id = site_id_of(str(scope.get("id") or "")) or site_id_of(draft.url)
    if (label := parts.get("label")) is not None:
        draft.label = read.text(label) or None
    if (names := parts.get("names")) is not None:
        draft.names = split_names(read.text(names))
    if (when := parts.get("time")) is not None and (shown := read.text(when)):
        draft.time = parse_time(shown)
        if draft.time is None:
            message = f"time '{shown}' of '{title}' not understood"
            warnings.append(ParseWarning(line=when.sourceline, message=message))
    if (room := parts.get("room")) is not None:
        match = _BRACKETED.match(read.text(room))
        if match:
            draft.room = match.group("room") or None
            position = match.group("position")
            draft.poster_position = position.replace(" ", "") if position else None
    if (abstract := parts.get("abstract")) is not None:
        shown = read.text(abstract)
        draft.abstract = [shown] if shown else []
    if (toggle := parts.get("toggle")) is not None:
        read.text(toggle)
    read.add(scope.iter("button"))  # controls, not content
    leftover = _leftover(scope, read)
    if leftover:
        shown = leftover if len(leftover) <= 80 else leftover[:77] + "..."
        message = f"text of card '{title}' not understood: '{shown}'"
        warnings.append(ParseWarning(line=line, message=message))
    return draft


def _leftover(scope: Element, read: PartsRead) -> str:
    words = [word for word in read.leftover(scope).split() if not _FURNITURE.match(word)]
    leftover = " ".join(words)
    return leftover if any(char.isalnum() for char in leftover) else ""


def _page_title(page: HtmlPage, cards: list[Element]) -> tuple[str | None, int | None]:
    """The listing's own heading (outside its cards), else the document's <title>."""
    card_set = set(cards)  # lxml keeps one proxy per element while it is referenced
    for heading in page.root.iter("h1", "h2", "h3"):
        inside = any(ancestor in card_set for ancestor in heading.iterancestors())
        if not inside and text_of(heading):
            return text_of(heading), heading.sourceline
    title = page.root.find(".//title")
    return (text_of(title) or None, title.sourceline) if title is not None else (None, None)


def read_listing_cards(page: HtmlPage) -> PageReading | None:
    """The page's cards, when it is a listing; None otherwise."""
    if not page.has_text(b"displaycards") and not page.has_text(b"virtual-card"):
        return None
    scopes = _card_scopes(page)
    if not scopes:
        return None
    warnings: list[ParseWarning] = []
    drafts = [draft for scope in scopes if (draft := _card(page, scope, warnings)) is not None]
    title, line = _page_title(page, scopes)
    event = EventDraft(title=title, title_line=line, kind="listing", site_id=None)
    return PageReading(event, drafts, warnings)
