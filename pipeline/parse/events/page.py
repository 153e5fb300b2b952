"""An HTML page parsed once, for the page templates to read by structure.

Templates ask for elements by class (:meth:`HtmlPage.by_class`) and read their text as a
reader sees it (:func:`text_of`); the line grammar, when no template knows the page, gets
the page's visible lines (:meth:`HtmlPage.visible_lines`), without what a template already
read from the page's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from pipeline.models import Link
from pipeline.parse.events.html_lines import (
    BLOCK_TAGS,
    VisibleLine,
    anchor_link,
    link_resolver,
    parse_html,
    remove_keeping_tail,
    visible_lines,
)

__all__ = [
    "Element",
    "HtmlPage",
    "PartsRead",
    "has_class",
    "site_id_of",
    "stray_text",
    "text_of",
]

# lxml ships no type information: its elements are typed loosely on purpose.
Element = Any

_SITE_ID = re.compile(r"(\d+)/?$")


def has_class(element: Element, name: str) -> bool:
    classes = element.get("class")
    return bool(classes) and name in classes and name in classes.split()


def text_of(element: Element, skip: Iterable[Element] = ()) -> str:
    """An element's text as a reader sees it: blocks apart, white space collapsed; the
    subtrees of ``skip`` (parts already read) left out."""
    skipped = set(skip)
    if not skipped:
        if not len(element):  # a leaf: most cells
            return " ".join((element.text or "").split())
        if not any(child.tag in _STRUCTURED for child in element.iterdescendants()):
            # Inline content only: lxml's own text iteration, no walk in Python.
            return " ".join("".join(element.itertext()).split())
    parts: list[str] = []
    _gather(element, parts, skipped)
    return " ".join("".join(parts).split())


def stray_text(scope: Element, read: Iterable[Element] | Mapping[Element, str]) -> str:
    """The text of ``scope`` outside the subtrees already ``read`` (white space collapsed):
    what a template found no place for. ``read`` may map each part to its :func:`text_of`,
    which spares reading it again. Iterates elements only, never long texts."""
    roots = set(read)
    texts = read if isinstance(read, Mapping) else {}
    shown = sum(
        len(text) - text.count(" ") if (text := texts.get(root)) is not None else _chars(root)
        for root in roots
    )
    if _chars(scope) == shown and not _nested(roots, scope):
        # The usual case, decided by lxml's own text iteration: parts that do not overlap
        # hold every printed character (scripts or tails make the counts differ; overlapping
        # parts, counted twice, could hide stray text of the same length: walked below).
        return ""
    inside: set[Element] = set()
    for root in roots:
        inside.update(root.iter())  # the proxies stay alive, so identity holds
    pieces = [scope.text or ""]
    for element in scope.iterdescendants():
        parent = element.getparent()
        if element not in inside and element.tag not in _UNREAD and isinstance(element.tag, str):
            unread_parent = parent is not None and parent.tag in _UNREAD
            if element.text and not unread_parent:
                pieces.append(element.text)
        if element.tail and (element in roots or element not in inside) and parent not in inside:
            pieces.append(element.tail)
    return " ".join(" ".join(pieces).split())


def _nested(roots: set[Element], scope: Element) -> bool:
    """Whether one of these elements (all within ``scope``) lies inside another."""
    for root in roots:
        parent = root.getparent()
        while parent is not None and parent is not scope:
            if parent in roots:
                return True
            parent = parent.getparent()
    return False


def _chars(element: Element) -> int:
    """How many characters other than white space an element's subtree holds."""
    return len("".join("".join(element.itertext()).split()))


class PartsRead:
    """The parts of one card or row a template has read, each with its text, read once."""

    def __init__(self) -> None:
        self.texts: dict[Element, str] = {}

    def text(self, element: Element) -> str:
        """The element's :func:`text_of`; the element counts as read."""
        known = self.texts.get(element)
        if known is None:
            known = self.texts[element] = text_of(element)
        return known

    def add(self, elements: Iterable[Element]) -> None:
        for element in elements:
            self.text(element)

    def leftover(self, scope: Element) -> str:
        """The text of ``scope`` in none of the parts read."""
        return stray_text(scope, self.texts)


def _gather(element: Element, parts: list[str], skip: set[Element]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if child in skip or not isinstance(tag, str) or tag in _UNREAD:
            pass
        elif tag in BLOCK_TAGS:
            parts.append(" ")
            _gather(child, parts, skip)
            parts.append(" ")
        elif len(child):
            _gather(child, parts, skip)
        elif child.text:
            parts.append(child.text)
        if child.tail:
            parts.append(child.tail)


_UNREAD = frozenset({"script", "style", "template"})
_STRUCTURED = BLOCK_TAGS | _UNREAD  # what plain text iteration would get wrong


def site_id_of(url: str | None) -> str | None:
    """The number a virtual site's page URL ends in: '/virtual/2023/poster/71234' -> '71234'."""
    if not url:
        return None
    match = _SITE_ID.search(url.split("?", 1)[0].split("#", 1)[0])
    return match.group(1) if match else None


class HtmlPage:
    """One parsed HTML document; relative links resolve against ``base_url``."""

    def __init__(self, html: str | bytes, base_url: str | None = None) -> None:
        self.data, self.root = parse_html(html)
        self.base_url = base_url
        self.resolve: Callable[[str], str] = link_resolver(self.root, base_url, self.data)
        self.memo: dict[str, object] = {}  # what readers of this page worked out once

    def by_class(self, name: str, tag: str = "*", within: Element | None = None) -> list[Element]:
        """Elements with that class, in document order (within one element, if given)."""
        if name.encode() not in self.data:
            return []  # the cheap test first: most pages lack most classes
        # lxml's iteration (by tag, in C) and a test in Python cost half of libxml2's XPath
        # contains(@class, ...), which copies every attribute it tests.
        match = etree.Element if tag == "*" else tag
        elements = self.root.iter(match) if within is None else within.iterdescendants(match)
        return [element for element in elements if has_class(element, name)]

    def by_classes(self, names: Iterable[str]) -> dict[str, list[Element]]:
        """Elements of each of these classes, in one pass over the document that stops once
        as many were found as the page's source names each class (a header's parts: near
        the top)."""
        found: dict[str, list[Element]] = {name: [] for name in names}
        # A class the source names n times is on at most n elements (its value written with
        # character references is not seen, as by_class's test on the source does not).
        left = {name: count for name in found if (count := self.data.count(name.encode()))}
        for element in self.root.iter(etree.Element):
            if not left:
                break
            classes = element.get("class")
            if not classes:
                continue
            for name in [name for name in left if name in classes]:
                if name in classes.split():
                    found[name].append(element)
                    left[name] -= 1
                    if not left[name]:
                        del left[name]
        return found

    def first_by_class(
        self, name: str, tag: str = "*", within: Element | None = None
    ) -> Element | None:
        found = self.by_class(name, tag, within)
        return found[0] if found else None

    def links(self, elements: Iterable[Element]) -> list[Link]:
        """The links of the anchors in these elements, each URL once, in document order."""
        seen: dict[str, Link] = {}
        for element in elements:
            anchors: Iterator[Element] = (
                iter([element]) if element.tag == "a" else element.iter("a")
            )
            for anchor in anchors:
                link = anchor_link(anchor, self.resolve)
                if link is not None:
                    seen.setdefault(link.url, link)
        return list(seen.values())

    def has_text(self, needle: bytes) -> bool:
        """A cheap test on the raw document before any structure is asked for."""
        return needle in self.data

    def visible_lines(self, without: Iterable[Element] = ()) -> list[VisibleLine]:
        """The page's visible lines, leaving out elements already read (the tree changes)."""
        for element in without:
            parent = element.getparent()
            if parent is not None:
                remove_keeping_tail(element)
        return visible_lines(self.root, self.data, self.resolve)
