"""An HTML page parsed once, for the page templates to read by structure.

Templates ask for elements by class (:meth:`HtmlPage.by_class`) and read their text as a
reader sees it (:func:`text_of`); the line grammar, when no template knows the page, gets
the page's visible lines (:meth:`HtmlPage.visible_lines`), without what a template already
read from the page's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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

__all__ = ["Element", "HtmlPage", "class_test", "has_class", "site_id_of", "text_of"]

# lxml ships no type information: its elements are typed loosely on purpose.
Element = Any

_SITE_ID = re.compile(r"(\d+)/?$")


def class_test(name: str) -> str:
    """An XPath test for an element carrying the class ``name`` (among others)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def has_class(element: Element, name: str) -> bool:
    return name in str(element.get("class") or "").split()


def text_of(element: Element) -> str:
    """An element's text as a reader sees it: blocks apart, white space collapsed."""
    parts: list[str] = []
    _gather(element, parts)
    return " ".join("".join(parts).split())


def _gather(element: Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag in BLOCK_TAGS:
            parts.append(" ")
            _gather(child, parts)
            parts.append(" ")
        elif isinstance(child.tag, str) and child.tag not in {"script", "style", "template"}:
            _gather(child, parts)
        if child.tail:
            parts.append(child.tail)


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
        self.resolve: Callable[[str], str] = link_resolver(self.root, base_url)
        self.memo: dict[str, object] = {}  # what readers of this page worked out once

    def by_class(self, name: str, tag: str = "*", within: Element | None = None) -> list[Element]:
        """Elements with that class, in document order (within one element, if given)."""
        scope = ".//" if within is not None else "//"
        found: list[Element] = (within if within is not None else self.root).xpath(
            f"{scope}{tag}[{class_test(name)}]"
        )
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
