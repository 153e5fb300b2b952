"""Other common awesome-list layouts (markdown) -> PaperCard records.

The awesome-deep-phenomena card format ('Title. [[paper]](url)' with sub-bullets) has its own
parser (:mod:`pipeline.parse.readme.cards`); this one reads the two other layouts paper
lists are usually written in, from markdown-it tokens (CommonMark plus GFM tables):

- a **table of papers**: a header row with a title/paper column and optional authors, venue,
  year, link, code, keywords and notes columns; one card per row, links from every cell;
- **link items** under headings, at any list depth: ``- [Title](url) - note``,
  ``* [Title](url): note``, ``- **Title** [[pdf]](url)``, ``- Title. [pdf](url)``; the
  heading is the topic, a sub-list of a paper item holds its authors, keywords or digest
  (read by the same field splitter as the card parser).

Everything the walk sees is counted in a :class:`PaperListSurvey`, so that a document with no
paper list can be described in one line ("3 headings, 12 list items without paper links, no
table") instead of turning into an empty dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.core.ids import ArxivId, arxiv_id_from_url, disambiguate, parse_arxiv_id, title_key_id
from pipeline.core.text import normalise_title
from pipeline.models import Link, PaperCard, ParseWarning, Provenance, ReadmeDocument, SourceFormat
from pipeline.parse.readme.fields import (
    Heading,
    HeadingContext,
    SubItem,
    clean_title,
    closing_index,
    heading_context,
    is_excluded_heading,
    link_label,
    read_sub_items,
    snippet,
    split_authors,
    squash_spaces,
)
from pipeline.parse.readme.format import ReadmeFormat

_LIST_OPEN = frozenset({"bullet_list_open", "ordered_list_open"})
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# What separates a title from its note: '- [T](u) - note', '* [T](u): note', '[T](u) | note'.
_SEPARATORS = " \t-–—:|,;."
_BARE_URL = re.compile(r"^https?://\S+$")
_ARXIV_TEXT = re.compile(r"^(?:arxiv\s*:?\s*)?(?P<id>\S+)$", re.IGNORECASE)

# Labels that make a link after plain text a paper's link ('- Title. [pdf](url)'); a sentence
# with a link in it ('- See [this survey](url)') has none of them.
_LINK_WORDS = frozenset(
    {
        "paper",
        "pdf",
        "arxiv",
        "link",
        "abs",
        "abstract",
        "html",
        "openreview",
        "doi",
        "url",
        "code",
        "github",
        "project",
        "project page",
        "website",
        "page",
        "slides",
        "video",
        "blog",
        "poster",
        "proceedings",
        "official",
        "publication",
        "pmlr",
        "acm",
        "ieee",
        "springer",
        "acl",
        "cvf",
    }
)


class _Markdown(MarkdownIt):
    """CommonMark with GFM tables (paper lists are often tables) and strikethrough."""

    def __init__(self) -> None:
        super().__init__("commonmark")
        self.enable(["table", "strikethrough"])

    def normalizeLink(self, url: str) -> str:
        # Keep hrefs as written, as the card parser does: a record wants the URL of the page.
        return url


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return _Markdown()


# --------------------------------------------------------------------------- survey


@dataclass
class PaperListSurvey:
    """What the walk saw, for saying why a document holds no paper list."""

    headings: int = 0
    paragraphs: int = 0
    list_items: int = 0
    anchor_items: int = 0  # items whose links all point inside the page: a table of contents
    paper_items: int = 0
    tables: int = 0
    paper_tables: int = 0
    first_columns: tuple[str, ...] = ()  # header of the first table without a title column
    unreadable: int = 0  # rows and items that looked like papers but could not be read

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


def _count(n: int, noun: str, none: str) -> str:
    if n == 0:
        return none
    return f"{n} {noun}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------- inline reading


@dataclass
class _Link:
    href: str
    text: str = ""
    image: bool = False  # a badge or icon: no text to label the link with


@dataclass
class _Run:
    """One piece of inline text with what encloses it."""

    text: str
    link: int | None = None  # index into the inline's links
    span: int | None = None  # index of the outermost emphasis (bold or italic) around it


@dataclass
class _Inline:
    runs: list[_Run] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    spans: list[str] = field(default_factory=list)  # 'strong' or 'em', by index

    def text(self, runs: list[_Run] | None = None, *, line_break: str = " ") -> str:
        """Plain text; ``line_break`` replaces line breaks ('<br>' in a table cell)."""
        joined = "".join(run.text for run in (self.runs if runs is None else runs))
        return squash_spaces(joined.replace("\n", line_break))


def _read_inline(children: list[Token]) -> _Inline:
    """Text runs, links and emphasis spans of an inline token's children (images dropped)."""
    inline = _Inline()
    link: int | None = None
    span: int | None = None
    depth = 0
    for child in children:
        kind = child.type
        if kind == "link_open":
            inline.links.append(_Link(href=str(child.attrs.get("href", ""))))
            link = len(inline.links) - 1
        elif kind == "link_close":
            if link is not None:
                inline.links[link].text = squash_spaces(
                    "".join(run.text for run in inline.runs if run.link == link)
                )
            link = None
        elif kind in ("strong_open", "em_open"):
            if depth == 0:
                inline.spans.append(kind.removesuffix("_open"))
                span = len(inline.spans) - 1
            depth += 1
        elif kind in ("strong_close", "em_close"):
            depth = max(0, depth - 1)
            if depth == 0:
                span = None
        elif kind == "image":
            if link is not None:
                inline.links[link].image = True
        elif kind in ("text", "text_special", "code_inline"):
            if child.content:
                inline.runs.append(_Run(child.content, link, span))
        elif kind in ("softbreak", "hardbreak") or (
            kind == "html_inline" and child.content.lower().startswith("<br")
        ):
            inline.runs.append(_Run("\n", link, span))
    return inline


def _children(md: MarkdownIt, token: Token, env: dict[str, Any]) -> list[Token]:
    if token.children is None:
        token.children = []
        md.inline.parse(token.content, md, env, token.children)
    return token.children


def _is_anchor(href: str) -> bool:
    return href.startswith("#")


def _label(text: str, href: str, default: str) -> str:
    """A link's label: its text as written ('[pdf]' -> 'pdf'), or for a badge, a bare URL or
    an empty text, what the link must be (GitHub links are code), else ``default``."""
    label = link_label(text) if text else ""
    if label and label != "link" and not _BARE_URL.match(label):
        return label
    if "github.com" in href or "gitlab.com" in href:
        return "code"
    return default


def _arxiv_of(links: list[Link]) -> ArxivId | None:
    for link in links:
        arxiv = arxiv_id_from_url(link.url)
        if arxiv is not None:
            return arxiv
    return None


def _year_in(text: str | None) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(0)) if match else None


def _clean_note(text: str) -> str | None:
    """The note after a title without the separator before it ('- note', ': note')."""
    note = squash_spaces(text).lstrip(_SEPARATORS).rstrip(_SEPARATORS.replace(".", ""))
    return note or None


def _title(text: str) -> str:
    """A title without the separators that tie it to what follows ('Title -', 'Title:')."""
    return clean_title(squash_spaces(text).rstrip(" \t-–—:|,;"))


# --------------------------------------------------------------------------- headings


# --------------------------------------------------------------------------- entries


@dataclass
class _Entry:
    """One paper, read from a table row or a list item, before it gets its id."""

    title: str
    line: int
    context: HeadingContext
    authors: list[str] = field(default_factory=list)
    venue: str | None = None
    year: int | None = None
    keywords: list[str] = field(default_factory=list)
    digest: str | None = None
    links: list[Link] = field(default_factory=list)
    arxiv: ArxivId | None = None


@dataclass
class _Walk:
    md: MarkdownIt
    env: dict[str, Any]
    tokens: list[Token]
    survey: PaperListSurvey = field(default_factory=PaperListSurvey)
    entries: list[_Entry] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    def inline(self, token: Token) -> _Inline:
        return _read_inline(_children(self.md, token, self.env))

    def plain_text(self, token: Token) -> str:
        return self.inline(token).text()


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


# --------------------------------------------------------------------------- tables

# Header texts (normalised: lower case, punctuation as spaces) and the field they hold.
_TITLE_HEADERS = frozenset({"title", "paper title", "papers title", "title of paper"})
_PAPER_HEADERS = frozenset(
    {"paper", "papers", "paper name", "publication", "publications", "article", "articles"}
)
_LINK_HEADER_WORDS = frozenset({"link", "links", "url", "pdf", "code"})
_ROLE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("authors", frozenset({"author", "authors"})),
    ("venue", frozenset({"venue", "conference", "conf", "journal", "proceedings", "published"})),
    ("year", frozenset({"year", "date"})),
    ("code", frozenset({"code", "github", "repo", "repository", "implementation"})),
    ("link", frozenset({"link", "links", "url", "pdf", "arxiv", "doi", "download", "openreview"})),
    ("keywords", frozenset({"keywords", "keyword", "tags", "tag", "topics", "category"})),
    (
        "digest",
        frozenset(
            {"note", "notes", "description", "summary", "tldr", "abstract", "comment", "comments"}
        ),
    ),
)


def _column_role(key: str) -> str | None:
    """The field a column holds, from its normalised header; 'paper' is a title candidate."""
    if not key:
        return None
    # 'TL;DR' and 'Key words' are normalised to 'tl dr', 'key words': the joined form too.
    words = {*key.split(), key.replace(" ", "")}
    if key in _TITLE_HEADERS or "title" in words:
        return "title"
    if key in _PAPER_HEADERS or (
        key.split()[0] in ("paper", "papers") and not words & _LINK_HEADER_WORDS
    ):
        return "paper"  # 'Paper', 'Paper (arXiv)'; but 'Paper link' is a link
    return next((name for name, names in _ROLE_WORDS if words & names), None)


def _column_roles(headers: list[str]) -> list[str | None]:
    """The field of each column; exactly one 'title' column, or none when no header names one.

    'Title' beats 'Paper': in a table with both, the 'Paper' column holds the paper's link.
    """
    roles: list[str | None] = [_column_role(normalise_title(header)) for header in headers]
    title_at = next((i for i, role in enumerate(roles) if role == "title"), None)
    if title_at is None:
        title_at = next((i for i, role in enumerate(roles) if role == "paper"), None)
    return [
        ("title" if index == title_at else "link" if role in ("title", "paper") else role)
        for index, role in enumerate(roles)
    ]


def _read_table(walk: _Walk, start: int, end: int, context: HeadingContext) -> None:
    tokens = walk.tokens
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
    headers = [walk.plain_text(cell) for cell in header_cells]
    roles = _column_roles(headers)
    if "title" not in roles:
        if not walk.survey.first_columns:
            walk.survey.first_columns = tuple(header or "''" for header in headers)
        return
    walk.survey.paper_tables += 1
    if context.excluded:
        return
    names = [normalise_title(header) or "link" for header in headers]
    for cells in rows:
        entry = _read_row(walk, cells, roles, names, context)
        if entry is not None:
            walk.entries.append(entry)


def _read_row(
    walk: _Walk,
    cells: list[Token],
    roles: list[str | None],
    names: list[str],
    context: HeadingContext,
) -> _Entry | None:
    """One table row as a paper; None (with a warning when the row has content) otherwise."""
    line = _line(cells[0]) if cells else 0
    inlines = [walk.inline(cell) for cell in cells]
    if not any(inline.runs or inline.links for inline in inlines):
        return None  # an empty row is layout, not a paper
    entry = _Entry(title="", line=line, context=context)
    for inline, role, name in zip(inlines, roles, names, strict=False):
        if role == "title":
            outside = [run for run in inline.runs if run.link is None]
            title = _title(inline.text(outside))
            own = [link for link in inline.links if not link.image and link.text]
            if not title and own:  # '[Title](url)': the link text is the title
                title = _title(own[0].text)
                entry.links.append(Link(label="paper", url=own[0].href))
                rest = [link for link in inline.links if link is not own[0]]
            else:
                rest = inline.links
            entry.title = title
            entry.links.extend(
                Link(label=_label(x.text, x.href, "link"), url=x.href)
                for x in rest
                if not _is_anchor(x.href)
            )
            continue
        text = inline.text(line_break=", ")  # 'Ada<br>Alan': one name per line
        default = "code" if role == "code" else name
        entry.links.extend(
            Link(label=_label(link.text, link.href, default), url=link.href)
            for link in inline.links
            if not _is_anchor(link.href)
        )
        if role == "authors":
            entry.authors = split_authors(text)
        elif role == "venue":
            entry.venue = text or None
        elif role == "year":
            entry.year = _year_in(text)
        elif role == "keywords":
            entry.keywords = [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
        elif role == "digest":
            entry.digest = text or None
        elif role in ("link", "code") and not inline.links and text:
            _link_from_text(entry, text, default)
    if not entry.title or not re.search(r"\w", entry.title):
        walk.survey.unreadable += 1
        quoted = snippet(" | ".join(inline.text() for inline in inlines))
        walk.warnings.append(
            ParseWarning(line=line, message=f"table row has no title, skipped: {quoted!r}")
        )
        return None
    return _finish(entry)


def _link_from_text(entry: _Entry, text: str, label: str) -> None:
    """A link cell written as text: a bare URL, or an arXiv id ('2101.00001', 'arXiv:...')."""
    if _BARE_URL.match(text):
        entry.links.append(Link(label=label, url=text))
        return
    match = _ARXIV_TEXT.match(text)
    arxiv = parse_arxiv_id(match.group("id")) if match else None
    if arxiv is not None:
        entry.links.append(Link(label="arxiv", url=f"https://arxiv.org/abs/{arxiv}"))


def _finish(entry: _Entry) -> _Entry:
    entry.arxiv = _arxiv_of(entry.links)
    if entry.year is None:
        entry.year = entry.context.year or _year_in(entry.venue)
    return entry


# --------------------------------------------------------------------------- list items


@dataclass
class _ListRead:
    """The items of one outermost list: papers, and what else it held."""

    entries: list[_Entry] = field(default_factory=list)
    problems: list[ParseWarning] = field(default_factory=list)


def _read_list(walk: _Walk, start: int, end: int, context: HeadingContext, out: _ListRead) -> None:
    tokens = walk.tokens
    item_level = tokens[start].level + 1
    index = start + 1
    while index < end:
        token = tokens[index]
        if token.type == "list_item_open" and token.level == item_level:
            close = closing_index(tokens, index)
            _read_item(walk, index, close, context, out)
            index = close + 1
        else:
            index += 1


def _read_item(walk: _Walk, start: int, end: int, context: HeadingContext, out: _ListRead) -> None:
    """A list item: a paper (its sub-list gives fields) or not (its sub-lists are searched)."""
    tokens = walk.tokens
    level = tokens[start].level
    walk.survey.list_items += 1
    lead: Token | None = None
    sub_lists: list[tuple[int, int]] = []
    for index in range(start + 1, end):
        token = tokens[index]
        if token.level != level + 1:
            continue
        if token.type == "paragraph_open" and lead is None and not sub_lists:
            lead = tokens[index + 1]
        elif token.type in _LIST_OPEN:
            sub_lists.append((index, closing_index(tokens, index)))
    inline = walk.inline(lead) if lead is not None else _Inline()
    line = _line(tokens[start])
    if inline.links and all(_is_anchor(link.href) for link in inline.links):
        walk.survey.anchor_items += 1
    entry = _read_lead(inline, line, context)
    if entry is None:
        if any(not _is_anchor(link.href) for link in inline.links) and not _starts_with_text(
            inline
        ):
            walk.survey.unreadable += 1
            out.problems.append(
                ParseWarning(
                    line=line, message=f"list item has a link but no title: {_snip(inline)!r}"
                )
            )
        elif not sub_lists:
            out.problems.append(
                ParseWarning(
                    line=line,
                    message=f"list item is not a paper entry (no titled link): {_snip(inline)!r}",
                )
            )
        for sub_start, sub_end in sub_lists:
            _read_list(walk, sub_start, sub_end, context, out)
        return
    walk.survey.paper_items += 1
    sub_items = [
        SubItem(text=text, italic_venue=venue)
        for sub_start, sub_end in sub_lists
        for text, venue in _sub_item_texts(walk, sub_start, sub_end)
    ]
    if sub_items:
        fields = read_sub_items(sub_items)
        entry.authors = fields.authors
        entry.venue = entry.venue or fields.venue
        entry.keywords = fields.keywords
        entry.digest = " ".join(part for part in (entry.digest, fields.digest) if part) or None
    out.entries.append(_finish(entry))


def _snip(inline: _Inline) -> str:
    return snippet(inline.text())


def _starts_with_text(inline: _Inline) -> bool:
    first = next((run for run in inline.runs if run.text.strip()), None)
    return first is not None and first.link is None


def _sub_item_texts(walk: _Walk, start: int, end: int) -> list[tuple[str, str | None]]:
    """Each sub-bullet's text and its trailing italic (the venue of 'Authors. *Venue*')."""
    tokens = walk.tokens
    item_level = tokens[start].level + 1
    found: list[tuple[str, str | None]] = []
    for index in range(start + 1, end):
        token = tokens[index]
        if token.level == item_level + 1 and token.type == "paragraph_open":
            inline = walk.inline(tokens[index + 1])
            found.append((inline.text(), _trailing_italic(inline)))
        elif token.level == item_level + 1 and token.type == "html_block":
            found.append((token.content, None))
    return found


def _trailing_italic(inline: _Inline) -> str | None:
    runs = [run for run in inline.runs if run.text.strip(" .")]
    if not runs or runs[-1].span is None or inline.spans[runs[-1].span] != "em":
        return None
    span = runs[-1].span
    return squash_spaces("".join(run.text for run in inline.runs if run.span == span)) or None


def _read_lead(inline: _Inline, line: int, context: HeadingContext) -> _Entry | None:
    """The paper an item's first line names, or None when it names none.

    '[Title](url) - note': the first link is the title. '**Title** [pdf](url)': the leading
    emphasis is, given a link follows. 'Title. [pdf](url)': the text before the first link is,
    given a link labelled like a paper's link ('pdf', 'arxiv', 'code'...) follows.
    """
    runs = inline.runs
    first = next(
        (i for i, run in enumerate(runs) if run.text.strip() or (run.link is not None)), None
    )
    links = [link for link in inline.links if not _is_anchor(link.href)]
    if first is None or not links:
        return None
    head = runs[first]
    title_link: int | None = None
    title_runs: list[int]
    if head.link is not None:
        target = inline.links[head.link]
        if _is_anchor(target.href) or target.image or _BARE_URL.match(target.text):
            return None
        title_link = head.link
        title_runs = [i for i, run in enumerate(runs) if run.link == title_link]
    elif head.span is not None:
        title_runs = [i for i, run in enumerate(runs) if run.span == head.span and run.link is None]
        if all(run.link is None for run in runs[title_runs[-1] :]):
            return None  # bold text without a link after it is a label, not a paper
    else:
        first_link = next(i for i, run in enumerate(runs) if run.link is not None)
        title_runs = [i for i in range(first, first_link) if runs[i].link is None]
        later = {run.link for run in runs[first_link:] if run.link is not None}
        if not any(_is_paper_link(inline.links[i]) for i in later):
            return None
    title = _title("".join(runs[i].text for i in title_runs))
    if not re.search(r"\w", title):
        return None
    entry = _Entry(title=title, line=line, context=context)
    for index, link in enumerate(inline.links):
        if _is_anchor(link.href):
            continue
        label = "paper" if index == title_link else _label(link.text, link.href, "link")
        entry.links.append(Link(label=label, url=link.href))
    used = set(title_runs)
    venue_span = _venue_span(inline, used)
    if venue_span is not None:
        entry.venue = squash_spaces(
            "".join(run.text for run in runs if run.span == venue_span and run.link is None)
        )
    note = "".join(
        run.text
        for i, run in enumerate(runs)
        if i not in used and run.link is None and (venue_span is None or run.span != venue_span)
    )
    entry.digest = _clean_note(note)
    return entry


def _is_paper_link(link: _Link) -> bool:
    label = link_label(link.text).casefold() if link.text else ""
    return label in _LINK_WORDS or arxiv_id_from_url(link.href) is not None


def _venue_span(inline: _Inline, used: set[int]) -> int | None:
    """The italic span after the title that names a year ('*NeurIPS 2020*'): the venue."""
    for span, kind in enumerate(inline.spans):
        if kind != "em":
            continue
        indices = [i for i, run in enumerate(inline.runs) if run.span == span]
        if not indices or used.intersection(indices):
            continue
        text = "".join(inline.runs[i].text for i in indices if inline.runs[i].link is None)
        if _YEAR.search(text):
            return span
    return None


# --------------------------------------------------------------------------- the document


def read_paper_list(text: str, source_id: str = "readme") -> tuple[ReadmeDocument, PaperListSurvey]:
    """Parse a paper list; the survey says what was seen (for an error when nothing was)."""
    md = _parser()
    env: dict[str, Any] = {}
    walk = _Walk(md=md, env=env, tokens=md.parse(text, env))
    tokens = walk.tokens
    title: str | None = None
    stack: list[Heading] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            walk.survey.headings += 1
            heading = walk.plain_text(tokens[index + 1])
            level = int(token.tag[1:])
            is_title = title is None and level == 1 and not is_excluded_heading(heading)
            if is_title:
                title = heading
            while stack and stack[-1].level >= level:
                stack.pop()
            stack.append(Heading(level, heading, is_title))
            index += 3
        elif token.type == "table_open":
            end = closing_index(tokens, index)
            _read_table(walk, index, end, heading_context(stack))
            index = end + 1
        elif token.type in _LIST_OPEN:
            end = closing_index(tokens, index)
            context = heading_context(stack)
            found = _ListRead()
            _read_list(walk, index, end, context, found)
            if not context.excluded:
                walk.entries.extend(found.entries)
                # Prose bullets next to papers are worth a look; a list without a single
                # paper (badges, contributing rules) is simply not a paper list.
                if found.entries:
                    walk.warnings.extend(found.problems)
            index = end + 1
        else:
            if token.type == "paragraph_open" and token.level == 0:
                walk.survey.paragraphs += 1
            index += 1
    ids = disambiguate([title_key_id("card", entry.title) for entry in walk.entries])
    cards = [
        _card(entry, card_id, source_id) for entry, card_id in zip(walk.entries, ids, strict=True)
    ]
    warnings = sorted(walk.warnings, key=lambda warning: warning.line or 0)
    if not cards:
        warnings.append(
            ParseWarning(line=None, message=f"no paper list recognised: {walk.survey.describe()}")
        )
    return ReadmeDocument(title=title, items=cards, warnings=warnings), walk.survey


def parse_paper_list(text: str, source_id: str = "readme") -> ReadmeDocument:
    """A markdown table of papers or a list of paper links -> cards and warnings."""
    return read_paper_list(text, source_id)[0]


def describe_markdown(text: str) -> str:
    """What a markdown document holds, in one line, as the paper-list reading sees it."""
    return read_paper_list(text)[1].describe()


def _card(entry: _Entry, card_id: str, source_id: str) -> PaperCard:
    return PaperCard(
        id=card_id,
        title=entry.title,
        authors=entry.authors,
        venue=entry.venue,
        year=entry.year,
        topic=entry.context.topic,
        section=entry.context.section,
        keywords=entry.keywords,
        digest=entry.digest,
        links=entry.links,
        arxiv_id=entry.arxiv.base if entry.arxiv else None,
        arxiv_version=entry.arxiv.version if entry.arxiv else None,
        provenance=Provenance(source_id=source_id, line=entry.line),
    )


FORMAT = ReadmeFormat(
    name="paper-list",
    reads=SourceFormat.markdown,
    read=lambda text, source_id: parse_paper_list(text, source_id=source_id),
)
