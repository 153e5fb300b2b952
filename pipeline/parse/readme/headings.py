"""Headings: which sections of a README hold papers, and the topic, year and section they give.

A paper list's headings name its topics ('## Vision', '### Empirical Study: 2024'); some
name what is not papers: a table of contents under any name, and the tools, courses, blogs,
workshops, news, star history, citation, contact and contributing sections. Those hold no
cards and no warnings, and so do their sub-sections (a '## Robustness Toolboxes' under
'# Toolboxes'); a table of contents covers only its own list (lists often put every topic
under a '# Table of Contents' heading by mistake of level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Literal

from pipeline.core.text import normalise_title


def squash_spaces(text: str) -> str:
    """Same result as :func:`pipeline.core.text.collapse_spaces` (both split on ``str.isspace``,
    NBSP included), five times faster: it runs on every one of ~500 long digests."""
    return " ".join(text.split())


# 'Empirical Study: 2024', 'Deep Double Descent 2022', '2019': a topic prefix, then a year.
_YEAR_HEADING = re.compile(r"^(?:(?P<prefix>.*?\S)(?:\s*[:\-–—]\s*|\s+))?(?P<year>(?:19|20)\d{2})$")
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")

# The whole heading (normalised) names a table of contents.
_CONTENTS = frozenset(
    {
        "contents",
        "content",
        "table of contents",
        "table of content",
        "toc",
        "menu",
        "quick links",
        "quick link",
        "navigation",
        "outline",
        "index",
    }
)
# The whole heading names what is not papers.
_NOT_PAPERS = frozenset(
    {
        "resources",
        "related resources",
        "other resources",
        "contributing",
        "contribute",
        "how to contribute",
        "contribution",
        "contributions",
        "contributors",
        "citation",
        "citations",
        "cite",
        "cite us",
        "cite this",
        "how to cite",
        "citing",
        "bibtex",
        "contact",
        "contact us",
        "contacts",
        "acknowledgement",
        "acknowledgements",
        "acknowledgment",
        "acknowledgments",
        "license",
        "licence",
        "star history",
        "stargazers",
        "stars",
        "sponsors",
        "faq",
        "changelog",
        "news",
        "latest news",
        "updates",
        "update",
        "what s new",
        "whats new",
        "todo",
        "about",
    }
)
# The last word of a heading that names what is not papers ('LLM Training Frameworks').
_NOT_PAPER_NOUNS = frozenset(
    {"tools", "toolbox", "toolboxes", "toolkit", "toolkits", "libraries", "frameworks"}
    | {"software", "packages", "codebases", "repositories", "repos", "projects", "courses"}
    | {"tutorial", "tutorials", "lectures", "notebooks", "blogs", "posts", "workshops"}
    | {"talks", "seminars", "videos", "podcasts", "books", "leaderboard", "leaderboards"}
    | {"lists", "resource", "resources", "websites", "demos"}
)


class HeadingRole(Enum):
    papers = "papers"
    contents = "contents"  # navigation: its own list only
    not_papers = "not_papers"  # tools, courses, news...: its sub-sections too


def heading_words(text: str) -> str:
    """A heading as compared: emoji, shortcodes, numbering and punctuation off, lower case."""
    text = _SHORTCODE.sub(" ", text)
    words = normalise_title(text).split()
    while len(words) > 1 and words[0].isdigit():
        words = words[1:]  # '1. Surveys', '2.3 Methods'
    return " ".join(words)


@lru_cache(maxsize=4096)
def heading_role(text: str) -> HeadingRole:
    """What a heading's section holds, from its words alone."""
    words = heading_words(text)
    if words in _CONTENTS:
        return HeadingRole.contents
    if words in _NOT_PAPERS or (words and words.split()[-1] in _NOT_PAPER_NOUNS):
        return HeadingRole.not_papers
    return HeadingRole.papers


def is_excluded_heading(text: str) -> bool:
    """Headings whose lists are navigation or resources, never papers (ToC, Tools...)."""
    return heading_role(text) is not HeadingRole.papers


def is_document_title(text: str, level: int, title_seen: bool) -> bool:
    """The first '#' heading names the document ('Awesome Video Tools' too), unless it is a
    section heading of its own ('# Table of Contents', '# Resources')."""
    if title_seen or level != 1:
        return False
    words = heading_words(text)
    return words not in _CONTENTS and words not in _NOT_PAPERS


# --------------------------------------------------------------------------- years


@dataclass(frozen=True)
class YearHeading:
    """A heading that names a year, with the topic written before it ('' when none)."""

    prefix: str
    year: int


def year_heading(text: str) -> YearHeading | None:
    """``'Empirical Study: 2024'`` -> ``YearHeading('Empirical Study', 2024)``."""
    match = _YEAR_HEADING.match(squash_spaces(text))
    if match is None:
        return None
    return YearHeading(match.group("prefix") or "", int(match.group("year")))


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    is_title: bool = False


@dataclass(frozen=True)
class HeadingContext:
    """Where a block sits: under a topic (papers), an excluded heading (navigation, tools:
    silently skipped), or no heading but the title ('outside')."""

    kind: Literal["topic", "excluded", "outside"]
    section: str | None = None
    topic: str | None = None
    year: int | None = None

    @property
    def excluded(self) -> bool:
        return self.kind == "excluded"


def heading_context(stack: list[Heading]) -> HeadingContext:
    """Topic, year and section for a block under these headings (outermost first).

    The innermost heading, and every outer one that names what is not papers, decide
    whether the block is excluded. The year and its topic prefix come from the nearest
    'Topic: Year' heading; without a prefix ('### 2019') the topic is the outermost plain
    heading, never the document title.
    """
    if not stack or stack[-1].is_title:
        return HeadingContext("outside")
    innermost = stack[-1]
    if heading_role(innermost.text) is not HeadingRole.papers or any(
        not heading.is_title and heading_role(heading.text) is HeadingRole.not_papers
        for heading in stack[:-1]
    ):
        return HeadingContext("excluded")
    year: int | None = None
    prefix = ""
    for heading in reversed(stack):
        parsed = year_heading(heading.text)
        if parsed is not None:
            year, prefix = parsed.year, parsed.prefix
            break
    topic: str | None = prefix or None
    if topic is None:
        for heading in stack:
            if (
                not heading.is_title
                and heading_role(heading.text) is HeadingRole.papers
                and year_heading(heading.text) is None
            ):
                topic = heading.text
                break
    return HeadingContext("topic", section=innermost.text, topic=topic, year=year)


def push_heading(stack: list[Heading], heading: Heading) -> None:
    """Put a heading on the stack of open headings, closing those at its level or deeper."""
    while stack and stack[-1].level >= heading.level:
        stack.pop()
    stack.append(heading)
