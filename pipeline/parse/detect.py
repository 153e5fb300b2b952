"""Format detection and the one entry point from text to a parsed document."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.models import (
    EventDocument,
    ParseWarning,
    ReadmeDocument,
    Source,
    SourceFormat,
    SourceKind,
)
from pipeline.parse.events.schedule import (
    looks_like_schedule,
    parse_schedule_html,
    parse_schedule_text,
)
from pipeline.parse.readme.cards import parse_readme_markdown
from pipeline.parse.readme.page_text import parse_readme_text
from pipeline.parse.readme.paper_list import parse_paper_list

_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<table)", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6} \S", re.MULTILINE)
_MARKDOWN_LINK = re.compile(r"\]\([^)\s]+\)")


def detect_format(text: str) -> SourceFormat:
    """HTML, markdown or page text, from the document's own shape."""
    head = text[:4096]
    if _HTML_START.search(head) or "</div>" in head or "</p>" in head:
        return SourceFormat.html
    if _MARKDOWN_HEADING.search(text) and _MARKDOWN_LINK.search(text):
        return SourceFormat.markdown
    return SourceFormat.text


def detect_kind(text: str, fmt: SourceFormat) -> SourceKind:
    """README or event page; a session when the page text says so."""
    if fmt is SourceFormat.markdown:
        return SourceKind.readme
    if fmt is SourceFormat.html or looks_like_schedule(text):
        first_lines = [line.strip() for line in text.splitlines()[:5]]
        return SourceKind.session if "Oral Session" in first_lines else SourceKind.workshop
    return SourceKind.readme


def source_for_path(path: Path, text: str, fmt: SourceFormat) -> Source:
    """A stand-in Source for a file given on the command line without metadata."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"
    return Source(id=slug, kind=detect_kind(text, fmt), url=path.resolve().as_uri(), format=fmt)


def parse_markdown_readme(text: str, source_id: str) -> ReadmeDocument:
    """The awesome-deep-phenomena card format, else another common paper-list layout.

    The paper-list reading (tables of papers, '- [Title](url) - note' items) is asked when the
    card parser finds no card, or when most of its cards have no link at all: a category
    bullet over a sub-list of papers ('- Vision' / '  - [Paper](url)') reads as a linkless
    card. It wins only with more cards, so a card-format README is always read as cards.
    """
    cards = parse_readme_markdown(text, source_id=source_id)
    linkless = sum(1 for card in cards.items if not card.links)
    if cards.items and linkless * 2 <= len(cards.items):
        return cards
    listed = parse_paper_list(text, source_id=source_id)
    if len(listed.items) > len(cards.items):
        return listed
    if cards.items:
        return cards
    return cards.model_copy(update={"warnings": [*cards.warnings, *listed.warnings]})


def parse_document(
    text: str, source: Source, fmt: SourceFormat | None = None
) -> ReadmeDocument | EventDocument:
    """Parse text of any supported format into records and warnings; never raises on content."""
    fmt = fmt or source.format or detect_format(text)
    if source.kind is SourceKind.readme:
        if fmt is SourceFormat.markdown:
            return parse_markdown_readme(text, source_id=source.id)
        if fmt is SourceFormat.text:
            return parse_readme_text(text, source_id=source.id)
        document = parse_readme_text(text, source_id=source.id)
        document.warnings.insert(
            0, ParseWarning(line=None, message="README given as HTML: read as page text")
        )
        return document
    if fmt is SourceFormat.html:
        return parse_schedule_html(text, source)
    return parse_schedule_text(text, source)
