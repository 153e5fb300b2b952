"""README documents -> paper cards, through an ordered registry of formats read per section.

Each format reads a document section by section and scores its reading of each
(:mod:`pipeline.parse.readme.format`); the best reading of every section wins, so one
document may mix the card format, tables, link lists and citations. To add a README format:
a module in this package that defines a :class:`~pipeline.parse.readme.format.ReadmeFormat`
(a name, the snapshot format it reads, its ``read`` function), and one line in
:data:`README_FORMATS`, where its place says when it is asked (earlier formats win ties and
may settle a section before later ones are asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.models import ParseWarning, ReadmeDocument, SourceFormat
from pipeline.parse.detect import detect_format
from pipeline.parse.limits import bound_lines, web_links_only
from pipeline.parse.readme import cards, entries, page_text
from pipeline.parse.readme.format import (
    FormatReading,
    ReadmeFormat,
    SectionReading,
    assemble,
    with_card_ids,
)

README_FORMATS: list[ReadmeFormat] = [
    cards.FORMAT,  # the awesome-deep-phenomena card format (markdown)
    entries.FORMAT,  # entries found by structure: items, table rows, paragraphs (markdown)
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


def _guarded(
    reader: ReadmeFormat, text: str, source_id: str, settled: frozenset[int]
) -> FormatReading:
    """A reader's reading; a reader that fails on a document reads no section and says so
    (a last guard: every reader means to return warnings, not to raise)."""
    try:
        return reader.read(text, source_id, settled)
    except Exception as error:
        message = f"the {reader.name} reader failed on this document ({type(error).__name__})"
        return FormatReading(warnings=(ParseWarning(line=None, message=message),))


def _choice_key(section: SectionReading) -> tuple[float, int]:
    """Best score first; between readings with no card, the one with fewest warnings."""
    return (section.score, 0 if section.score else -len(section.warnings))


def choose_sections(readings: Sequence[FormatReading]) -> list[SectionReading]:
    """The winning reading of every section, in document order.

    A settled reading stands (no later format read that section); otherwise the best score
    wins, the earlier format on ties.
    """
    by_line: dict[int, list[SectionReading]] = {}
    for reading in readings:
        for section in reading.sections:
            by_line.setdefault(section.line, []).append(section)
    chosen = []
    for line in sorted(by_line):
        candidates = by_line[line]
        settled = next((section for section in candidates if section.settled), None)
        chosen.append(settled or max(candidates, key=_choice_key))  # max keeps the first
    return chosen


def read_as(fmt: SourceFormat, text: str, source_id: str) -> ReadmeDocument:
    """The best reading of ``text`` by the registered formats that read ``fmt``, per section.

    Formats are asked in registry order, each for the sections no earlier one settled. With
    no card anywhere, every format's reasons are kept.
    """
    readers = [reader for reader in README_FORMATS if reader.reads is fmt]
    if not readers:
        return ReadmeDocument(
            warnings=[ParseWarning(line=None, message=f"no README format reads {fmt.value}")]
        )
    settled: set[int] = set()
    readings: list[FormatReading] = []
    for reader in readers:
        reading = _guarded(reader, text, source_id, frozenset(settled))
        readings.append(reading)
        settled.update(section.line for section in reading.sections if section.settled)
    title = next((reading.title for reading in readings if reading.title), None)
    overall = [warning for reading in readings for warning in reading.warnings]
    return assemble(choose_sections(readings), title, overall)


def read_readme(text: str, source_id: str, fmt: SourceFormat | None = None) -> ReadmeReading:
    """The one format choice for every README a run reads (refresh, ingest, replay, parse).

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


def clear_parse_caches() -> None:
    """Forget what the formats keep for the next snapshot of the same README (parsed chunks,
    read items, sections): once a run's sources are parsed nothing reads them again."""
    cards.clear_parse_cache()
    entries.forget_read_sections()


def with_list_files(
    readme: ReadmeDocument, list_files: Sequence[tuple[str, ReadmeDocument]]
) -> ReadmeDocument:
    """A README's cards followed by those of the list files it links to, as one document.

    Each linked file's cards name it in their provenance (``file``), its warnings name it in
    their message; record ids are given over the whole, README first.
    """
    if not list_files:
        return readme
    cards = list(readme.items)
    warnings = list(readme.warnings)
    for name, document in list_files:
        for card in document.items:
            provenance = card.provenance.model_copy(update={"file": name})
            cards.append(card.model_copy(update={"provenance": provenance}))
        warnings.extend(
            warning.model_copy(update={"message": f"{name}: {warning.message}"})
            for warning in document.warnings
        )
    items = with_card_ids(cards, keyed=False)
    return readme.model_copy(update={"items": items, "warnings": warnings})


__all__ = [
    "README_FORMATS",
    "FormatReading",
    "ReadmeFormat",
    "ReadmeReading",
    "SectionReading",
    "clear_parse_caches",
    "read_as",
    "read_readme",
    "with_list_files",
]
