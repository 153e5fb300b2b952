"""Event pages (HTML or the page text a browser copies) -> Event + items.

HTML is first offered to the page templates (:data:`templates.PAGE_TEMPLATES`), which read
the virtual sites' known DOM shapes by structure; a page none of them knows, and page text,
go through the line grammar.
"""

from __future__ import annotations

from pipeline.models import EventDocument, Organizer, ParseWarning, Source, SourceFormat
from pipeline.parse.events.html_lines import HtmlError
from pipeline.parse.events.page import HtmlPage
from pipeline.parse.events.records import EventDraft, build_document
from pipeline.parse.events.schedule import parse_lines, parse_schedule_text
from pipeline.parse.events.templates import PAGE_TEMPLATES, Header, read_header
from pipeline.parse.limits import (
    bound_html,
    bound_lines,
    html_cut_warnings,
    reset_html_cuts,
    web_links_only,
)


def read_event_page(text: str, source: Source, fmt: SourceFormat) -> EventDocument:
    """An event page in any form: HTML by its template or the line grammar, text by the
    grammar; a JSON document is the feed's, not a page.

    The page is bounded first (:mod:`pipeline.parse.limits`: what is cut is a warning) and
    only http(s) links are kept on the items and the event.
    """
    if fmt is SourceFormat.json:
        warning = ParseWarning(
            line=None, message="a JSON document is no event page: kind 'feed' reads the feed"
        )
        return build_document(source, EventDraft(), [], [warning])
    html = fmt is SourceFormat.html
    bounded = bound_html(text) if html else bound_lines(text)
    reset_html_cuts()
    try:
        if html:
            document = read_html_page(bounded.text, source)
        else:
            document = parse_schedule_text(bounded.text, source)
    except Exception as error:  # a last guard: the readers mean to warn, not to raise
        message = f"the {fmt.value} event reader failed on this page ({type(error).__name__})"
        document = parse_schedule_text("", source)
        document = document.model_copy(
            update={"warnings": [ParseWarning(line=None, message=message), *document.warnings]}
        )
    bounded.warnings.extend(html_cut_warnings())
    items, dropped = web_links_only(document.items)
    (event,), event_dropped = web_links_only([document.event])
    warnings = [*bounded.warnings, *event_dropped, *dropped, *document.warnings]
    return document.model_copy(update={"items": items, "event": event, "warnings": warnings})


def read_html_page(html: str, source: Source) -> EventDocument:
    """An HTML event page: the first template that knows its shape, else the grammar."""
    try:
        page = HtmlPage(html, source.url)
    except HtmlError as error:
        warning = ParseWarning(line=None, message=f"HTML not readable: {error}")
        return build_document(source, EventDraft(), [], [warning])
    for template in PAGE_TEMPLATES:
        reading = template.read(page)
        if reading is not None:
            return build_document(source, reading.event, reading.items, reading.warnings)
    header = read_header(page)
    document = parse_lines(page.visible_lines(without=header.elements), source)
    return _with_header(document, header) if header.found else document


def _with_header(document: EventDocument, header: Header) -> EventDocument:
    """The grammar's reading of a page with what its header says laid over its event."""
    event = document.event
    links = {link.url: link for link in [*event.links, *header.links]}
    description = "\n".join(text for text in (header.abstract, event.description) if text)
    updated = event.model_copy(
        update={
            "title": header.title,
            "organizers": event.organizers or [Organizer(name=name) for name in header.names],
            "description": description or None,
            "room": header.room or event.room,
            "time": header.time or event.time,
            "site_id": header.site_id or event.site_id,
            "links": list(links.values()),
            "provenance": event.provenance.model_copy(update={"line": header.title_line}),
        }
    )
    return document.model_copy(update={"event": updated, "title": header.title})


__all__ = ["read_event_page", "read_html_page"]
