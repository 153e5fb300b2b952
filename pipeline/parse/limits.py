"""Bounds on what a parser is given, applied once at the parsers' entry points.

``read_readme``, ``read_event_page`` and ``html_lines`` are the doors every document goes
through (refresh, ingest-readme, replay, parse), so the bounds live there, whatever the
readers behind them do: a document is cut at :data:`MAX_LINES` lines or :data:`MAX_CHARS`
characters, a line at :data:`MAX_LINE_CHARS`, markdown nesting (list markers, block quotes,
indentation) at :data:`MAX_NESTING` levels, HTML nesting at :data:`MAX_HTML_DEPTH`. Each cut
is a warning saying what was cut and where; line numbers of what is kept do not move. Only
http(s) links are kept as paper links.

The numbers keep the worst input of each kind within seconds to minutes (every later step,
linking included, works on what is kept) and a few hundred MB, well above real documents:
the awesome-deep-phenomena README is ~3,000 lines and 0.8 MB, the largest workshop page
~30,000 elements.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from pipeline.models import Link, ParseWarning

MAX_CHARS = 2_000_000
MAX_LINES = 50_000  # the longest real list seen (Awesome-Diffusion-Models) has 15,716
MAX_LINE_CHARS = 20_000
MAX_NESTING = 16
MAX_INDENT = 4 * MAX_NESTING  # columns of leading white space a line keeps
MAX_HTML_CHARS = 20_000_000  # HTML is parsed in C; its visible text is bounded as above
# libxml2 reads 2048 levels with huge_tree and drops the whole document beyond; such a page
# is parsed again with the tags past this depth removed (their text kept).
MAX_HTML_DEPTH = 1024

WEB_SCHEMES = frozenset({"http", "https"})
# Set by html_lines when it stopped at MAX_LINES visible lines (it returns only lines).
LINES_CUT: ContextVar[int | None] = ContextVar("LINES_CUT", default=None)
# Set by the HTML parse when it cut a page's nesting at MAX_HTML_DEPTH: how deep it was.
HTML_DEPTH_CUT: ContextVar[int | None] = ContextVar("HTML_DEPTH_CUT", default=None)

_CONTAINERS = re.compile(r"(?:[ \t]{0,3}(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr", "param", "keygen", "command"}
)  # fmt: skip


@dataclass
class Bounded:
    """A document as the parser gets it, and the warnings about what was cut."""

    text: str
    warnings: list[ParseWarning] = field(default_factory=list)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def bound_lines(text: str) -> Bounded:
    """Cut a text document (markdown or page text) to the line, size and nesting bounds."""
    warnings: list[ParseWarning] = []
    if len(text) > MAX_CHARS:
        cut_line = text.count("\n", 0, MAX_CHARS) + 1
        text = text[: text.rfind("\n", 0, MAX_CHARS) + 1] or text[:MAX_CHARS]
        warnings.append(
            ParseWarning(
                line=cut_line,
                message=f"document cut at line {cut_line}: read up to {MAX_CHARS} characters",
            )
        )
    lines = text.split("\n")
    if len(lines) > MAX_LINES + 1:
        warnings.append(
            ParseWarning(
                line=MAX_LINES + 1,
                message=f"document cut after line {MAX_LINES} of {len(lines)}: "
                f"read up to {MAX_LINES} lines",
            )
        )
        lines = lines[:MAX_LINES]
    long_lines: list[int] = []
    deep_lines: list[int] = []
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            lines[index] = line = line[:MAX_LINE_CHARS]
            long_lines.append(index + 1)
        flattened = _flatten(line)
        if flattened is not line:
            lines[index] = flattened
            deep_lines.append(index + 1)
    if long_lines:
        warnings.append(
            ParseWarning(
                line=long_lines[0],
                message=f"{_count(len(long_lines), 'line')} longer than {MAX_LINE_CHARS} "
                f"characters cut (first: line {long_lines[0]})",
            )
        )
    if deep_lines:
        warnings.append(
            ParseWarning(
                line=deep_lines[0],
                message=f"{_count(len(deep_lines), 'line')} nested deeper than {MAX_NESTING} "
                f"levels read at {MAX_NESTING} (first: line {deep_lines[0]})",
            )
        )
    return Bounded("\n".join(lines), warnings)


def _flatten(line: str) -> str:
    """The line with at most MAX_INDENT columns of indentation and MAX_NESTING container
    markers before its content; the same object when it is within both."""
    stripped = line.lstrip(" \t")
    indent = len(line) - len(stripped)
    if indent > MAX_INDENT:
        line = line[indent - MAX_INDENT :]
    if not stripped or stripped[0] not in "->*+0123456789":
        return line
    position = 0
    markers: list[str] = []
    while True:
        match = _CONTAINERS.match(line, position)
        if match is None or match.end() == position:
            break
        markers.append(match.group(0))
        position = match.end()
    if len(markers) <= MAX_NESTING:
        return line
    return "".join(markers[:MAX_NESTING]) + line[position:]


def html_depth(html: str) -> int:
    """How deep the page's elements nest, from its tags (void elements do not nest)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def flatten_html(html: str, max_depth: int = MAX_HTML_DEPTH) -> str:
    """The page with every tag below ``max_depth`` removed, its text kept."""
    parts: list[str] = []
    depth = 0
    last = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        nests = not (name in _VOID or self_closing)
        if nests and closing:
            keep = depth <= max_depth
            depth = max(depth - 1, 0)
        elif nests:
            depth += 1
            keep = depth <= max_depth
        else:
            keep = depth < max_depth
        if not keep:
            parts.append(html[last : match.start()])
            last = match.end()
    parts.append(html[last:])
    return "".join(parts)


def html_cut_warnings() -> list[ParseWarning]:
    """The warnings for what the HTML reading cut, if it did: the visible lines html_lines
    stopped reading, the nesting the parse cut."""
    warnings: list[ParseWarning] = []
    deepest = HTML_DEPTH_CUT.get()
    if deepest is not None:
        message = (
            f"elements nested {deepest} deep: read with nesting cut at {MAX_HTML_DEPTH} "
            "levels (their text kept)"
        )
        warnings.append(ParseWarning(line=None, message=message))
    cut = LINES_CUT.get()
    if cut is not None:
        warnings.append(ParseWarning(line=None, message=f"page cut after {cut} visible lines"))
    return warnings


def reset_html_cuts() -> None:
    """Forget the last page's cuts: called before a page is read."""
    LINES_CUT.set(None)
    HTML_DEPTH_CUT.set(None)


def bound_html(html: str) -> Bounded:
    """Cut an HTML page at the size bound (its nesting is bounded when it is parsed)."""
    warnings: list[ParseWarning] = []
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        warnings.append(
            ParseWarning(line=None, message=f"page cut: read up to {MAX_HTML_CHARS} characters")
        )
    return Bounded(html, warnings)


# --------------------------------------------------------------------------- links

M = TypeVar("M", bound=BaseModel)


def is_web_link(url: str) -> bool:
    url = url.strip()
    if url.startswith(("https://", "http://")) and "[" not in url:
        return True  # the common case, without urlsplit (a bracket may be a bad IPv6 host)
    try:
        return urlsplit(url).scheme.lower() in WEB_SCHEMES
    except ValueError:
        return False


def web_links_only(
    records: Sequence[M], line_of: str = "provenance"
) -> tuple[list[M], list[ParseWarning]]:
    """The records with only http(s) links (a ``file:`` or ``javascript:`` link is no paper
    link), and one warning per record that lost some."""
    kept: list[M] = []
    warnings: list[ParseWarning] = []
    for record in records:
        links: list[Link] | None = getattr(record, "links", None)
        if not links or all(is_web_link(link.url) for link in links):
            kept.append(record)
            continue
        dropped = [link.url for link in links if not is_web_link(link.url)]
        provenance = getattr(record, "provenance", None)
        warnings.append(
            ParseWarning(
                line=getattr(provenance, "line", None),
                message=f"{_count(len(dropped), 'link')} that are not http(s) dropped: "
                f"{dropped[0][:80]!r}",
            )
        )
        kept.append(record.model_copy(update={"links": [k for k in links if is_web_link(k.url)]}))
    return kept, warnings
