"""README documents -> paper cards, through an ordered registry of formats.

To add a README format: a module in this package that defines a
:class:`~pipeline.parse.readme.format.ReadmeFormat` (a name, the snapshot format it reads,
its ``read`` function), and one line in :data:`README_FORMATS`, where its place in the list
says when it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.models import ParseWarning, ReadmeDocument, SourceFormat
from pipeline.parse.detect import detect_format
from pipeline.parse.limits import bound_lines, web_links_only
from pipeline.parse.readme import cards, page_text, paper_list
from pipeline.parse.readme.format import ReadmeFormat

README_FORMATS: list[ReadmeFormat] = [
    cards.FORMAT,  # the awesome-deep-phenomena card format (markdown)
    paper_list.FORMAT,  # tables of papers and '- [Title](url) - note' lists (markdown)
    page_text.FORMAT,  # the text a browser copies from a rendered README
    page_text.HTML_FORMAT,  # an HTML README: its visible text
]


@dataclass(frozen=True)
class ReadmeReading:
    """The reading :func:`read_readme` chose, and what each snapshot format gave."""

    document: ReadmeDocument
    format: SourceFormat
    readings: dict[SourceFormat, ReadmeDocument] = field(default_factory=dict)


def candidate_formats(first: SourceFormat) -> list[SourceFormat]:
    """The snapshot formats to read a README as, most likely first.

    An HTML document is read as HTML only; markdown and page text are also read as the
    other, since a table of papers without a heading looks like page text and the text of
    a rendered page can look like markdown.
    """
    if first is SourceFormat.html:
        return [first]
    return [first, *(fmt for fmt in (SourceFormat.markdown, SourceFormat.text) if fmt != first)]


def _guarded(reader: ReadmeFormat, text: str, source_id: str) -> ReadmeDocument:
    """A reader's reading; a reader that fails on a document gives no cards and a warning
    (a last guard: every reader means to return warnings, not to raise)."""
    try:
        return reader.read(text, source_id)
    except Exception as error:
        message = f"the {reader.name} reader failed on this document ({type(error).__name__})"
        return ReadmeDocument(warnings=[ParseWarning(line=None, message=message)])


def read_as(fmt: SourceFormat, text: str, source_id: str) -> ReadmeDocument:
    """The best reading of ``text`` by the registered formats that read ``fmt``.

    Formats are asked in registry order until one settles; the reading with most cards wins
    (the earlier on ties). With no card anywhere, every reading's warnings are kept.
    """
    asked: list[ReadmeDocument] = []
    for reader in README_FORMATS:
        if reader.reads is not fmt:
            continue
        document = _guarded(reader, text, source_id)
        asked.append(document)
        if reader.settles(document):
            break
    if not asked:
        return ReadmeDocument(
            warnings=[ParseWarning(line=None, message=f"no README format reads {fmt.value}")]
        )
    best = max(asked, key=lambda document: len(document.items))  # max keeps the first
    if best.items:
        return best
    warnings = [warning for document in asked for warning in document.warnings]
    return best.model_copy(update={"warnings": warnings})


def read_readme(text: str, source_id: str, fmt: SourceFormat | None = None) -> ReadmeReading:
    """The one format choice for every README a run reads (refresh, ingest, replay).

    ``fmt`` is the snapshot's format when known (detected otherwise); the first candidate
    format whose reading finds cards wins. Without cards, the first format's reading (its
    warnings say why) is the result. The text is bounded first (:mod:`pipeline.parse.limits`:
    what is cut is a warning) and only http(s) links are kept on the cards.
    """
    bounded = bound_lines(text)
    reading = _choose_reading(bounded.text, source_id, fmt)
    cards, dropped = web_links_only(reading.document.items)
    warnings = [*bounded.warnings, *dropped, *reading.document.warnings]
    document = reading.document.model_copy(update={"items": cards, "warnings": warnings})
    return ReadmeReading(document, reading.format, reading.readings)


def _choose_reading(text: str, source_id: str, fmt: SourceFormat | None) -> ReadmeReading:
    candidates = candidate_formats(fmt or detect_format(text))
    readings: dict[SourceFormat, ReadmeDocument] = {}
    for candidate in candidates:
        document = read_as(candidate, text, source_id)
        readings[candidate] = document
        if document.items:
            return ReadmeReading(document, candidate, readings)
    return ReadmeReading(readings[candidates[0]], candidates[0], readings)


__all__ = ["README_FORMATS", "ReadmeFormat", "ReadmeReading", "read_as", "read_readme"]
