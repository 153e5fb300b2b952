"""The awesome-deep-phenomena README (markdown) -> PaperCard records.

The text is parsed into markdown-it tokens and the token stream is walked: headings give the
topic / year / section, every top-level list item under a topic heading is either a card or a
warning. Speed matters (the tests walk 380 snapshots of a 450 KB file), so:

- only the block structure is parsed for the whole file; inline markup is parsed for the lines
  whose text is needed, and the usual 'Title. [[paper]](url)' / 'Authors. *Venue*' lines are
  read by a pattern that gives exactly markdown-it's reading (a test checks it);
- block rules that cannot fire anywhere in the text are switched off (no token changes);
- the text is cut into sections at '#' lines after a blank line, which parse alone exactly as
  they do in the whole text, and each section's reading is cached on its text, so the next
  snapshot of the same README only parses the sections that changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.core.ids import ArxivId, arxiv_id_from_url, disambiguate, title_key_id
from pipeline.models import Link, PaperCard, ParseWarning, Provenance, ReadmeDocument, SourceFormat
from pipeline.parse.readme.fields import (
    Heading,
    HeadingContext,
    SubItem,
    clean_title,
    closing_index,
    heading_context,
    is_excluded_heading,
    is_paper_label,
    link_label,
    read_sub_items,
    snippet,
    squash_spaces,
)
from pipeline.parse.readme.format import ReadmeFormat

_LIST_OPEN = frozenset({"bullet_list_open", "ordered_list_open"})


class _Markdown(MarkdownIt):
    """CommonMark with the core 'inline' step off: inline markup is parsed on demand."""

    def __init__(self) -> None:
        super().__init__("commonmark")
        self.disable("inline")

    def normalizeLink(self, url: str) -> str:
        # Keep hrefs as written (escapes already resolved): no percent-encoding or punycode,
        # which a record does not want and which costs a third of the inline parse.
        return url


# Block rules a README may not need, each with a pattern every line it could fire on matches.
# When the pattern finds nothing the rule cannot fire, and skipping it changes no token; it
# saves a quarter to a third of markdown-it's block parse, which is most of the parse time.
_SKIPPABLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fence", re.compile(r"```|~~~")),
    ("blockquote", re.compile(r"^[ \t\-+*\d.)]*>", re.MULTILINE)),
    ("hr", re.compile(r"([*_-])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)),
    ("lheading", re.compile(r"[=\-][ \t]*$", re.MULTILINE)),
    ("reference", re.compile(r"\]:")),
)


@lru_cache(maxsize=64)
def _block_parser(skipped: frozenset[str] = frozenset()) -> MarkdownIt:
    parser = _Markdown()
    if skipped:
        parser.disable(sorted(skipped))
    return parser


def _parser_for(text: str) -> MarkdownIt:
    """The block parser without the rules that cannot fire anywhere in ``text``."""
    if "\r" in text:  # the patterns assume '\n' line ends; markdown-it normalises them later
        return _block_parser()
    return _block_parser(
        frozenset(rule for rule, could_fire in _SKIPPABLE_RULES if could_fire.search(text) is None)
    )


# --------------------------------------------------------------------------- inline text

_MARKUP = re.compile(r"[*_\[\]`\\<&!]")  # a line without these is its own plain text


class _Inline:
    """Parses inline markup of block tokens on demand (same parser, same reference env)."""

    def __init__(self, md: MarkdownIt, env: dict[str, Any]) -> None:
        self._md = md
        self._env = env

    def children(self, token: Token) -> list[Token]:
        if not token.children:
            children: list[Token] = []
            self._md.inline.parse(token.content, self._md, self._env, children)
            token.children = children
        return token.children

    @property
    def has_references(self) -> bool:
        """Whether the document defines link references ('[x]: url'): no plain-line shortcuts."""
        return bool(self._env.get("references"))

    def segments(self, token: Token) -> list[_Segment]:
        """A title line's segments: the plain-line reading when it applies, else the parser."""
        if not self.has_references:  # a '[paper]: url' definition changes the reading
            simple = _simple_segments(token.content)
            if simple is not None:
                return simple
        return _token_segments(self.children(token))

    def text(self, token: Token) -> str:
        """Rendered plain text of an inline token (links keep their text, markup dropped)."""
        return squash_spaces("".join(_texts(self.children(token))))


def _texts(children: list[Token]) -> list[str]:
    """The text of inline tokens; images are left out (a heading's badges are not its text)."""
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
    return parts


@dataclass
class _TitleLine:
    title: str = ""
    links: list[Link] = field(default_factory=list)
    has_paper_link: bool = False


# A segment of a title line: (text, href), href None for text outside links.
_Segment = tuple[str, str | None]


def _token_segments(children: list[Token]) -> list[_Segment]:
    """Text outside links and the text of each link, from markdown-it inline tokens."""
    segments: list[_Segment] = []
    href: str | None = None
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind == "link_open":
            if parts:
                segments.append(("".join(parts), None))
            href, parts = str(child.attrs.get("href", "")), []
        elif kind == "link_close":
            segments.append(("".join(parts), href or ""))
            href, parts = None, []
        elif kind in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
    if parts:
        segments.append(("".join(parts), href))
    return segments


# The usual card line, 'Title. [[paper]](url) [[code]](url)', read without the inline parser:
# plain text (no character that could start markup) and links with plain labels and URLs.
# It yields exactly the segments markdown-it would (a test checks this on the real README).
_PLAIN = r"[^\[\]*_`\\<>&!]"  # no character that could open markup
_PLAIN_EDGE = r"[^\s\[\]*_`\\<>&!]"  # the same, not white space (emphasis edges)
_LABEL = rf"{_PLAIN}{{1,30}}"
_URL = r"[^()\s<>\\;\[\]]+"  # no ';': an entity ('&amp;') would need decoding
_SIMPLE_LINK = rf"\[(?:\[(?P<inner>{_LABEL})\]|(?P<bare>{_LABEL}))\]\((?P<url>{_URL})\)"
_SIMPLE_LINK_RE = re.compile(_SIMPLE_LINK)
_SIMPLE_TITLE_LINE = re.compile(rf"^(?P<text>{_PLAIN}*?)(?P<links>(?:\s*{_SIMPLE_LINK})*)\s*$")
# 'Authors. *Venue*': plain text, then one emphasis at the end (opened after white space).
_SIMPLE_ITALIC_END = re.compile(
    rf"^(?P<text>(?:{_PLAIN}*\s)?)\*(?P<venue>{_PLAIN_EDGE}(?:{_PLAIN}*{_PLAIN_EDGE})?)\*"
    r"(?P<tail>[ .]*)$"
)


def _simple_segments(content: str) -> list[_Segment] | None:
    """Segments of a plain card line, or None when it needs the inline parser."""
    match = _SIMPLE_TITLE_LINE.match(content)
    if match is None:
        return None
    segments: list[_Segment] = []
    if match.group("text"):
        segments.append((match.group("text"), None))
    for link in _SIMPLE_LINK_RE.finditer(match.group("links")):
        inner = link.group("inner")
        segments.append(
            (f"[{inner}]" if inner is not None else link.group("bare"), link.group("url"))
        )
    return segments


def _read_title_line(segments: list[_Segment], line: _TitleLine) -> None:
    """Title text is everything outside links; each link becomes a Link labelled by its text.

    A link before any title text *is* the title ('- [Title](url)'): its text is kept.
    """
    title_parts: list[str] = []
    for text, href in segments:
        if href is None:
            title_parts.append(text)
            continue
        label = link_label(text)
        if (
            not line.title
            and not "".join(title_parts).strip()
            and not text.lstrip().startswith("[")
        ):
            title_parts.append(text)
            label = "link"
        line.links.append(Link(label=label, url=href))
        line.has_paper_link = line.has_paper_link or is_paper_label(label)
    line.title = clean_title(line.title + " " + "".join(title_parts))


def _trailing_italic(children: list[Token]) -> str | None:
    """The text of a final ``*...*`` span (the venue), when only punctuation follows it."""
    end = len(children)
    while end and children[end - 1].type == "text" and not children[end - 1].content.strip(" ."):
        end -= 1
    if not end or children[end - 1].type != "em_close":
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        kind = children[index].type
        if kind == "em_close":
            depth += 1
        elif kind == "em_open":
            depth -= 1
            if depth == 0:
                return squash_spaces("".join(_texts(children[index + 1 : end - 1])))
    return None


# --------------------------------------------------------------------------- headings


# --------------------------------------------------------------------------- list items


@dataclass
class _Item:
    """One top-level list item while it is read from its tokens."""

    line: int
    title: _TitleLine = field(default_factory=_TitleLine)
    has_title_paragraph: bool = False
    has_sub_list: bool = False
    sub_items: list[SubItem] = field(default_factory=list)
    snippet: str = ""


@dataclass(frozen=True)
class _ReadItem:
    """A top-level list item, fully read: everything a card needs except its headings."""

    line: int  # 1-based, within its chunk
    looks_like_card: bool
    snippet: str
    title: str
    key_id: str
    links: tuple[tuple[str, str], ...]
    arxiv: ArxivId | None
    authors: tuple[str, ...]
    venue: str | None
    keywords: tuple[str, ...]
    digest: str | None


def _sub_item(token: Token, inline: _Inline) -> SubItem:
    """A sub-bullet (or a block directly in the card) as text, with the italic venue hint."""
    if token.type != "inline":
        return SubItem(text=token.content)  # HTML (a <details> digest): read as text
    if _MARKUP.search(token.content) is None:
        return SubItem(text=squash_spaces(token.content))  # plain text: nothing to parse
    if not inline.has_references:
        italic = _SIMPLE_ITALIC_END.match(token.content)
        if italic is not None:  # 'Authors. *Venue*': plain text then one emphasis
            text = italic.group("text") + italic.group("venue") + italic.group("tail")
            return SubItem(text=squash_spaces(text), italic_venue=italic.group("venue"))
    children = inline.children(token)
    return SubItem(
        text=squash_spaces("".join(_texts(children))),
        italic_venue=_trailing_italic(children),
    )


def _read_item(tokens: list[Token], start: int, end: int, inline: _Inline) -> _ReadItem:
    """Read a list item's title line, its sub-bullets and loose blocks."""
    opener = tokens[start]
    level = opener.level
    item = _Item(line=(opener.map[0] + 1) if opener.map else 0)
    for index in range(start + 1, end):
        token = tokens[index]
        if not item.snippet and token.type in ("inline", "html_block"):
            item.snippet = snippet(token.content)
        if token.level == level + 1:
            if token.type == "paragraph_open":
                paragraph = tokens[index + 1]
                if not item.has_title_paragraph and not item.has_sub_list:
                    item.has_title_paragraph = True
                    _read_title_line(inline.segments(paragraph), item.title)
                else:
                    _loose_paragraph(paragraph, item, inline)
            elif token.type in ("html_block", "code_block", "fence"):
                item.sub_items.append(SubItem(text=token.content))
            elif token.type in _LIST_OPEN:
                item.has_sub_list = True
        elif token.level == level + 3 and item.has_sub_list:
            # the blocks of a sub-bullet: level+2 is its list_item_open
            if token.type == "paragraph_open":
                item.sub_items.append(_sub_item(tokens[index + 1], inline))
            elif token.type in ("html_block", "code_block", "fence"):
                item.sub_items.append(_sub_item(token, inline))
    return _finish_item(item)


def _loose_paragraph(paragraph: Token, item: _Item, inline: _Inline) -> None:
    """A later paragraph of the item: links only (a '[[paper]]' line) or another sub-item."""
    extra = _TitleLine()
    _read_title_line(inline.segments(paragraph), extra)
    if not extra.title and extra.links:
        item.title.links.extend(extra.links)
        item.title.has_paper_link = item.title.has_paper_link or extra.has_paper_link
    else:
        item.sub_items.append(_sub_item(paragraph, inline))


def _finish_item(item: _Item) -> _ReadItem:
    looks_like_card = item.title.has_paper_link or item.has_sub_list
    fields = read_sub_items(item.sub_items) if looks_like_card else None
    arxiv = None
    for link in item.title.links:
        arxiv = arxiv_id_from_url(link.url)
        if arxiv is not None:
            break
    return _ReadItem(
        line=item.line,
        looks_like_card=looks_like_card,
        snippet=item.snippet,
        title=item.title.title,
        key_id=title_key_id("card", item.title.title),
        links=tuple((link.label, link.url) for link in item.title.links),
        arxiv=arxiv,
        authors=tuple(fields.authors) if fields else (),
        venue=fields.venue if fields else None,
        keywords=tuple(fields.keywords) if fields else (),
        digest=fields.digest if fields else None,
    )


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class _HeadingEvent:
    level: int
    text: str


@dataclass(frozen=True)
class _ListEvent:
    items: tuple[_ReadItem, ...]


_Event = _HeadingEvent | _ListEvent

# What can carry block structure across a blank line and a '#' line (fenced code, HTML blocks
# of types 1-5, link reference definitions) or shift line numbers ('\r'): no chunks then.
_UNCHUNKABLE = re.compile(
    r"```|~~~|\]:|\r|<!--|<\?|<![A-Za-z\[]|<(?:script|pre|style|textarea)\b", re.IGNORECASE
)
_HEADING_LINE = re.compile(r"#{1,6}(?:[ \t]|$)")


def _chunks(text: str) -> list[tuple[int, str]]:
    """The text cut before every '#' heading line that follows a blank line, with each piece's
    first line number. Such a line closes every open block, so each piece parses to exactly
    the tokens it has inside the whole text (and unchanged pieces are parsed once: see below).
    """
    if _UNCHUNKABLE.search(text):
        return [(0, text)]
    lines = text.split("\n")  # markdown-it's own line split
    starts = [0]
    for number in range(1, len(lines)):
        line = lines[number]
        if (
            line.startswith("#")
            and _HEADING_LINE.match(line)
            and not lines[number - 1].strip(" \t")
        ):
            starts.append(number)
    ends = [*starts[1:], len(lines)]
    return [(start, "\n".join(lines[start:end])) for start, end in zip(starts, ends, strict=True)]


@lru_cache(maxsize=1024)
def _chunk_events(chunk: str) -> tuple[_Event, ...]:
    """Headings and read list items of one chunk, in order.

    Cached on the chunk's text: successive snapshots of a README share most of their sections,
    and a pure function of the text can be reused (results are immutable).
    """
    md = _parser_for(chunk)
    env: dict[str, Any] = {}
    tokens = md.parse(chunk, env)
    inline = _Inline(md, env)
    events: list[_Event] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.level == 0:
            events.append(_HeadingEvent(int(token.tag[1:]), inline.text(tokens[index + 1])))
            index += 3
        elif token.type in _LIST_OPEN and token.level == 0:
            end = closing_index(tokens, index)
            events.append(_ListEvent(tuple(_read_list(tokens, index, end, inline))))
            index = end + 1
        else:
            index += 1
    return tuple(events)


def _read_list(tokens: list[Token], start: int, end: int, inline: _Inline) -> list[_ReadItem]:
    item_level = tokens[start].level + 1
    items = []
    index = start + 1
    while index < end:
        token = tokens[index]
        if token.type == "list_item_open" and token.level == item_level:
            close = closing_index(tokens, index)
            items.append(_read_item(tokens, index, close, inline))
            index = close + 1
        else:
            index += 1
    return items


def clear_parse_cache() -> None:
    """Forget the parsed chunks (benchmarks time a cold parse with it)."""
    _chunk_events.cache_clear()


# --------------------------------------------------------------------------- the document


def parse_readme_markdown(text: str, source_id: str = "readme") -> ReadmeDocument:
    """Parse an awesome-list README into cards; what cannot be read becomes a warning."""
    try:
        chunks = [(offset, _chunk_events(chunk)) for offset, chunk in _chunks(text)]
    except Exception as error:  # markdown-it is total on str input; this is a last guard
        return ReadmeDocument(
            warnings=[ParseWarning(line=None, message=f"markdown parser failed: {error!r}")]
        )
    title: str | None = None
    stack: list[Heading] = []
    found: list[tuple[_ReadItem, HeadingContext, int]] = []
    warnings: list[ParseWarning] = []
    topic_lists = 0
    for offset, events in chunks:
        for event in events:
            if isinstance(event, _HeadingEvent):
                is_title = (
                    title is None and event.level == 1 and not is_excluded_heading(event.text)
                )
                if is_title:
                    title = event.text
                while stack and stack[-1].level >= event.level:
                    stack.pop()
                stack.append(Heading(event.level, event.text, is_title))
                continue
            context = heading_context(stack)
            if context.kind == "excluded":
                continue
            topic_lists += context.kind == "topic"
            for item in event.items:
                line = item.line + offset
                problem = _problem(item, context)
                if problem is not None:
                    warnings.append(ParseWarning(line=line, message=problem))
                elif context.kind == "topic":
                    found.append((item, context, line))
    ids = disambiguate([item.key_id for item, _, _ in found])
    cards = [
        _card(item, context, card_id, source_id, line)
        for (item, context, line), card_id in zip(found, ids, strict=True)
    ]
    if not cards:
        reason = (
            "no '#' title and no headings: not an awesome-list README"
            if not stack and title is None
            else "no list under a topic heading"
            if not topic_lists
            else "no list item under a topic heading looks like a card"
        )
        warnings.append(ParseWarning(line=None, message=f"no paper cards found: {reason}"))
    return ReadmeDocument(title=title, items=cards, warnings=warnings)


def _problem(item: _ReadItem, context: HeadingContext) -> str | None:
    """Why a list item is not a card (None when it is one, or is silently not one)."""
    if context.kind == "outside":
        if item.looks_like_card:
            return f"paper-like list item outside any topic heading, skipped: {item.snippet!r}"
        return None
    if not item.looks_like_card:
        return (
            f"list item under '{context.section}' is not a card "
            f"(no [paper] link, no sub-list): {item.snippet!r}"
        )
    if not item.title:
        return f"card under '{context.section}' has no title line, skipped"
    return None


def _card(
    item: _ReadItem, context: HeadingContext, card_id: str, source_id: str, line: int
) -> PaperCard:
    return PaperCard(
        id=card_id,
        title=item.title,
        authors=list(item.authors),
        venue=item.venue,
        year=context.year,
        topic=context.topic,
        section=context.section,
        keywords=list(item.keywords),
        digest=item.digest,
        links=[Link(label=label, url=url) for label, url in item.links],
        arxiv_id=item.arxiv.base if item.arxiv else None,
        arxiv_version=item.arxiv.version if item.arxiv else None,
        provenance=Provenance(source_id=source_id, line=line),
    )


def _settles(document: ReadmeDocument) -> bool:
    """Cards most of which have a link are this format's; a list whose cards are mostly
    linkless (a category bullet over a sub-list of papers: '- Vision' / '  - [Paper](url)')
    may read better as a paper list, so that format is asked too."""
    linkless = sum(1 for card in document.items if not card.links)
    return bool(document.items) and linkless * 2 <= len(document.items)


FORMAT = ReadmeFormat(
    name="cards",
    reads=SourceFormat.markdown,
    read=lambda text, source_id: parse_readme_markdown(text, source_id=source_id),
    settles=_settles,
)
