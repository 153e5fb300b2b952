"""The awesome-deep-phenomena README as a browser copies the rendered page -> PaperCard records.

The page text has no markup left: bullets are '•' lines whose indentation gives the nesting,
headings are plain lines, link targets and italics are gone (a card line still shows its link
labels, '[paper] [code]'). Headings are recognised by shape and position: a 'Topic: Year' line
is a section heading, its prefix names a topic, and a line equal to such a prefix is that
topic's heading. Fields are split by :mod:`pipeline.parse.readme.fields`, the same code the
markdown parser uses, so both give the same cards for the same README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.core.ids import disambiguate, title_key_id
from pipeline.models import CardProvenance, PaperCard, ParseWarning, ReadmeDocument, SourceFormat
from pipeline.parse.readme.fields import (
    SubItem,
    clean_title,
    is_paper_label,
    read_sub_items,
    snippet,
    strip_trailing_labels,
)
from pipeline.parse.readme.format import FormatReading, ReadmeFormat, SectionReading, Settled
from pipeline.parse.readme.headings import is_excluded_heading, squash_spaces, year_heading
from pipeline.parse.readme.quality import reading_score
from pipeline.parse.readme.venues import year_in

NO_CARDS = "no paper cards found"
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[•◦▪‣●]\s*(?P<text>.*)$")
# GitHub's file header ends with e.g. '2941 lines (2285 loc) · 456 KB'.
_FILE_STATS = re.compile(r"^\s*\d[\d,]*\s+lines?\s+\(\d[\d,]*\s+loc\)", re.IGNORECASE)
_HEADER_SCAN_LINES = 60
_HEADING_MAX_CHARS = 100
# The awesome-list badge sits after the title; its alt text lands at the end of the line.
_AWESOME_BADGE = re.compile(r"^(?P<title>.+?\S)\s+Awesome$")


def _indent_width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _is_heading_shaped(line: str) -> bool:
    """A line that could be a heading: short, and not a sentence."""
    return (
        0 < len(line) <= _HEADING_MAX_CHARS
        and not line.endswith((".", ",", ";", ":"))
        and ". " not in line
    )


def _is_prose(line: str) -> bool:
    return len(line) > _HEADING_MAX_CHARS or (line.endswith(".") and len(line.split()) >= 8)


# --------------------------------------------------------------------------- the page header


def _body_start(lines: list[str]) -> int:
    """First line after GitHub's file header (the '... lines (... loc) · ... KB' line)."""
    start = 0
    for number, line in enumerate(lines[:_HEADER_SCAN_LINES]):
        if _FILE_STATS.match(line):
            start = number + 1
    return start


def _document_title(lines: list[str], start: int) -> tuple[str | None, int]:
    """The title line and where the body after it starts.

    The title is the last heading-shaped line before the first prose paragraph (badges come
    before it as a line of alt texts); without a paragraph, the first non-blank line.
    """
    candidate: int | None = None
    for number in range(start, len(lines)):
        line = lines[number].strip()
        if not line:
            continue
        if _BULLET.match(lines[number]) or year_heading(line) or is_excluded_heading(line):
            break
        if _is_prose(line):
            break
        if _is_heading_shaped(line):
            candidate = number
    if candidate is None:
        return None, start
    title = squash_spaces(lines[candidate])
    badge = _AWESOME_BADGE.match(title)
    if badge is not None and title.lower().startswith("awesome"):
        title = badge.group("title")
    return title, candidate + 1


# --------------------------------------------------------------------------- state


@dataclass
class _Section:
    section: str
    topic: str | None
    year: int | None


@dataclass
class _Pending:
    """A top-level bullet being read, with the sub-bullets seen so far."""

    line: int
    text: str
    section: _Section
    sub_items: list[SubItem] = field(default_factory=list)


@dataclass
class _Reader:
    """Reads the body line by line: plain lines move the section, bullets make cards."""

    source_id: str
    known_topics: set[str]
    top_indent: int  # the indentation of top-level bullets (the smallest in the document)
    section: _Section | None = None
    excluded: bool = False
    topic: str | None = None
    run: list[str] = field(default_factory=list)  # plain lines since the last bullet
    run_recognised: bool = False
    pending: _Pending | None = None
    cards: list[PaperCard] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    bullets: int = 0

    # ---- plain lines

    def plain_line(self, line: str) -> None:
        self.finish()
        self.run.append(line)
        if is_excluded_heading(line):
            self.excluded, self.section, self.run_recognised = True, None, True
            return
        parsed = year_heading(line) if _is_heading_shaped(line) else None
        if parsed is not None:
            topic = parsed.prefix or self._run_topic() or self.topic
            self.topic = topic
            self.section = _Section(line, topic, parsed.year)
            self.excluded, self.run_recognised = False, True
        elif line in self.known_topics:
            self.topic = line
            self.section = _Section(line, line, None)
            self.excluded, self.run_recognised = False, True

    def _run_topic(self) -> str | None:
        """For a bare 'Year' heading: the first heading-shaped line of the same run."""
        for line in self.run[:-1]:
            if _is_heading_shaped(line) and not is_excluded_heading(line):
                return line
        return None

    def _end_run(self) -> None:
        """A run of plain lines with no recognised heading, then bullets: the run's first
        heading-shaped line is taken as a section heading (a topic without years)."""
        if self.run and not self.run_recognised and not self.excluded:
            for line in self.run:
                if _is_heading_shaped(line):
                    self.topic = line
                    self.section = _Section(line, line, None)
                    break
        self.run = []
        self.run_recognised = False

    # ---- bullets

    def bullet(self, number: int, indent: int, text: str) -> None:
        self.bullets += 1
        self._end_run()
        if indent <= self.top_indent:
            self.finish()
            if self.excluded:
                return
            if self.section is None:
                self.warnings.append(
                    ParseWarning(
                        line=number, message=f"bullet outside any section: {snippet(text)!r}"
                    )
                )
                return
            self.pending = _Pending(line=number, text=text, section=self.section)
        else:
            self.sub_line(number, text)

    def sub_line(self, number: int, text: str) -> None:
        """A sub-bullet, or an indented line that lost its bullet, of the current card."""
        if self.excluded:
            return
        if self.pending is None:
            self.warnings.append(
                ParseWarning(
                    line=number, message=f"sub-item without a card above it: {snippet(text)!r}"
                )
            )
            return
        self.pending.sub_items.append(SubItem(text=squash_spaces(text)))

    def finish(self) -> None:
        """Turn the pending top-level bullet into a card, or a warning."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        head, labels = strip_trailing_labels(pending.text)
        has_paper = any(is_paper_label(label) for label in labels)
        title = clean_title(head)
        if not has_paper and not pending.sub_items:
            self.warnings.append(
                ParseWarning(
                    line=pending.line,
                    message=f"bullet under '{pending.section.section}' is not a card "
                    f"(no [paper] label, no sub-items): {snippet(pending.text)!r}",
                )
            )
            return
        if not title:
            self.warnings.append(
                ParseWarning(
                    line=pending.line,
                    message=f"card under '{pending.section.section}' has no title, skipped",
                )
            )
            return
        fields = read_sub_items(pending.sub_items)
        self.cards.append(
            PaperCard(
                id="",  # set once all titles are known
                title=title,
                authors=fields.authors,
                authors_et_al=fields.et_al,
                venue=fields.venue,
                year=pending.section.year or year_in(fields.venue),
                topic=pending.section.topic,
                section=pending.section.section,
                keywords=fields.keywords,
                digest=fields.digest,
                provenance=CardProvenance(source_id=self.source_id, line=pending.line),
            )
        )


# --------------------------------------------------------------------------- the document


def _known_topics(lines: list[str]) -> set[str]:
    """Every 'Topic' named by a 'Topic: Year' line: a plain line equal to it is its heading."""
    topics = set()
    for raw in lines:
        if raw[:1].isspace() or _BULLET.match(raw):
            continue
        line = squash_spaces(raw)
        if _is_heading_shaped(line):
            parsed = year_heading(line)
            if parsed is not None and parsed.prefix:
                topics.add(parsed.prefix)
    return topics


def parse_readme_text(text: str, source_id: str = "readme") -> ReadmeDocument:
    """Parse the page text of an awesome-list README into cards, warning about what it skips."""
    # '\n' lines (not str.splitlines, which also splits on \f, \x1c...): editors' numbering
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _body_start(lines)
    title, body = _document_title(lines, start)
    bullet_indents = [
        _indent_width(match.group("indent"))
        for match in map(_BULLET.match, lines[body:])
        if match is not None
    ]
    reader = _Reader(
        source_id=source_id,
        known_topics=_known_topics(lines[body:]),
        top_indent=min(bullet_indents, default=0),
    )
    for index in range(body, len(lines)):
        raw = lines[index]
        if not raw.strip():
            continue
        number = index + 1
        bullet = _BULLET.match(raw)
        if bullet is not None:
            reader.bullet(number, _indent_width(bullet.group("indent")), bullet.group("text"))
            continue
        indent = _indent_width(raw[: len(raw) - len(raw.lstrip())])
        if indent > reader.top_indent and reader.pending is not None:
            reader.sub_line(number, raw.strip())  # a sub-item whose bullet was lost
        else:
            reader.plain_line(squash_spaces(raw))
    reader.finish()
    ids = disambiguate([title_key_id("card", card.title) for card in reader.cards])
    items = [
        card.model_copy(update={"id": card_id})
        for card, card_id in zip(reader.cards, ids, strict=True)
    ]
    warnings = reader.warnings
    if not items:
        if not reader.bullets:
            reason = "no '•' bullet lines: not the page text of an awesome-list README"
        elif not reader.known_topics and reader.section is None:
            reason = "no section headings ('Topic: Year' lines) above the bullets"
        else:
            reason = "no bullet under a section heading looks like a card"
        warnings.append(ParseWarning(line=None, message=f"{NO_CARDS}: {reason}"))
    return ReadmeDocument(title=title, items=items, warnings=warnings)


def parse_readme_html(html: str, source_id: str = "readme") -> ReadmeDocument:
    """A README given as HTML: read as its page text, saying so."""
    document = parse_readme_text(html, source_id=source_id)
    warning = ParseWarning(line=None, message="README given as HTML: read as page text")
    return document.model_copy(update={"warnings": [warning, *document.warnings]})


def as_one_section(document: ReadmeDocument) -> FormatReading:
    """A whole-document reading as one section (line 0): page text has no markdown headings
    to line up with another format's sections."""
    overall = tuple(w for w in document.warnings if w.message.startswith(NO_CARDS))
    keyed = [
        card.model_copy(update={"id": title_key_id("card", card.title)}) for card in document.items
    ]
    section = SectionReading(
        line=0,
        cards=tuple(keyed),
        warnings=tuple(w for w in document.warnings if w not in overall),
        score=reading_score(document.items),
        settled=bool(document.items),
    )
    return FormatReading(sections=(section,), title=document.title, warnings=overall)


def _read_text(text: str, source_id: str, settled: Settled) -> FormatReading:
    return as_one_section(parse_readme_text(text, source_id=source_id))


def _read_html(text: str, source_id: str, settled: Settled) -> FormatReading:
    return as_one_section(parse_readme_html(text, source_id=source_id))


FORMAT = ReadmeFormat(name="page-text", reads=SourceFormat.text, read=_read_text)
HTML_FORMAT = ReadmeFormat(name="html-page-text", reads=SourceFormat.html, read=_read_html)
