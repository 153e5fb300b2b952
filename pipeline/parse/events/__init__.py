"""Workshop and session pages (HTML or the page text a browser copies) -> Event + items."""

from __future__ import annotations

from pipeline.models import EventDocument, Source, SourceFormat
from pipeline.parse.events.schedule import parse_schedule_html, parse_schedule_text


def read_event_page(text: str, source: Source, fmt: SourceFormat) -> EventDocument:
    """An event page in either form, through the one line grammar."""
    if fmt is SourceFormat.html:
        return parse_schedule_html(text, source)
    return parse_schedule_text(text, source)


__all__ = ["read_event_page"]
