"""The markdown block parse every README format shares, and how it is kept fast.

Only the block structure is parsed for the whole text; inline markup is parsed on demand,
for the lines whose text is needed. Two shortcuts change no token (tests check both on the
real READMEs):

- block rules that cannot fire anywhere in the text are switched off;
- the text is cut into chunks at '#' lines after a blank line, which parse alone exactly as
  they do in the whole text, so a format can parse (and cache) each chunk on its own and
  skip the chunks it has nothing to read in.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

LIST_OPEN = frozenset({"bullet_list_open", "ordered_list_open"})


class _Markdown(MarkdownIt):
    """CommonMark plus GFM tables and strikethrough, with the core 'inline' step off."""

    def __init__(self) -> None:
        super().__init__("commonmark")
        self.disable("inline")
        self.enable(["table", "strikethrough"])

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
    ("table", re.compile(r"\|")),
)


@lru_cache(maxsize=128)
def block_parser(skipped: frozenset[str] = frozenset()) -> MarkdownIt:
    parser = _Markdown()
    if skipped:
        parser.disable(sorted(skipped))
    return parser


def parser_for(text: str) -> MarkdownIt:
    """The block parser without the rules that cannot fire anywhere in ``text``."""
    if "\r" in text:  # the patterns assume '\n' line ends; markdown-it normalises them later
        return block_parser()
    skipped = frozenset(
        rule for rule, could_fire in _SKIPPABLE_RULES if could_fire.search(text) is None
    )
    return block_parser(skipped)


@dataclass(frozen=True)
class ParsedChunk:
    """A chunk's block tokens, and the parser and reference env its inline text needs."""

    md: MarkdownIt
    env: dict[str, Any]
    tokens: list[Token]


# Parsed chunks kept for the next format reading the same text (each parses every chunk
# once per document), up to this many characters of chunk text. Runs parse sources in
# threads (Prefect's task runner): the store is locked; a parse itself is not shared while
# it runs (two threads may parse one chunk, both getting the same tokens).
_KEPT_CHARS = 4_000_000
_kept: OrderedDict[str, ParsedChunk] = OrderedDict()
_kept_chars = 0
_kept_lock = threading.Lock()


def parse_chunk(chunk: str) -> ParsedChunk:
    """The block parse of a chunk, shared by the formats that read it (inline children are
    filled in on demand, the same for every format)."""
    global _kept_chars
    with _kept_lock:
        parsed = _kept.get(chunk)
        if parsed is not None:
            _kept.move_to_end(chunk)
            return parsed
    md = parser_for(chunk)
    env: dict[str, Any] = {}
    parsed = ParsedChunk(md, env, md.parse(chunk, env))
    with _kept_lock:
        if chunk not in _kept:
            _kept[chunk] = parsed
            _kept_chars += len(chunk)
        while _kept_chars > _KEPT_CHARS and len(_kept) > 1:
            oldest, _ = _kept.popitem(last=False)
            _kept_chars -= len(oldest)
    return parsed


def forget_parsed_chunks() -> None:
    """Drop the kept parses (benchmarks time a cold parse with it)."""
    global _kept_chars
    with _kept_lock:
        _kept.clear()
        _kept_chars = 0
    chunks.cache_clear()
    opens_one_section.cache_clear()


# What can carry block structure across a blank line and a '#' line (fenced code, HTML blocks
# of types 1-5, link reference definitions) or shift line numbers ('\r'): no chunks then.
_UNCHUNKABLE = re.compile(
    r"```|~~~|\]:|\r|<!--|<\?|<![A-Za-z\[]|<(?:script|pre|style|textarea)\b", re.IGNORECASE
)
_HEADING_LINE = re.compile(r"#{1,6}(?:[ \t]|$)")


@lru_cache(maxsize=2)  # every markdown format cuts the same document, one after the other
def chunks(text: str) -> tuple[tuple[int, str], ...]:
    """The text cut before every '#' heading line that follows a blank line, with each piece's
    first line number (0-based). Such a line closes every open block, so each piece parses to
    exactly the tokens it has inside the whole text.
    """
    if _UNCHUNKABLE.search(text):
        return ((0, text),)
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
    return tuple(
        (start, "\n".join(lines[start:end])) for start, end in zip(starts, ends, strict=True)
    )


# A line that may be a heading the chunk cut did not start at: another '#' line, or a setext
# underline.
_OTHER_HEADING = re.compile(r"^(?:[ ]{0,3}#{1,6}(?:[ \t]|$)|[ ]{0,3}(?:=+|-+)[ \t]*$)", re.M)


@lru_cache(maxsize=1024)  # asked of the same chunks by every format, in every snapshot
def opens_one_section(chunk: str) -> bool:
    """Whether the chunk is one heading's section: its first line is a '#' heading and no
    other line could be one (so a format that settled that heading can skip the chunk)."""
    first, _, rest = chunk.partition("\n")
    return _HEADING_LINE.match(first) is not None and _OTHER_HEADING.search(rest) is None


_ATX = re.compile(r"^(?P<marks>#{1,6})(?:[ \t]+(?P<content>.*?))?(?:[ \t]+#+)?[ \t]*$")


def atx_heading(line: str) -> tuple[int, str]:
    """An ATX heading line's level and content, as markdown-it reads them ('## Topic ##')."""
    match = _ATX.match(line)
    if match is None:
        return 1, line.lstrip("#").strip()
    content = match.group("content") or ""
    if re.fullmatch(r"#+", content):  # '## ##': an empty heading
        content = ""
    return len(match.group("marks")), content.strip()


def closing_index(tokens: list[Token], start: int) -> int:
    """Index of the markdown-it token closing ``tokens[start]`` (same level, '_close' type)."""
    closing = tokens[start].type.replace("_open", "_close")
    level = tokens[start].level
    for index in range(start + 1, len(tokens)):
        if tokens[index].level == level and tokens[index].type == closing:
            return index
    return len(tokens)
