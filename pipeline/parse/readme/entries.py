"""The general reader: paper entries found by structure in a README's paper sections.

An entry is a list item, a table row or a paragraph; its fields come from the ordered line
rules of :mod:`pipeline.parse.readme.lines` (tables add their columns, sub-lists their
'Authors. *Venue*', 'Key Word:' and 'Digest' bullets). Whether an entry is a paper is
decided by evidence: a link to a paper (arXiv, OpenReview, a PDF...) or labelled like one, a
venue or year, authors that look like names, a row of a table of papers. An entry whose
title links to code, a video or a post and that has none of these is a resource (a tool,
an article), not a paper; so is, in a section of mostly resources, everything.

Sections whose headings name navigation, tools, courses, blogs, news... hold nothing
(:mod:`pipeline.parse.readme.headings`). In a paper section, a block that carries a link or
looks like a citation but gives no paper is a warning with its line: nothing disappears
silently. Everything seen is counted in a :class:`Survey`, so that a document with no paper
list can be described in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it.token import Token

from pipeline.core.ids import ArxivId, title_key_id
from pipeline.core.text import normalise_title
from pipeline.models import (
    CardProvenance,
    Link,
    PaperCard,
    ParseWarning,
    ReadmeDocument,
    SourceFormat,
)
from pipeline.parse.readme.authors import split_names
from pipeline.parse.readme.blocks import (
    LIST_OPEN,
    atx_heading,
    block_parser,
    chunks,
    closing_index,
    opens_one_section,
    parse_chunk,
)
from pipeline.parse.readme.fields import (
    SubItem,
    SubItemKind,
    details_summaries,
    read_sub_items,
    snippet,
    split_authors_venue,
    split_label,
    strip_html,
)
from pipeline.parse.readme.format import (
    FormatReading,
    ReadmeFormat,
    SectionReading,
    Settled,
    assemble,
    kept_card_at,
)
from pipeline.parse.readme.headings import (
    Heading,
    HeadingContext,
    HeadingRole,
    heading_context,
    heading_role,
    is_document_title,
    push_heading,
    squash_spaces,
    year_heading,
)
from pipeline.parse.readme.inline import (
    Inline,
    InlineParser,
    Run,
    html_block_inline,
    read_inline,
)
from pipeline.parse.readme.lines import LineReading, read_line, read_more_line
from pipeline.parse.readme.links import LinkKind, arxiv_in_text, arxiv_of, label_of, link_kind
from pipeline.parse.readme.quality import looks_like_names, looks_like_title, reading_score
from pipeline.parse.readme.venues import badge_venue, year_in

# What makes an entry a paper, whatever its title links to.
_EVIDENCE = frozenset({"paper_link", "venue", "year", "authors", "citation"})
# A section of at least this many resources, and more than twice as many as papers, is a
# list of resources: the few paper-like entries in it are left out (with one warning).
MIN_RESOURCE_SECTION = 3
_LIST_FILE = re.compile(r"\.(?:md|markdown)(?:[#?].*)?$", re.IGNORECASE)
_HTML_HEADING = re.compile(r"^\s*<h(?P<level>[1-6])\b[^>]*>(?P<text>.*?)</h[1-6]\s*>", re.I | re.S)


# --------------------------------------------------------------------------- survey


@dataclass
class Survey:
    """What the reader saw, for saying why a document holds no paper list."""

    headings: int = 0
    paragraphs: int = 0
    list_items: int = 0
    anchor_items: int = 0  # items whose links all point inside the page: a table of contents
    paper_items: int = 0
    tables: int = 0
    paper_tables: int = 0
    first_columns: tuple[str, ...] = ()  # header of the first table without a title column
    unreadable: int = 0  # entries that looked like papers but could not be read

    def add(self, other: Survey) -> None:
        """Count what ``other`` saw too (a section read on its own)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if not self.first_columns:
            self.first_columns = other.first_columns

    def describe(self) -> str:
        """One line: '3 headings, 12 list items without paper links, no table'."""
        parts = [_count(self.headings, "heading", "no headings")]
        if self.paragraphs:
            parts.append(_count(self.paragraphs, "paragraph", ""))
        other_items = self.list_items - self.paper_items
        if not self.list_items:
            parts.append("no list items")
        elif other_items:
            text = _count(other_items, "list item", "") + " without paper links"
            if self.anchor_items:
                text += f" ({self.anchor_items} of them links within the page)"
            parts.append(text)
        if not self.tables:
            parts.append("no table")
        elif self.paper_tables < self.tables:
            columns = " | ".join(self.first_columns) or "no header text"
            parts.append(
                _count(self.tables - self.paper_tables, "table", "")
                + f" without a title or paper column (columns: {columns})"
            )
        if self.unreadable:
            parts.append(_count(self.unreadable, "paper-like entry", "") + " without a title")
        return ", ".join(parts)


_COUNTS = (
    "headings",
    "paragraphs",
    "list_items",
    "anchor_items",
    "paper_items",
    "tables",
    "paper_tables",
    "unreadable",
)


def _count(n: int, noun: str, none: str) -> str:
    if n == 0:
        return none
    return f"{n} {noun}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------- entries


@dataclass
class Entry:
    """One paper-like entry, read, before its section decides whether it is a paper."""

    reading: LineReading
    line: int
    context: HeadingContext
    from_table: bool = False
    text: str = ""  # the entry as plain text, for warnings

    @property
    def kind(self) -> str:
        """'paper' (a table row, or evidence: a paper link, venue, year, authors, citation);
        'resource' (a title linking to code, a video or a post, and no evidence); 'weak' (a
        title linking to another page, no evidence: a paper only among papers); 'prose'."""
        if self.from_table or self.reading.evidence & _EVIDENCE:
            return "paper"
        if self.reading.title_link in (LinkKind.code, LinkKind.post):
            return "resource"
        if self.reading.title_link is not None:
            return "weak"
        return "prose"

    def card(self, source_id: str) -> PaperCard:
        reading = self.reading
        arxiv: ArxivId | None = arxiv_of(reading.links)
        return PaperCard(
            id=title_key_id("card", reading.title),  # its key: made unique when assembled
            title=reading.title,
            authors=reading.authors,
            authors_et_al=reading.et_al,
            venue=reading.venue,
            year=reading.year or self.context.year or year_in(reading.venue),
            topic=self.context.topic,
            section=self.context.section,
            keywords=reading.keywords,
            digest=reading.note,
            links=reading.links,
            arxiv_id=arxiv.base if arxiv else None,
            arxiv_version=arxiv.version if arxiv else None,
            provenance=CardProvenance(source_id=source_id, line=self.line),
        )


@dataclass
class _Section:
    """What the walk found under one markdown heading (line 0: before the first one)."""

    line: int
    context: HeadingContext
    entries: list[Entry] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    skipped: bool = False  # settled by an earlier format: not read
    # Read whole, on its own (:func:`_read_section`), in a chunk this many lines down.
    read: tuple[_ReadSection, int] | None = None


# --------------------------------------------------------------------------- the walk


@dataclass
class _Walk:
    settled: Settled
    survey: Survey = field(default_factory=Survey)
    title: str | None = None
    stack: list[Heading] = field(default_factory=list)
    summary: str | None = None  # a '<summary>' heading the blocks since sit under
    html_role: HeadingRole = HeadingRole.papers  # an HTML heading's ('<h2>Contents</h2>')
    sections: list[_Section] = field(default_factory=list)
    # A paragraph entry and the line after it: a list starting there may be its sub-list.
    paragraph_entry: tuple[Entry, int] | None = None
    _context: HeadingContext | None = None

    def context(self) -> HeadingContext:
        """Where the next block sits (kept until a heading, summary or HTML heading moves it)."""
        if self._context is None:
            self._context = self._new_context()
        return self._context

    def set_summary(self, summary: str | None) -> None:
        self.summary, self._context = summary, None

    def set_html_role(self, role: HeadingRole) -> None:
        self.html_role, self._context = role, None

    def _new_context(self) -> HeadingContext:
        context = heading_context(self.stack)
        if self.html_role is not HeadingRole.papers:
            return HeadingContext("excluded")
        if self.summary is not None and context.kind == "topic":
            parsed = year_heading(self.summary)
            if heading_role(self.summary) is not HeadingRole.papers:
                return HeadingContext("excluded")
            if parsed is not None:
                topic = parsed.prefix or context.topic
                return HeadingContext("topic", self.summary, topic, parsed.year)
        return context

    def heading(self, level: int, text: str, line: int) -> None:
        self.survey.headings += 1
        is_title = is_document_title(text, level, self.title is not None)
        if is_title:
            self.title = text
        push_heading(self.stack, Heading(level, text, is_title))
        self.summary, self.html_role, self._context = None, HeadingRole.papers, None
        self.sections.append(_Section(line, self.context(), skipped=line in self.settled))

    @property
    def section(self) -> _Section:
        return self.sections[-1]


def _line(token: Token, offset: int) -> int:
    return (token.map[0] + 1 + offset) if token.map else 0


@dataclass
class _Chunk:
    """One chunk's tokens, with what reads them."""

    tokens: list[Token]
    inline: InlineParser
    offset: int


def read_entries(text: str, source_id: str, settled: Settled = frozenset()) -> FormatReading:
    """Every section not in ``settled``, read as entries: cards and warnings per section."""
    walk, read = _read(text, settled, source_id)
    sections = tuple(
        SectionReading(
            line=section.line,
            cards=tuple(cards),
            warnings=tuple(warnings),
            score=reading_score(cards),
        )
        for section, cards, warnings in read
    )
    found = any(reading.cards for reading in sections)
    overall: tuple[ParseWarning, ...] = ()
    if not found:  # say what the whole document holds, settled sections included
        survey = walk.survey if not settled else _walk(text, frozenset()).survey
        message = f"no paper list recognised: {survey.describe()}"
        overall = (ParseWarning(line=None, message=message),)
    return FormatReading(sections=sections, title=walk.title, warnings=overall)


def parse_entries(text: str, source_id: str = "readme") -> ReadmeDocument:
    """This reader alone over the whole document (the registry combines it with the others)."""
    reading = read_entries(text, source_id)
    return assemble(reading.sections, reading.title, reading.warnings)


def describe_markdown(text: str) -> str:
    """What a markdown document holds, in one line, as this reader sees it."""
    return _read(text, frozenset(), "readme")[0].survey.describe()


_Finished = tuple[_Section, list[PaperCard], list[ParseWarning]]


def _read(text: str, settled: Settled, source_id: str) -> tuple[_Walk, list[_Finished]]:
    """The walk over the sections not in ``settled``, and each one's cards and warnings."""
    walk = _walk(text, settled, source_id)
    finished: list[_Finished] = []
    for section in walk.sections:
        if section.skipped:
            continue
        if section.read is not None:
            read, offset = section.read
            cards = [_card_moved(card, offset) for card in read.cards]
            warnings = [_warning_moved(warning, offset) for warning in read.warnings]
            finished.append((section, cards, warnings))
            continue
        papers, warnings = _finish_section(section)
        walk.survey.paper_items += sum(1 for entry in papers if entry.text)
        finished.append((section, [entry.card(source_id) for entry in papers], warnings))
    return walk, finished


def _walk(text: str, settled: Settled, source_id: str | None = None) -> _Walk:
    """The walk over the document; each chunk that is one section is read whole
    (:func:`_read_section`): into its cards with ``source_id``, else only counted."""
    walk = _Walk(settled=settled)
    walk.sections.append(_Section(0, HeadingContext("outside"), skipped=0 in settled))
    if source_id is not None:
        _sections_of(source_id)
    for offset, chunk in chunks(text):
        one_section = opens_one_section(chunk)
        if one_section and offset + 1 in settled:
            _skip_chunk(walk, chunk, offset)
            continue
        if one_section:
            read = _read_section(chunk, tuple(walk.stack), walk.title is not None, source_id)
            _add_read_section(walk, read, offset)
            continue
        parsed = parse_chunk(chunk)
        _walk_chunk(walk, _Chunk(parsed.tokens, InlineParser(parsed.md, parsed.env), offset))
    return walk


@dataclass(frozen=True)
class _ReadSection:
    """A chunk that is one section, read on its own at offset 0: what the walk takes from it.

    A section ends where its chunk does (the next chunk opens with a heading), and the blocks
    in it depend only on the headings above (a heading resets summaries and HTML headings; a
    paragraph entry's sub-list cannot cross one). So successive snapshots of a README, which
    hold the same sections at lines that move, read each one once.
    """

    stack: tuple[Heading, ...]  # the open headings after its own
    title: str | None  # its heading, when that is the document's title
    survey: Survey  # what it holds, its papers counted
    line: int
    context: HeadingContext
    cards: tuple[PaperCard, ...]
    warnings: tuple[ParseWarning, ...]


@lru_cache(maxsize=512)
def _read_section(
    chunk: str, stack: tuple[Heading, ...], titled: bool, source_id: str | None
) -> _ReadSection:
    """The section read whole; without ``source_id`` only what the survey needs is kept (a
    document's survey walks every section, and its cards would only take memory)."""
    alone = _Walk(settled=frozenset(), stack=list(stack), title="" if titled else None)
    parsed = parse_chunk(chunk)
    _walk_chunk(alone, _Chunk(parsed.tokens, InlineParser(parsed.md, parsed.env), 0))
    (section,) = alone.sections  # the chunk's first token is its heading
    papers, warnings = _finish_section(section)
    alone.survey.paper_items += sum(1 for entry in papers if entry.text)
    return _ReadSection(
        stack=tuple(alone.stack),
        title=None if titled else alone.title,
        survey=alone.survey,
        line=section.line,
        context=section.context,
        cards=() if source_id is None else tuple(entry.card(source_id) for entry in papers),
        warnings=() if source_id is None else tuple(warnings),
    )


_kept_for: list[str | None] = [None]  # the source whose sections are kept


def _sections_of(source_id: str) -> None:
    """Keep sections for one source at a time: its next snapshot (a replay, the next
    refresh) reads them again; another source's never would, and a refresh of many lists
    would hold all their cards twice."""
    if _kept_for[0] != source_id:
        _read_section.cache_clear()
        _kept_for[0] = source_id


def forget_read_sections() -> None:
    """Drop the sections kept for the next snapshot (see :func:`clear_parse_caches`)."""
    _read_section.cache_clear()
    _heading_line.cache_clear()


def _add_read_section(walk: _Walk, read: _ReadSection, offset: int) -> None:
    walk.stack = list(read.stack)
    if read.title is not None:
        walk.title = read.title
    walk.summary, walk.html_role, walk._context = None, HeadingRole.papers, None
    walk.paragraph_entry = None
    walk.survey.add(read.survey)
    walk.sections.append(_Section(read.line + offset, read.context, read=(read, offset)))


def _card_moved(card: PaperCard, offset: int) -> PaperCard:
    line = card.provenance.line
    return kept_card_at(card, line + offset if line else line)


def _warning_moved(warning: ParseWarning, offset: int) -> ParseWarning:
    if not offset or not warning.line:
        return warning
    return warning.model_copy(update={"line": warning.line + offset})


def _skip_chunk(walk: _Walk, chunk: str, offset: int) -> None:
    """A settled section's chunk: only its heading is read, for the sections after it."""
    level, text = _heading_line(chunk.partition("\n")[0])
    walk.heading(level, text, offset + 1)


@lru_cache(maxsize=1024)  # a settled heading is skipped again in every snapshot
def _heading_line(line: str) -> tuple[int, str]:
    """An ATX heading line's level and text, its inline markup read."""
    level, content = atx_heading(line)
    md = block_parser()
    children: list[Token] = []
    md.inline.parse(content, md, {}, children)
    return level, read_inline(children).text()


def _walk_chunk(walk: _Walk, chunk: _Chunk) -> None:
    tokens = chunk.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0:
            index += 1
            continue
        kind = token.type
        if kind == "heading_open":
            text = chunk.inline.read(tokens[index + 1]).text()
            walk.heading(int(token.tag[1:]), text, _line(token, chunk.offset))
            index += 3
            continue
        end = closing_index(tokens, index) if kind.endswith("_open") else index
        follows, walk.paragraph_entry = walk.paragraph_entry, None
        if not walk.section.skipped:
            if kind == "html_block":
                _html_block(walk, token, chunk)
            elif kind in LIST_OPEN:
                if follows is None or not _sub_list_of(walk, follows, chunk, index, end):
                    _list(walk, chunk, index, end)
            elif kind == "table_open":
                _table(walk, chunk, index, end)
            elif kind == "paragraph_open":
                _paragraph(walk, chunk, tokens[index + 1], _line(token, chunk.offset))
        index = end + 1


# --------------------------------------------------------------------------- html blocks


def _html_block(walk: _Walk, token: Token, chunk: _Chunk) -> None:
    """HTML headings and '<summary>' sub-headings set the context; links are warned about."""
    content = token.content
    heading = _HTML_HEADING.match(content)
    if heading is not None:
        walk.set_html_role(heading_role(strip_html(heading.group("text"))))
        return
    for summary in details_summaries(content):
        walk.set_summary(summary)
    context = walk.context()
    if context.kind != "topic":
        return
    inline = html_block_inline(content)
    if _papers_linked(inline):
        walk.section.warnings.append(
            ParseWarning(
                line=_line(token, chunk.offset),
                message=f"HTML block with paper links not read: {snippet(inline.text())!r}",
            )
        )


def _papers_linked(inline: Inline) -> bool:
    """Links in a block that could be papers (not anchors, list files, or badges alone)."""
    return any(
        link_kind(link.href) is LinkKind.paper and not _LIST_FILE.search(link.href)
        for link in inline.links
    )


# --------------------------------------------------------------------------- paragraphs


def _paragraph(walk: _Walk, chunk: _Chunk, token: Token, line: int) -> None:
    """A paragraph: an entry when its lines read as one (a bold title line, then authors and
    venue lines; a citation), silence when it is prose, a warning when it has paper links."""
    walk.survey.paragraphs += 1
    context = walk.context()
    if context.kind == "excluded":
        return
    inline = chunk.inline.read(token)
    reading = _read_lines(inline)
    if reading is not None and reading.title and reading.evidence & {"paper_link", "citation"}:
        entry = Entry(reading, line, context)
        walk.section.entries.append(entry)
        end_line = token.map[1] + 1 + chunk.offset if token.map else 0
        walk.paragraph_entry = (entry, end_line)
        return
    if context.kind == "topic" and _papers_linked(inline):
        walk.survey.unreadable += 1
        walk.section.warnings.append(
            ParseWarning(
                line=line,
                message=f"paragraph with paper links gives no entry: {snippet(inline.text())!r}",
            )
        )


def _sub_list_of(
    walk: _Walk, follows: tuple[Entry, int], chunk: _Chunk, start: int, end: int
) -> bool:
    """'-Title. [[paper]](u)' (a bullet that lost its space: a paragraph) and, on the next line,
    its sub-list ('  - Authors. *Venue*', '  - Digest: ...'): the list's first items, while
    they read as a card's fields, are the entry's; the items after them are read as usual."""
    entry, next_line = follows
    tokens = chunk.tokens
    if _line(tokens[start], chunk.offset) != next_line:
        return False
    item_level = tokens[start].level + 1
    fields: list[SubItem] = []
    index = start + 1
    while index < end:
        if tokens[index].type == "list_item_open" and tokens[index].level == item_level:
            close = closing_index(tokens, index)
            paragraph = tokens[index + 2] if tokens[index + 1].type == "paragraph_open" else None
            inline = chunk.inline.read(paragraph) if paragraph is not None else Inline()
            item = SubItem(text=inline.text(), italic_venue=_trailing_italic(inline))
            if inline.links or not _is_field(item, first=not fields):
                break
            fields.append(item)
            index = close + 1
        else:
            index += 1
    if not fields:
        return False
    _add_sub_items(entry.reading, fields)
    while index < end:
        if tokens[index].type == "list_item_open" and tokens[index].level == item_level:
            close = closing_index(tokens, index)
            _item(walk, chunk, index, close)
            index = close + 1
        else:
            index += 1
    return True


def _read_lines(inline: Inline) -> LineReading | None:
    """An entry written over several lines: the first is read for the title, the others add
    authors, venue, links, dates or notes."""
    lines = inline.lines()
    if not lines:
        return None
    reading = read_line(inline, lines[0]) if len(lines) > 1 else read_line(inline)
    if len(lines) > 1:
        for more in lines[1:]:
            read_more_line(more, reading)
        if reading.authors and (reading.venue or reading.links):
            reading.evidence.add("citation")
    if reading.authors and reading.venue:
        reading.evidence.add("citation")
    return reading


# --------------------------------------------------------------------------- lists


def _list(walk: _Walk, chunk: _Chunk, start: int, end: int) -> None:
    tokens = chunk.tokens
    item_level = tokens[start].level + 1
    index = start + 1
    while index < end:
        token = tokens[index]
        if token.type == "list_item_open" and token.level == item_level:
            close = closing_index(tokens, index)
            _item(walk, chunk, index, close)
            index = close + 1
        else:
            index += 1


def _item(walk: _Walk, chunk: _Chunk, start: int, end: int) -> None:
    """A list item: a paper (its sub-list gives fields), or not (its sub-lists are read)."""
    tokens = chunk.tokens
    level = tokens[start].level
    walk.survey.list_items += 1
    lead: Token | None = None
    more: list[Token] = []
    sub_lists: list[tuple[int, int]] = []
    for index in range(start + 1, end):
        token = tokens[index]
        if token.level != level + 1:
            continue
        if token.type == "paragraph_open":
            if lead is None and not sub_lists:
                lead = tokens[index + 1]
            elif not sub_lists:
                more.append(tokens[index + 1])
        elif token.type in LIST_OPEN:
            sub_lists.append((index, closing_index(tokens, index)))
    line = _line(tokens[start], chunk.offset)
    context = walk.context()
    inline = chunk.inline.read(lead) if lead is not None else Inline()
    if inline.links and all(link_kind(link.href) is LinkKind.anchor for link in inline.links):
        walk.survey.anchor_items += 1
        return  # navigation: a table of contents under any heading
    if context.kind == "excluded":
        return
    for paragraph in more:  # '- Title.' then a '[[paper]](url)' paragraph
        extra = chunk.inline.read(paragraph)
        inline = Inline(
            runs=[*inline.runs, Run("\n"), *_shifted(extra.runs, len(inline.links))],
            links=[*inline.links, *extra.links],
            images=[*inline.images, *extra.images],
        )
    reading = _read_lines(inline)
    if reading is not None and reading.title and lead is not None:
        sub_items = [
            SubItem(text=text, italic_venue=venue)
            for sub_start, sub_end in sub_lists
            for text, venue in _sub_item_texts(chunk, sub_start, sub_end)
        ]
        if not sub_items or not _is_category(reading, sub_items):
            if sub_items:
                _add_sub_items(reading, sub_items)
            entry = Entry(reading, line, context, text=inline.text())
            walk.section.entries.append(entry)
            return
    for sub_start, sub_end in sub_lists:
        _list(walk, chunk, sub_start, sub_end)
    if not sub_lists and context.kind == "topic" and lead is not None and inline.links:
        walk.survey.unreadable += 1
        walk.section.warnings.append(
            ParseWarning(
                line=line, message=f"list item has a link but no title: {snippet(inline.text())!r}"
            )
        )


def _shifted(runs: list[Run], by: int) -> list[Run]:
    return [
        run
        if run.link is None
        else Run(run.text, run.link + by, run.bold, run.italic, run.underline, run.code)
        for run in runs
    ]


def _is_field(item: SubItem, *, first: bool) -> bool:
    """A sub-bullet of a card: labelled ('Key Word:', 'Digest'), or first and an author line."""
    kind, body = split_label(item.text)
    if kind is not SubItemKind.other:
        return True
    (names, _), _ = split_authors_venue(strip_html(body), item.italic_venue)
    return first and looks_like_names(names)


def _is_category(reading: LineReading, sub_items: list[SubItem]) -> bool:
    """'- Vision' over '  - [Paper](url)' items: a bullet with no evidence or link of its own
    whose first sub-bullet is no author line or labelled field (a card's) but an entry."""
    if reading.evidence or reading.links:
        return False
    return not _is_field(sub_items[0], first=True)


def _sub_item_texts(chunk: _Chunk, start: int, end: int) -> list[tuple[str, str | None]]:
    """Each sub-bullet's text and its trailing italic (the venue of 'Authors. *Venue*')."""
    tokens = chunk.tokens
    item_level = tokens[start].level + 1
    found: list[tuple[str, str | None]] = []
    for index in range(start + 1, end):
        token = tokens[index]
        if token.level == item_level + 1 and token.type == "paragraph_open":
            inline = chunk.inline.read(tokens[index + 1])
            found.append((inline.text(), _trailing_italic(inline)))
        elif token.level == item_level + 1 and token.type == "html_block":
            found.append((token.content, None))
    return found


def _trailing_italic(inline: Inline) -> str | None:
    runs = [run for run in inline.runs if run.text.strip(" .")]
    if not runs or not runs[-1].italic:
        return None
    tail: list[str] = []
    for run in reversed(inline.runs):
        if run.italic:
            tail.append(run.text)
        elif run.text.strip(" ."):
            break
    return squash_spaces("".join(reversed(tail))) or None


def _add_sub_items(reading: LineReading, sub_items: list[SubItem]) -> None:
    fields = read_sub_items(sub_items)
    if fields.authors and not reading.authors:
        reading.authors, reading.et_al = fields.authors, fields.et_al
        reading.evidence.add("authors")
    if fields.venue and not reading.venue:
        reading.set_venue(fields.venue, year_in(fields.venue))
    reading.keywords.extend(fields.keywords)
    if fields.digest:
        reading.note = f"{reading.note} {fields.digest}" if reading.note else fields.digest


# --------------------------------------------------------------------------- tables

_TITLE_HEADERS = frozenset({"title", "paper title", "papers title", "title of paper"})
_PAPER_HEADERS = frozenset(
    {"paper", "papers", "paper name", "publication", "publications", "article", "articles"}
)
_NAME_HEADERS = frozenset({"name", "names", "model", "dataset", "method"})
_LINK_HEADER_WORDS = frozenset({"link", "links", "url", "pdf", "code"})
_ROLE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("authors", frozenset({"author", "authors"})),
    ("venue", frozenset({"venue", "conference", "conf", "journal", "proceedings", "published"})),
    ("year", frozenset({"year", "date", "time"})),
    ("code", frozenset({"code", "github", "repo", "repository", "implementation"})),
    ("link", frozenset({"link", "links", "url", "pdf", "arxiv", "doi", "download", "openreview"})),
    ("keywords", frozenset({"keywords", "keyword", "tags", "tag", "topics", "category"})),
    (
        "digest",
        frozenset(
            {"note", "notes", "description", "summary", "tldr", "abstract", "comment", "comments"}
            | {"introduction", "highlights", "contribution"}
        ),
    ),
)


def column_role(key: str) -> str | None:
    """The field a column holds, from its normalised header; 'paper' is a title candidate."""
    if not key:
        return None
    # 'TL;DR' and 'Key words' are normalised to 'tl dr', 'key words': the joined form too.
    words = {*key.split(), key.replace(" ", "")}
    if "title" in words and words & {"author", "authors"}:
        return "title_authors"  # 'Title & Authors': 'Title<br>Authors' cells
    if key in _TITLE_HEADERS or "title" in words:
        return "title"
    if key in _PAPER_HEADERS or (
        key.split()[0] in ("paper", "papers") and not words & _LINK_HEADER_WORDS
    ):
        return "paper"  # 'Paper', 'Paper (arXiv)'; but 'Paper link' is a link
    if key in _NAME_HEADERS:
        return "name"
    return next((name for name, names in _ROLE_WORDS if words & names), None)


def column_roles(headers: list[str]) -> list[str | None]:
    """The field of each column; exactly one title column ('Title' over 'Paper' over 'Name':
    in a table with both, the 'Paper' column holds the paper's link, the name is a label)."""
    roles: list[str | None] = [column_role(normalise_title(header)) for header in headers]
    title_at = None
    for wanted in ("title_authors", "title", "paper", "name"):
        title_at = next((i for i, role in enumerate(roles) if role == wanted), None)
        if title_at is not None:
            break
    return [
        roles[index]
        if index == title_at
        else "link"
        if role in ("title", "paper", "title_authors")
        else "label"
        if role == "name"
        else role
        for index, role in enumerate(roles)
    ]


def _table(walk: _Walk, chunk: _Chunk, start: int, end: int) -> None:
    tokens = chunk.tokens
    header_cells: list[Token] = []
    rows: list[list[Token]] = []
    in_head = False
    for token in tokens[start:end]:
        if token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":  # each th / td holds exactly one inline token
            (header_cells if in_head else rows[-1]).append(token)
    walk.survey.tables += 1
    headers = [chunk.inline.read(cell).text() for cell in header_cells]
    roles = column_roles(headers)
    context = walk.context()
    title_at = next(
        (i for i, role in enumerate(roles) if role in ("title", "paper", "title_authors", "name")),
        None,
    )
    if title_at is None:
        if not walk.survey.first_columns:
            walk.survey.first_columns = tuple(header or "''" for header in headers)
        return
    walk.survey.paper_tables += 1
    if context.kind == "excluded":
        return
    names = [normalise_title(header) or "link" for header in headers]
    for cells in rows:
        entry = _row(walk, chunk, cells, roles, names, title_at, context)
        if entry is not None:
            walk.section.entries.append(entry)


def _row(
    walk: _Walk,
    chunk: _Chunk,
    cells: list[Token],
    roles: list[str | None],
    names: list[str],
    title_at: int,
    context: HeadingContext,
) -> Entry | None:
    """One table row as a paper; None (with a warning when the row has content) otherwise."""
    line = _line(cells[0], chunk.offset) if cells else 0
    inlines = [chunk.inline.read(cell) for cell in cells]
    if not any(inline.runs or inline.links for inline in inlines):
        return None  # an empty row is layout, not a paper
    reading = LineReading()
    if title_at < len(inlines):
        title_cell = inlines[title_at]
        reading = _read_lines(title_cell) or LineReading()
        if roles[title_at] == "title_authors" and not reading.authors:
            lines = title_cell.lines()
            if len(lines) > 1:
                reading.set_authors(", ".join(squash_spaces(_join(ln)) for ln in lines[1:]))
        label_at = roles.index("label") if "label" in roles else None
        if (not reading.title or not looks_like_title(reading.title)) and label_at is not None:
            label = inlines[label_at].text() if label_at < len(inlines) else ""
            if label:
                reading.title = label  # a dataset named by its paper link only
    for index, (inline, role, name) in enumerate(zip(inlines, roles, names, strict=False)):
        if index == title_at:
            continue
        _cell(reading, inline, role, name)
    if not reading.title or not re.search(r"\w", reading.title):
        walk.survey.unreadable += 1
        quoted = snippet(" | ".join(inline.text() for inline in inlines))
        walk.section.warnings.append(
            ParseWarning(line=line, message=f"table row has no title, skipped: {quoted!r}")
        )
        return None
    return Entry(reading, line, context, from_table=True)


def _join(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


def _cell(reading: LineReading, inline: Inline, role: str | None, name: str) -> None:
    """A non-title cell: its links (labelled by their text or the column), and its field."""
    text = inline.text(line_break=", ")  # 'Ada<br>Alan': one name per line
    default = "code" if role == "code" else name
    for link in inline.links:
        if not link.href or link_kind(link.href) is LinkKind.anchor:
            continue
        label = label_of(link.text, link.href)
        reading.links.append(Link(label=default if label == "link" else label, url=link.href))
    for image in inline.images:
        venue = badge_venue(image.src, image.alt)
        if venue is not None:
            reading.set_venue(venue.venue, venue.year)
    if role == "authors" and text and not reading.authors:
        # an Authors column is authors even when the names look odd
        names = split_names(text)
        reading.authors, reading.et_al = names.names, names.et_al
        reading.evidence.add("authors")
    elif role == "venue" and text:
        reading.set_venue(text, year_in(text))
    elif role == "year":
        year = year_in(text)
        if year and not reading.year:
            reading.year = year
    elif role == "keywords":
        reading.keywords.extend(part.strip() for part in re.split(r"[,;]", text) if part.strip())
    elif role == "digest" and text:
        reading.note = f"{reading.note} {text}" if reading.note else text
    elif role in ("link", "code") and not inline.links and text:
        _link_from_text(reading, text, default)


def _link_from_text(reading: LineReading, text: str, label: str) -> None:
    """A link cell written as text: a bare URL, or an arXiv id ('2101.00001', 'arXiv:...')."""
    if re.match(r"^https?://\S+$", text):
        reading.links.append(Link(label=label, url=text))
        return
    arxiv = arxiv_in_text(text)
    if arxiv is not None:
        reading.links.append(Link(label="arxiv", url=f"https://arxiv.org/abs/{arxiv}"))


# --------------------------------------------------------------------------- sections


def _finish_section(section: _Section) -> tuple[list[Entry], list[ParseWarning]]:
    """The papers of a section and its warnings, once all its entries are read."""
    warnings = list(section.warnings)
    by_kind: dict[str, list[Entry]] = {"paper": [], "weak": [], "resource": [], "prose": []}
    for entry in section.entries:
        by_kind[entry.kind].append(entry)
    papers, weak, resources = by_kind["paper"], by_kind["weak"], by_kind["resource"]
    if len(papers) >= len(weak):  # bare '[Title](page)' links count among papers only
        papers = sorted([*papers, *weak], key=lambda entry: entry.line)
    else:
        resources = [*resources, *weak]
    if len(resources) >= MIN_RESOURCE_SECTION and len(resources) > 2 * len(papers):
        if papers:
            warnings.append(
                ParseWarning(
                    line=papers[0].line,
                    message=f"{len(papers)} paper-like entries left out of a list of "
                    f"{len(resources)} resources (code, models, posts): "
                    f"{snippet(papers[0].reading.title)!r}",
                )
            )
        return [], warnings
    if papers and section.context.kind == "topic":
        for entry in resources:
            warnings.append(
                ParseWarning(
                    line=entry.line,
                    message="entry links to code, a post or a page, not a paper: "
                    f"{snippet(entry.reading.title)!r}",
                )
            )
        for entry in by_kind["prose"]:
            if entry.reading.links:
                warnings.append(
                    ParseWarning(
                        line=entry.line,
                        message="list item is not a paper entry (no titled link, no venue, "
                        f"authors or paper link): {snippet(entry.text)!r}",
                    )
                )
    warnings.sort(key=lambda warning: warning.line or 0)
    return papers, warnings


FORMAT = ReadmeFormat(name="entries", reads=SourceFormat.markdown, read=read_entries)
