"""What a document is, from its own shape: its format (HTML, markdown, page text) and kind."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core.ids import slugify
from pipeline.models import Source, SourceFormat
from pipeline.parse.events.schedule import looks_like_schedule

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


_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


def format_of_file(path: Path, text: str) -> SourceFormat:
    """A file's format: markdown when its name says so (a README that opens with '<div>' or
    '<table>' is still markdown), else from its shape."""
    if path.suffix.lower() in _MARKDOWN_SUFFIXES:
        return SourceFormat.markdown
    return detect_format(text)


def detect_kind(text: str, fmt: SourceFormat) -> str:
    """README or event page; a session when the page text says so."""
    if fmt is SourceFormat.markdown:
        return "readme"
    if fmt is SourceFormat.html or looks_like_schedule(text):
        first_lines = [line.strip() for line in text.splitlines()[:5]]
        return "session" if "Oral Session" in first_lines else "workshop"
    return "readme"


def source_for_path(path: Path, text: str, fmt: SourceFormat) -> Source:
    """A stand-in Source for a file given on the command line without metadata."""
    return Source(
        id=slugify(path.stem, "document"),
        kind=detect_kind(text, fmt),
        url=path.resolve().as_uri(),
        format=fmt,
    )
