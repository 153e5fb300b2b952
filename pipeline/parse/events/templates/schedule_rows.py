"""Workshop schedules of 2024 on: one ``tr.schedule-row`` per item, read cell by cell.

A row (its id ends in the event id) holds ``.schedule-time`` (timed rows only),
``.schedule-event-name > a`` (papers under a poster session start with ``→``),
``.schedule-event-type``, ``.schedule-authors`` (names separated by ``⋅``) and
``.schedule-abstract``. Untimed rows belong to the session of the timed row above them.
Text of a row in no known cell is a warning, never silently dropped.
"""

from __future__ import annotations

import re

from pipeline.models import ParseWarning
from pipeline.parse.events.html_lines import anchor_link
from pipeline.parse.events.names import split_names
from pipeline.parse.events.page import Element, HtmlPage, PartsRead, site_id_of, text_of
from pipeline.parse.events.records import EventDraft, ItemDraft
from pipeline.parse.events.templates.base import PageReading, event_from_header
from pipeline.parse.events.templates.header import read_header
from pipeline.parse.events.times import parse_time

__all__ = ["read_schedule_rows"]

_CELLS = frozenset(
    {"schedule-time", "schedule-event-name", "schedule-event-type", "schedule-authors",
     "schedule-abstract"}
)  # fmt: skip
_ARROW = re.compile(r"^(?:→|->|➔)\s*")
# Buttons a row may show besides its cells ('Abstract' toggles the abstract).
_FURNITURE = frozenset({"abstract", "show abstract", "hide abstract", "expand", "collapse"})


def _cells(row: Element) -> dict[str, Element]:
    """The first element of each known cell, in one pass over the row."""
    found: dict[str, Element] = {}
    for element in row.iter():
        classes = element.get("class") if isinstance(element.tag, str) else None
        if classes and "schedule-" in classes:
            for name in classes.split():
                if name in _CELLS and name not in found:
                    found[name] = element
    return found


def _row(
    page: HtmlPage, row: Element, session: str | None, warnings: list[ParseWarning]
) -> ItemDraft | None:
    cells = _cells(row)
    read = PartsRead()
    name_cell = cells.get("schedule-event-name")
    line = row.sourceline
    title = read.text(name_cell) if name_cell is not None else ""
    if name_cell is None or not title:
        if text_of(row):
            shown = text_of(row)[:60]
            warnings.append(
                ParseWarning(line=line, message=f"schedule row without a title: '{shown}'")
            )
        return None
    draft = ItemDraft(title=_ARROW.sub("", title), title_line=name_cell.sourceline, first_line=line)
    if _ARROW.match(title):
        draft.session = session
    anchor = next(name_cell.iter("a"), None)
    link = anchor_link(anchor, page.resolve) if anchor is not None else None
    if link is not None:
        draft.url = link.url
        draft.keep_links([link])
    draft.site_id = site_id_of(str(row.get("id") or "")) or site_id_of(draft.url)
    if (kind := cells.get("schedule-event-type")) is not None:
        draft.label = read.text(kind) or None
    if (authors := cells.get("schedule-authors")) is not None:
        draft.names = split_names(read.text(authors))
    if (abstract := cells.get("schedule-abstract")) is not None:
        shown = read.text(abstract)
        draft.abstract = [shown] if shown else []
        draft.keep_links(page.links([abstract]))
    if (when := cells.get("schedule-time")) is not None and (shown := read.text(when)):
        draft.time = parse_time(shown)
        if draft.time is None:
            message = f"time '{shown}' of '{draft.title}' not understood"
            warnings.append(ParseWarning(line=when.sourceline, message=message))
    read.add(cells.values())
    read.add(row.iter("button"))  # buttons ('Abstract', 'Expand') are controls, not content
    leftover = read.leftover(row)
    if leftover.casefold() in _FURNITURE or not any(c.isalnum() for c in leftover):
        leftover = ""
    if leftover:
        shown = leftover if len(leftover) <= 80 else leftover[:77] + "..."
        message = f"text of row '{draft.title}' not understood: '{shown}'"
        warnings.append(ParseWarning(line=line, message=message))
    return draft


def read_schedule_rows(page: HtmlPage) -> PageReading | None:
    """The page's schedule rows, when it has rows with event names; None otherwise."""
    if not page.has_text(b"schedule-event-name"):
        return None
    rows = page.by_class("schedule-row", "tr")
    if not any("schedule-event-name" in _cells(row) for row in rows):
        return None
    header = read_header(page)
    warnings: list[ParseWarning] = []
    event: EventDraft = event_from_header(header, kind="workshop")
    drafts: list[ItemDraft] = []
    session: str | None = None
    for row in rows:
        draft = _row(page, row, session, warnings)
        if draft is None:
            continue
        if draft.session is None and draft.time is not None:
            session = draft.title  # the slot '→' rows after it belong to
        drafts.append(draft)
    return PageReading(event, drafts, warnings)
