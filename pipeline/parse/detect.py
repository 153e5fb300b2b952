"""What a document is, from its own shape: its format (HTML, markdown, page text, JSON) and
its source kind (README, workshop, session, listing, feed)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core.ids import slugify
from pipeline.models import Source, SourceFormat
from pipeline.parse.events.schedule import guess_page_kind

_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<table)", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6} \S", re.MULTILINE)
_MARKDOWN_LINK = re.compile(r"\]\([^)\s]+\)")
_JSON_START = re.compile(r"^\s*[\[{]\s*[\"\[{\]}]")
# Listing cards (events/oral, poster and workshop lists; orals indexes).
_LISTING_CLASSES = ("displaycards", "virtual-card")
# The kind of source each page kind is read as.
_PAGE_KINDS = {"session": "session", "presentation": "session", "listing": "listing"}


def detect_format(text: str) -> SourceFormat:
    """HTML, markdown, page text or JSON, from the document's own shape."""
    head = text[:4096]
    if _JSON_START.match(head):
        return SourceFormat.json
    if _HTML_START.search(head) or "</div>" in head or "</p>" in head:
        return SourceFormat.html
    if _MARKDOWN_HEADING.search(text) and _MARKDOWN_LINK.search(text):
        return SourceFormat.markdown
    return SourceFormat.text


def detect_kind(text: str, fmt: SourceFormat) -> str:
    """README, feed, or the kind of event page (workshop, session, listing) it shows."""
    if fmt is SourceFormat.markdown:
        return "readme"
    if fmt is SourceFormat.json:
        return "feed"
    if fmt is SourceFormat.html and any(name in text for name in _LISTING_CLASSES):
        return "listing"
    page_kind = guess_page_kind(text)
    if page_kind is None:
        return "workshop" if fmt is SourceFormat.html else "readme"
    return _PAGE_KINDS.get(page_kind, "workshop")


def source_for_path(path: Path, text: str, fmt: SourceFormat) -> Source:
    """A stand-in Source for a file given on the command line without metadata."""
    return Source(
        id=slugify(path.stem, "document"),
        kind=detect_kind(text, fmt),
        url=path.resolve().as_uri(),
        format=fmt,
    )
