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
from pipeline.parse.events.names import split_names
from pipeline.parse.events.page import Element, HtmlPage, class_test, site_id_of, text_of
from pipeline.parse.events.records import EventDraft, ItemDraft
from pipeline.parse.events.templates.base import PageReading, event_from_header
from pipeline.parse.events.templates.header import read_header
from pipeline.parse.events.times import parse_time

__all__ = ["read_schedule_rows"]

_CELLS = ("schedule-time", "schedule-event-name", "schedule-event-type", "schedule-authors")
_ABSTRACT = "schedule-abstract"
_ARROW = re.compile(r"^(?:→|->|➔)\s*")
# Buttons a row may show besides its cells ('Abstract' toggles the abstract).
_FURNITURE = frozenset({"abstract", "show abstract", "hide abstract", "expand", "collapse"})


def _cell(row: Element, name: str) -> Element | None:
    found = row.xpath(f".//*[{class_test(name)}]")
    return found[0] if found else None


def _leftover(row: Element, cells: list[Element]) -> str:
    """The row's text outside its known cells (buttons left out)."""
    text = text_of(row)
    for cell in cells:
        shown = text_of(cell)
        if shown:
            text = text.replace(shown, " ", 1)
    words = " ".join(text.split())
    return "" if words.casefold() in _FURNITURE or not any(c.isalnum() for c in words) else words


def _row(
    page: HtmlPage, row: Element, session: str | None, warnings: list[ParseWarning]
) -> ItemDraft | None:
    cells = {name: _cell(row, name) for name in (*_CELLS, _ABSTRACT)}
    name_cell = cells["schedule-event-name"]
    line = row.sourceline
    title = text_of(name_cell) if name_cell is not None else ""
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
    anchors = list(name_cell.iter("a"))
    if anchors:
        links = page.links(anchors[:1])
        if links:
            draft.url = links[0].url
            draft.keep_links(links)
    draft.site_id = site_id_of(str(row.get("id") or "")) or site_id_of(draft.url)
    if (kind := cells["schedule-event-type"]) is not None:
        draft.label = text_of(kind) or None
    if (authors := cells["schedule-authors"]) is not None:
        draft.names = split_names(text_of(authors))
    if (abstract := cells[_ABSTRACT]) is not None:
        shown = text_of(abstract)
        draft.abstract = [shown] if shown else []
        draft.keep_links(page.links([abstract]))
    if (when := cells["schedule-time"]) is not None and text_of(when):
        draft.time = parse_time(text_of(when))
        if draft.time is None:
            warnings.append(
                ParseWarning(
                    line=when.sourceline,
                    message=f"time '{text_of(when)}' of '{draft.title}' not understood",
                )
            )
    leftover = _leftover(row, [cell for cell in cells.values() if cell is not None])
    if leftover:
        shown = leftover if len(leftover) <= 80 else leftover[:77] + "..."
        warnings.append(
            ParseWarning(
                line=line, message=f"text of row '{draft.title}' not understood: '{shown}'"
            )
        )
    return draft


def read_schedule_rows(page: HtmlPage) -> PageReading | None:
    """The page's schedule rows, when it has rows with event names; None otherwise."""
    if not page.has_text(b"schedule-row"):
        return None
    rows = page.root.xpath(f"//tr[{class_test('schedule-row')}]")
    if not any(_cell(row, "schedule-event-name") is not None for row in rows):
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
