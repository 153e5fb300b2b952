"""The visible text lines of an HTML page, as a browser lays them out (and copies them).

Block elements and table cells end a line; inline elements run together; script, style,
navigation chrome and hidden elements are dropped. Each line keeps the links (``href``)
found in it, so a parser reading the line stream can keep them as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree  # type: ignore[import-untyped]

from pipeline.core.text import collapse_spaces
from pipeline.models import Link
from pipeline.parse.limits import (
    HTML_DEPTH_CUT,
    LINES_CUT,
    MAX_LINES,
    flatten_html,
    html_depth,
)

__all__ = [
    "BLOCK_TAGS",
    "HtmlError",
    "VisibleLine",
    "anchor_link",
    "html_lines",
    "link_resolver",
    "parse_html",
    "remove_keeping_tail",
    "visible_lines",
]


@dataclass(frozen=True, slots=True)
class VisibleLine:
    """One line of visible text; ``line`` is 1-based in the source document."""

    text: str
    line: int | None = None
    links: tuple[Link, ...] = ()


class HtmlError(ValueError):
    """The input could not be read as HTML at all."""


# Elements whose content a reader never sees (or that are site chrome, not page content).
_SKIP = frozenset(
    {
        "head", "script", "style", "noscript", "template", "nav", "header", "footer",
        "svg", "iframe", "object", "select", "textarea", "canvas", "audio", "video",
    }
)  # fmt: skip
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "html", "legend", "li",
        "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead",
        "tfoot", "tr", "td", "th", "ul", "br",
    }
)  # fmt: skip
# Bootstrap classes that hide an element until a script shows it (modals, collapsed panels).
_HIDDEN_CLASSES = frozenset({"d-none", "modal", "hidden"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SHOWN_CLASS = re.compile(r"^d-(?:sm|md|lg|xl|xxl)-(?:block|inline|inline-block|flex|table)$")
_WORD = re.compile(r"\w")
_HIDING_TESTS = (
    (b"hidden", "@hidden or contains(@class, 'hidden') or contains(@style, 'hidden')"),
    (b"none", "contains(@style, 'none') or contains(@class, 'd-none')"),
    (b"modal", "contains(@class, 'modal')"),
)

# lxml ships no type information: its elements are typed loosely on purpose.
_Element = Any


def html_lines(html: str | bytes, base_url: str | None = None) -> list[VisibleLine]:
    """The page's visible lines in reading order; relative links resolved against the page.

    Raises :class:`HtmlError` when there is no document to read (empty or not HTML).
    """
    data, root = parse_html(html)
    return visible_lines(root, data, link_resolver(root, base_url, data))


def parse_html(html: str | bytes) -> tuple[bytes, _Element]:
    """The document's bytes and its lxml tree; :class:`HtmlError` if there is none."""
    data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    return data, _parse(data, "utf-8" if isinstance(html, str) else None)


def link_resolver(
    root: _Element, base_url: str | None, data: bytes | None = None
) -> Callable[[str], str]:
    """Resolves hrefs against the page (its <base>, else ``base_url``); with the page's
    ``data``, a page without any <base> is not searched for one."""
    if data is not None and b"<base" not in data and b"<BASE" not in data:
        return _resolver(base_url)
    return _resolver(_base_href(root, base_url))


def visible_lines(root: _Element, data: bytes, resolve: Callable[[str], str]) -> list[VisibleLine]:
    """The visible lines of a parsed page (the tree loses its invisible elements)."""
    _drop_invisible(root, data)
    return _walk(root, resolve)


def _walk(root: _Element, resolve: Callable[[str], str]) -> list[VisibleLine]:
    # One pass over start/end events, with the line state in locals: a page can hold
    # 100k+ elements, and per-event method calls would cost more than lxml's own parse.
    lines: list[VisibleLine] = []
    parts: list[str] = []  # the current line's text pieces
    links: list[Link] = []  # the current line's links
    start: int | None = None  # the source line where the current line's text starts
    cursor = 0  # the last source line seen: where a tail's text starts
    pre_depth = 0

    def flush() -> None:
        nonlocal parts, links, start
        # Browsers collapse white space (NBSP included) the way str.split() does.
        text = " ".join("".join(parts).split())
        if text:
            lines.append(VisibleLine(text, start, tuple(links)))
            links = []  # links of an empty line go with the next one (icon-only links)
        parts = []
        start = None

    for event, element in etree.iterwalk(root, events=("start", "end")):
        if len(lines) >= MAX_LINES:  # bounded work; read_event_page says where it stopped
            LINES_CUT.set(MAX_LINES)
            break
        tag = element.tag
        if event == "start":
            cursor = element.sourceline or cursor
            if tag in BLOCK_TAGS and parts:
                flush()
            if tag == "a":
                link = anchor_link(element, resolve)
                if link is not None and all(known.url != link.url for known in links):
                    links.append(link)
            elif tag == "pre":
                pre_depth += 1
            text = element.text
        else:
            if tag in BLOCK_TAGS:
                if parts:
                    flush()
                if tag == "pre":
                    pre_depth -= 1
            text = element.tail
        if not text:
            continue
        if pre_depth and "\n" in text:  # preformatted text keeps its line breaks
            for offset, piece in enumerate(text.split("\n")):
                if offset and parts:
                    flush()
                if piece and not piece.isspace():
                    if start is None:
                        start = cursor + offset
                    parts.append(piece)
            cursor += text.count("\n")
        elif text.isspace():
            if parts:
                parts.append(" ")
            cursor += text.count("\n")
        else:
            if start is None:
                start = cursor + text.count("\n", 0, len(text) - len(text.lstrip()))
            parts.append(text)
            if "\n" in text:
                cursor += text.count("\n")
    if parts:
        flush()
    return lines


def _drop_invisible(root: _Element, data: bytes) -> None:
    """Remove what a reader never sees, keeping the text that follows each removed element."""
    etree.strip_elements(root, *_SKIP, with_tail=False)
    # XPath (in C) finds the few candidates, _is_hidden decides on each one. Its tests are
    # only asked for words the source contains at all: each costs a scan of every element.
    tests = [test for word, test in _HIDING_TESTS if word in data]
    if not tests:
        return
    for element in root.xpath(f"//*[{' or '.join(tests)}]"):
        if _is_hidden(element) and element.getparent() is not None:
            remove_keeping_tail(element)


def remove_keeping_tail(element: _Element) -> None:
    """Take an element out of its tree; the text after it stays where it was."""
    parent = element.getparent()
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _parse(data: bytes, encoding: str | None) -> _Element:
    if not data.strip():
        raise HtmlError("empty document")
    root, too_deep = _parse_once(data, encoding)
    if too_deep:
        # libxml2 drops a whole document nested past its limit (256, or 2048 with huge_tree):
        # parse it again with the tags below a sane depth removed, their text kept. Measuring
        # the depth from the text costs more than lxml's own parse: only done here.
        text = data.decode(encoding or "utf-8", "replace")
        HTML_DEPTH_CUT.set(html_depth(text))
        root, _ = _parse_once(flatten_html(text).encode("utf-8"), "utf-8")
    if root is None:
        raise HtmlError("no HTML elements in the document")
    return root


def _parse_once(data: bytes, encoding: str | None) -> tuple[_Element | None, bool]:
    # Bytes (with the encoding of a str input): lxml refuses a str with an XML declaration.
    # huge_tree: real pages wrapped in a few hundred <div>s keep their text.
    parser = etree.HTMLParser(
        encoding=encoding, remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.LxmlError, ValueError) as error:
        raise HtmlError(f"not readable as HTML: {error}") from error
    too_deep = any("Excessive depth" in entry.message for entry in parser.error_log)
    return root, too_deep


def _base_href(root: _Element, base_url: str | None) -> str | None:
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            return urljoin(base_url or "", str(href))
    return base_url


def _is_hidden(element: _Element) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = str(element.get("class") or "").split()
    return bool(_HIDDEN_CLASSES.intersection(classes)) and not any(
        _SHOWN_CLASS.match(name) for name in classes
    )


def _resolver(base: str | None) -> Callable[[str], str]:
    """Resolves hrefs against the page; the common cases skip urljoin (100k links a page)."""
    parts = urlsplit(base or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None

    def resolve(href: str) -> str:
        if href.startswith(("https://", "http://")) or not base:
            return href
        if origin and href.startswith("/") and not href.startswith("//") and "/." not in href:
            return origin + href
        try:
            return urljoin(base, href)
        except ValueError:  # e.g. 'Invalid IPv6 URL': kept as written, dropped as no web link
            return href

    return resolve


def anchor_link(anchor: _Element, resolve: Callable[[str], str]) -> Link | None:
    """The link an <a> makes, labelled by its text (or, for an icon, its tooltip or host)."""
    href = str(anchor.get("href") or "").strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript:"):
        return None
    url = resolve(href)
    label = " ".join("".join(anchor.itertext()).split())
    if not _WORD.search(label):  # an icon ('🔗', '»'): name it by its tooltip or host
        title = anchor.get("title") or anchor.get("aria-label")
        label = collapse_spaces(str(title)) if title else (urlsplit(url).hostname or url)
    return Link(label=label, url=url)
