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
from pipeline.models import (
    CardProvenance,
    Link,
    PaperCard,
    ParseWarning,
    ReadmeDocument,
    SourceFormat,
)
from pipeline.parse.readme.blocks import (
    LIST_OPEN,
    chunks,
    closing_index,
    forget_parsed_chunks,
    parse_chunk,
)
from pipeline.parse.readme.fields import (
    SubItem,
    clean_title,
    details_summaries,
    is_paper_label,
    link_label,
    read_sub_items,
    snippet,
)
from pipeline.parse.readme.format import FormatReading, ReadmeFormat, SectionReading, Settled
from pipeline.parse.readme.headings import (
    Heading,
    HeadingContext,
    heading_context,
    is_document_title,
    push_heading,
    squash_spaces,
    year_heading,
)
from pipeline.parse.readme.quality import card_quality
from pipeline.parse.readme.venues import year_in

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


# After a link: labels left without their URL ('[[code]]'), or the brackets of '[[code](u)]'.
_LABELS_ONLY = re.compile(r"^(?:\s*\[+[^\[\]]{1,30}\]+)+\s*$|^[\s\[\]()]+$")


def _read_title_line(segments: list[_Segment], line: _TitleLine) -> None:
    """Title text is everything outside links; each link becomes a Link labelled by its text.

    A link before any title text *is* the title ('- [Title](url)'): its text is kept. After a
    link, a label left without its URL ('[[paper]](u) [[code]]') or the brackets around one
    ('[[code](u)]', '([paper](u))') are no part of the title.
    """
    title_parts: list[str] = []
    after_link = bool(line.links)
    for text, href in segments:
        if href is None:
            if not (after_link and _LABELS_ONLY.match(text)):
                title_parts.append(text)
            continue
        after_link = True
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
    # '- Title ([paper](url))': the bracket opened before the link is no part of the title
    line.title = clean_title((line.title + " " + "".join(title_parts)).rstrip(" (["))


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
    first_sub_line: Token | None = None  # the first sub-bullet's text, if it came first
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
    et_al: bool
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
            elif token.type in LIST_OPEN:
                item.has_sub_list = True
        elif token.level == level + 3 and item.has_sub_list:
            # the blocks of a sub-bullet: level+2 is its list_item_open
            if token.type == "paragraph_open":
                if not item.sub_items and not item.has_title_paragraph:
                    item.first_sub_line = tokens[index + 1]
                item.sub_items.append(_sub_item(tokens[index + 1], inline))
            elif token.type in ("html_block", "code_block", "fence"):
                item.sub_items.append(_sub_item(token, inline))
    if item.first_sub_line is not None:
        _lift_doubled_bullet(item, inline)
    return _finish_item(item)


def _lift_doubled_bullet(item: _Item, inline: _Inline) -> None:
    """'- - Title. [[paper]](url)' (a doubled bullet): the title line fell into the sub-list;
    its first sub-bullet is the title line when it has the paper link."""
    assert item.first_sub_line is not None
    lifted = _TitleLine()
    _read_title_line(inline.segments(item.first_sub_line), lifted)
    if lifted.has_paper_link and lifted.title:
        item.title = lifted
        item.sub_items = item.sub_items[1:]


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
        et_al=fields.et_al if fields else False,
        venue=fields.venue if fields else None,
        keywords=tuple(fields.keywords) if fields else (),
        digest=fields.digest if fields else None,
    )


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class _HeadingEvent:
    level: int
    text: str
    line: int  # 1-based, within its chunk


@dataclass(frozen=True)
class _SummaryEvent:
    """A '<details><summary>Survey: 2022</summary>' outside lists: a sub-heading in HTML."""

    text: str


@dataclass(frozen=True)
class _DetailsEndEvent:
    """'</details>' outside lists: the end of what a summary headed."""


@dataclass(frozen=True)
class _ListEvent:
    items: tuple[_ReadItem, ...]


_Event = _HeadingEvent | _SummaryEvent | _DetailsEndEvent | _ListEvent


def _html_events(content: str) -> list[_Event]:
    """The summaries and '</details>' of an HTML block, in order."""
    return [
        _DetailsEndEvent() if summary is None else _SummaryEvent(summary)
        for summary in details_summaries(content)
    ]


@lru_cache(maxsize=1024)
def _chunk_events(chunk: str) -> tuple[_Event, ...]:
    """Headings, summaries and read list items of one chunk, in order.

    Cached on the chunk's text: successive snapshots of a README share most of their sections,
    and a pure function of the text can be reused (results are immutable).
    """
    parsed = parse_chunk(chunk)
    tokens = parsed.tokens
    inline = _Inline(parsed.md, parsed.env)
    events: list[_Event] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.level == 0:
            line = (token.map[0] + 1) if token.map else 0
            text = inline.text(tokens[index + 1])
            events.append(_HeadingEvent(int(token.tag[1:]), text, line))
            index += 3
        elif token.type in LIST_OPEN and token.level == 0:
            end = closing_index(tokens, index)
            events.append(_ListEvent(tuple(_read_list(tokens, index, end, inline))))
            index = end + 1
        else:
            if token.type == "html_block" and token.level == 0 and "</" in token.content:
                events.extend(_html_events(token.content))
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
    forget_parsed_chunks()


# --------------------------------------------------------------------------- the document


@dataclass
class _Section:
    """What the walk found under one markdown heading (line 0: before the first one)."""

    line: int
    excluded: bool = False
    found: list[tuple[_ReadItem, HeadingContext, int]] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)


@dataclass
class _Walk:
    title: str | None = None
    headings: int = 0
    topic_lists: int = 0
    sections: list[_Section] = field(default_factory=list)


def _summary_context(context: HeadingContext, summary: str) -> HeadingContext:
    """A '<summary>Topic: 2022</summary>' under a topic heading: its year and its section."""
    parsed = year_heading(summary)
    if context.kind != "topic" or parsed is None:
        return context
    topic = parsed.prefix or context.topic
    return HeadingContext("topic", section=summary, topic=topic, year=parsed.year)


def _walk(text: str) -> _Walk:
    walk = _Walk(sections=[_Section(0)])
    stack: list[Heading] = []
    summary: str | None = None
    for offset, chunk in chunks(text):
        for event in _chunk_events(chunk):
            if isinstance(event, _HeadingEvent):
                walk.headings += 1
                is_title = is_document_title(event.text, event.level, walk.title is not None)
                if is_title:
                    walk.title = event.text
                push_heading(stack, Heading(event.level, event.text, is_title))
                summary = None
                walk.sections.append(_Section(event.line + offset))
                walk.sections[-1].excluded = heading_context(stack).excluded
                continue
            if isinstance(event, _SummaryEvent):
                summary = event.text
                continue
            if isinstance(event, _DetailsEndEvent):
                summary = None
                continue
            context = heading_context(stack)
            if context.kind == "excluded":
                continue
            if summary is not None:
                context = _summary_context(context, summary)
            walk.topic_lists += context.kind == "topic"
            section = walk.sections[-1]
            for item in event.items:
                line = item.line + offset
                problem = _problem(item, context)
                if problem is not None:
                    section.warnings.append(ParseWarning(line=line, message=problem))
                elif context.kind == "topic":
                    section.found.append((item, context, line))
    return walk


def _no_cards_reason(walk: _Walk) -> str:
    if not walk.headings:
        return "no '#' title and no headings: not an awesome-list README"
    if not walk.topic_lists:
        return "no list under a topic heading"
    return "no list item under a topic heading looks like a card"


def _read(
    text: str, source_id: str, *, unique_ids: bool = True
) -> tuple[_Walk | None, list[list[PaperCard]], str]:
    """The walk, each section's cards (ids made unique over the whole document, or their
    title keys), and, when there is no card, why; a walk of None when the parser failed."""
    try:
        walk = _walk(text)
    except Exception as error:  # markdown-it is total on str input; this is a last guard
        return None, [], f"markdown parser failed: {error!r}"
    found = [entry for section in walk.sections for entry in section.found]
    keys = [item.key_id for item, _, _ in found]
    ids = iter(disambiguate(keys) if unique_ids else keys)
    cards = [
        [_card(item, context, next(ids), source_id, line) for item, context, line in section.found]
        for section in walk.sections
    ]
    reason = "" if found else f"no paper cards found: {_no_cards_reason(walk)}"
    return walk, cards, reason


def parse_readme_markdown(text: str, source_id: str = "readme") -> ReadmeDocument:
    """Parse an awesome-list README into cards; what cannot be read becomes a warning."""
    walk, cards, reason = _read(text, source_id)
    warnings = [w for section in walk.sections for w in section.warnings] if walk else []
    if reason:
        warnings.append(ParseWarning(line=None, message=reason))
    items = [card for section in cards for card in section]
    return ReadmeDocument(title=walk.title if walk else None, items=items, warnings=warnings)


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
        authors_et_al=item.et_al,
        venue=item.venue,
        year=context.year or year_in(item.venue),
        topic=context.topic,
        section=context.section,
        keywords=list(item.keywords),
        digest=item.digest,
        links=[Link(label=label, url=url) for label, url in item.links],
        arxiv_id=item.arxiv.base if item.arxiv else None,
        arxiv_version=item.arxiv.version if item.arxiv else None,
        provenance=CardProvenance(source_id=source_id, line=line),
    )


# --------------------------------------------------------------------------- as a format


def _section_reading(section: _Section, cards: list[PaperCard]) -> SectionReading:
    """A section's cards, scored; settled when this format reads it beyond doubt: cards,
    nothing it could not read, most cards with a link (a category bullet over a sub-list of
    papers, '- Vision' / '  - [P](u)', reads as linkless cards: another format may do
    better), every card of full quality. An excluded section (navigation, tools) is settled
    with nothing in it."""
    qualities = [card_quality(card) for card in cards]
    linkless = sum(1 for card in cards if not card.links)
    settled = section.excluded or (
        bool(cards)
        and not section.warnings
        and linkless * 2 <= len(cards)
        and all(quality == 1.0 for quality in qualities)
    )
    return SectionReading(
        line=section.line,
        cards=tuple(cards),
        warnings=tuple(section.warnings),
        score=sum(qualities),
        settled=settled,
    )


def read_card_sections(text: str, source_id: str, settled: Settled = frozenset()) -> FormatReading:
    """The card format's reading of every section not in ``settled``."""
    walk, cards, reason = _read(text, source_id, unique_ids=False)
    overall = (ParseWarning(line=None, message=reason),) if reason else ()
    if walk is None:
        return FormatReading(warnings=overall)
    sections = tuple(
        _section_reading(section, section_cards)
        for section, section_cards in zip(walk.sections, cards, strict=True)
        if section.line not in settled
    )
    return FormatReading(sections=sections, title=walk.title, warnings=overall)


FORMAT = ReadmeFormat(name="cards", reads=SourceFormat.markdown, read=read_card_sections)
