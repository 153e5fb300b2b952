"""Workshop and session pages (HTML or the page text a browser copies) -> Event + items."""

from __future__ import annotations

from pipeline.models import EventDocument, ParseWarning, Source, SourceFormat
from pipeline.parse.events.schedule import parse_schedule_html, parse_schedule_text
from pipeline.parse.limits import (
    LINES_CUT,
    bound_html,
    bound_lines,
    html_cut_warning,
    web_links_only,
)


def read_event_page(text: str, source: Source, fmt: SourceFormat) -> EventDocument:
    """An event page in either form, through the one line grammar.

    The page is bounded first (:mod:`pipeline.parse.limits`: what is cut is a warning) and
    only http(s) links are kept on the items and the event.
    """
    bounded = bound_html(text) if fmt is SourceFormat.html else bound_lines(text)
    read = parse_schedule_html if fmt is SourceFormat.html else parse_schedule_text
    LINES_CUT.set(None)
    try:
        document = read(bounded.text, source)
    except Exception as error:  # a last guard: the reader means to warn, not to raise
        message = f"the {fmt.value} event reader failed on this page ({type(error).__name__})"
        document = parse_schedule_text("", source)
        document = document.model_copy(
            update={"warnings": [ParseWarning(line=None, message=message), *document.warnings]}
        )
    cut = html_cut_warning()
    if cut is not None:
        bounded.warnings.append(cut)
    items, dropped = web_links_only(document.items)
    (event,), event_dropped = web_links_only([document.event])
    warnings = [*bounded.warnings, *event_dropped, *dropped, *document.warnings]
    return document.model_copy(update={"items": items, "event": event, "warnings": warnings})


__all__ = ["read_event_page"]
