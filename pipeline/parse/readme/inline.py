"""A markdown line as the entry reader sees it: text runs, links, images, emphasis, breaks.

markdown-it's inline tokens (and the inline HTML lists write: ``<a href>``, ``<b>``,
``<i>``, ``<u>``, ``<br>``, ``<img>``) become :class:`Inline`: a list of :class:`Run` (text
with what encloses it: a link, bold, italic, underline) and the links and images the line
holds. Line breaks (``\\``, soft breaks, ``<br>``) are kept, so a paragraph entry can be cut
into its lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.parse.readme.headings import squash_spaces

_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"^<\s*(?P<close>/)?\s*(?P<name>[A-Za-z][\w-]*)")
_BOLD_TAGS = frozenset({"b", "strong"})
_ITALIC_TAGS = frozenset({"i", "em"})


@dataclass(frozen=True)
class Run:
    """A piece of text and what encloses it."""

    text: str
    link: int | None = None  # index into Inline.links
    bold: bool = False
    italic: bool = False
    underline: bool = False
    code: bool = False


@dataclass
class InlineLink:
    href: str
    text: str = ""
    has_image: bool = False  # a badge or an icon inside the link


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    link: int | None = None  # the link around it (a clickable badge), if any


BREAK = Run("\n")


@dataclass
class Inline:
    """One inline token's content, read."""

    runs: list[Run] = field(default_factory=list)
    links: list[InlineLink] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)

    def text(self, runs: list[Run] | None = None, *, line_break: str = " ") -> str:
        joined = "".join(run.text for run in (self.runs if runs is None else runs))
        return squash_spaces(joined.replace("\n", line_break))

    def lines(self) -> list[list[Run]]:
        """The runs cut at line breaks (empty lines dropped)."""
        lines: list[list[Run]] = [[]]
        for run in self.runs:
            if run.text == "\n":
                lines.append([])
            else:
                lines[-1].append(run)
        return [line for line in lines if "".join(run.text for run in line).strip()]

    def link_text(self, index: int) -> str:
        return squash_spaces("".join(run.text for run in self.runs if run.link == index))


def _attribute(pattern: re.Pattern[str], tag: str) -> str | None:
    match = pattern.search(tag)
    if match is None:
        return None
    return html.unescape(next(group for group in match.groups() if group is not None))


@dataclass
class _State:
    inline: Inline = field(default_factory=Inline)
    link: int | None = None
    html_link: bool = False  # the open link came from '<a href>'
    bold: int = 0
    italic: int = 0
    underline: int = 0

    def add(self, text: str, *, code: bool = False) -> None:
        if text:
            self.inline.runs.append(
                Run(text, self.link, self.bold > 0, self.italic > 0, self.underline > 0, code)
            )

    def open_link(self, href: str, *, from_html: bool) -> None:
        self.inline.links.append(InlineLink(href=href))
        self.link = len(self.inline.links) - 1
        self.html_link = from_html

    def close_link(self) -> None:
        if self.link is not None:
            self.inline.links[self.link].text = self.inline.link_text(self.link)
        self.link = None
        self.html_link = False

    def image(self, src: str, alt: str) -> None:
        self.inline.images.append(Image(src, alt, self.link))
        if self.link is not None:
            self.inline.links[self.link].has_image = True


def _html_tag(state: _State, content: str) -> None:
    """Inline HTML: links, emphasis, underline, images and line breaks; other tags vanish."""
    match = _TAG.match(content)
    if match is None:
        return
    name, closing = match.group("name").lower(), bool(match.group("close"))
    if name == "br":
        state.inline.runs.append(BREAK)
    elif name == "a":
        if closing:
            if state.html_link:
                state.close_link()
        elif state.link is None:
            href = _attribute(_HREF, content)
            if href is not None:
                state.open_link(href, from_html=True)
    elif name == "img" and not closing:
        state.image(_attribute(_SRC, content) or "", _attribute(_ALT, content) or "")
    elif name in _BOLD_TAGS:
        state.bold = max(0, state.bold - 1) if closing else state.bold + 1
    elif name in _ITALIC_TAGS:
        state.italic = max(0, state.italic - 1) if closing else state.italic + 1
    elif name == "u":
        state.underline = max(0, state.underline - 1) if closing else state.underline + 1


def read_inline(children: list[Token]) -> Inline:
    """The runs, links and images of an inline token's children."""
    state = _State()
    for child in children:
        kind = child.type
        if kind in ("text", "text_special"):
            state.add(child.content)
        elif kind == "code_inline":
            state.add(child.content, code=True)
        elif kind in ("softbreak", "hardbreak"):
            state.inline.runs.append(BREAK)
        elif kind == "link_open":
            if state.link is not None:  # a link inside an '<a>': the inner one wins
                state.close_link()
            state.open_link(str(child.attrs.get("href", "")), from_html=False)
        elif kind == "link_close":
            state.close_link()
        elif kind == "strong_open":
            state.bold += 1
        elif kind == "strong_close":
            state.bold = max(0, state.bold - 1)
        elif kind == "em_open":
            state.italic += 1
        elif kind == "em_close":
            state.italic = max(0, state.italic - 1)
        elif kind == "image":
            state.image(str(child.attrs.get("src", "")), child.content)
        elif kind == "html_inline":
            _html_tag(state, child.content)
    if state.link is not None:
        state.close_link()
    return _merged(state.inline)


def _merged(inline: Inline) -> Inline:
    """Runs merged where nothing tells them apart (markdown-it splits text at every character
    a rule looked at), so that every reading of a line gives the same runs."""
    runs: list[Run] = []
    for run in inline.runs:
        last = runs[-1] if runs else None
        if (
            last is not None
            and run.text != "\n"
            and last.text != "\n"
            and (last.link, last.bold, last.italic, last.underline, last.code)
            == (run.link, run.bold, run.italic, run.underline, run.code)
        ):
            runs[-1] = Run(last.text + run.text, *_attributes(run))
        else:
            runs.append(run)
    inline.runs = runs
    return inline


def _attributes(run: Run) -> tuple[int | None, bool, bool, bool, bool]:
    return run.link, run.bold, run.italic, run.underline, run.code


def html_block_inline(content: str) -> Inline:
    """An HTML block's text, links and images, read as inline HTML (tags between texts)."""
    state = _State()
    position = 0
    for match in re.finditer(r"<[^<>]*>", content):
        state.add(html.unescape(content[position : match.start()]))
        _html_tag(state, match.group(0))
        position = match.end()
    state.add(html.unescape(content[position:]))
    if state.link is not None:
        state.close_link()
    return _merged(state.inline)


# --------------------------------------------------------------------------- plain lines

# Lines of plain text, '**bold**', '*italic*' and '[label](url)' links (also '[[label](url)]')
# read without markdown-it's inline parser, exactly as it reads them (a test checks every
# line of the development corpus): no character that could start other markup, emphasis
# opened after white space or a bracket and closed before white space or punctuation.
_PLAIN = r"[^*_`\\<>&!\[\]~\n]"
_EDGE = r"[^\s*_`\\<>&!\[\]~]"
_EMPHASIS = rf"{_EDGE}(?:{_PLAIN}*{_EDGE})?"
_LABEL = r"[^\[\]\n\\*_`<>&!~]{1,300}"
_URL = r"[^()\s<>\\]+"
_PIECE = re.compile(
    rf"\[\[(?P<inner>{_LABEL})\]\((?P<inner_url>{_URL})\)\]"
    rf"|\[(?P<label>{_LABEL})\]\((?P<url>{_URL})\)"
    rf"|(?<![^\s(\[\"'])\*\*(?P<bold>{_EMPHASIS})\*\*(?![^\s.,;:!?)\]\"'])"
    rf"|(?<![^\s(\[\"'])\*(?P<italic>{_EMPHASIS})\*(?![^\s.,;:!?)\]\"'*])"
    rf"|(?P<text>{_PLAIN}+)"
)
_UNSAFE_URL = re.compile(r"^(?:javascript|vbscript|file|data):", re.IGNORECASE)


def _plain_line(line: str, inline: Inline) -> bool:
    """Add one line's runs; False when the line needs the real parser."""
    position = 0
    while position < len(line):
        match = _PIECE.match(line, position)
        if match is None:
            return False
        if match.group("text") is not None:
            inline.runs.append(Run(match.group("text")))
        elif match.group("bold") is not None:
            inline.runs.append(Run(match.group("bold"), bold=True))
        elif match.group("italic") is not None:
            inline.runs.append(Run(match.group("italic"), italic=True))
        else:
            label = match.group("inner") or match.group("label")
            url = match.group("inner_url") or match.group("url")
            if _UNSAFE_URL.match(url) or not label.strip():
                return False
            inner = match.group("inner") is not None
            if inner:
                inline.runs.append(Run("["))
            inline.links.append(InlineLink(href=url, text=" ".join(label.split())))
            inline.runs.append(Run(label, link=len(inline.links) - 1))
            if inner:
                inline.runs.append(Run("]"))
        position = match.end()
    return True


def plain_inline(content: str) -> Inline | None:
    """The runs of a paragraph's content made of plain lines (see above), line breaks kept;
    None when anything in it needs markdown-it's inline parser."""
    inline = Inline()
    lines = content.split("\n")
    for number, raw in enumerate(lines):
        last = number == len(lines) - 1
        line = raw.lstrip(" ") if number else raw
        if not last and line.endswith("\\"):
            body, hard = line[:-1], True  # a backslash before the line end: a hard break
        else:
            body, hard = line, not last and line.endswith("  ")
            body = body.rstrip(" ") if not last else body
        if not _plain_line(body, inline):
            return None
        if not last:
            inline.runs.append(BREAK)
        del hard  # both breaks are a line break to the entry reader
    return _merged(inline)


class InlineParser:
    """Parses the inline markup of block tokens on demand (one parser, one reference env)."""

    def __init__(self, md: MarkdownIt, env: dict[str, Any]) -> None:
        self._md = md
        self._env = env

    def read(self, token: Token) -> Inline:
        if not token.children and not self._env.get("references"):
            plain = plain_inline(token.content)
            if plain is not None:
                return plain
        if token.children is None or not token.children:
            children: list[Token] = []
            self._md.inline.parse(token.content, self._md, self._env, children)
            token.children = children
        return read_inline(token.children)
