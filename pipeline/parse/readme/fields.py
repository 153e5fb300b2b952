"""Field splitting shared by the README parsers (markdown and page text).

Both parsers reduce a card to the same plain-text pieces (title line, sub-item lines) and hand
them to these functions, so a title, an author list or a venue can only be read one way.
Nothing here knows about markdown or about the page layout.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from enum import Enum

from pipeline.parse.readme.authors import Names, is_initial, split_names
from pipeline.parse.readme.headings import squash_spaces

# --------------------------------------------------------------------------- title line

# The page text keeps link labels as '[paper] [code]' after the title; markdown drops them.
_TRAILING_LABELS = re.compile(r"(?:\s*\[[^\[\]]{1,30}\])+[\s\\]*$")
_PAPER_LABEL = re.compile(r"^\[*\s*paper\s*\]*$", re.IGNORECASE)


def strip_trailing_labels(text: str) -> tuple[str, list[str]]:
    """Split visible link labels off the end of a title line: ('T. [paper]', ) -> ('T.', [...])."""
    match = _TRAILING_LABELS.search(text)
    if match is None:
        return text, []
    labels = re.findall(r"\[([^\[\]]*)\]", match.group(0))
    return text[: match.start()], [label.strip() for label in labels]


def link_label(link_text: str) -> str:
    """The label of a card link as written, without its brackets: '[paper]' -> 'paper'."""
    return squash_spaces(link_text).strip("[] ") or "link"


def is_paper_label(label: str) -> bool:
    return _PAPER_LABEL.match(label.strip()) is not None


def clean_title(text: str) -> str:
    """Collapse white space and drop the one trailing period (keep '?' and '!').

    A trailing backslash (a markdown line break left at the end of the line) goes too.
    """
    title = squash_spaces(text).rstrip("\\ ")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


# --------------------------------------------------------------------------- sub-items


class SubItemKind(Enum):
    authors = "authors"  # labelled: '<details><summary>Author List</summary> ...'
    keywords = "keywords"
    digest = "digest"
    other = "other"  # unlabelled: the authors, or an early digest (decided by position)


# 'Key Word:', 'Keywords:', and the typos the README carried ('Key Wrod:', 'Key Work:').
_KEYWORDS_LABEL = re.compile(r"^key[\s\-]*w[a-z]{2,4}s?\s*:\s*", re.IGNORECASE)
# The page text shows '<summary>Digest</summary> x' as 'Digest x': the colon is optional.
_DIGEST_LABEL = re.compile(r"^digest\b\s*:?\s*", re.IGNORECASE)
_AUTHORS_LABEL = re.compile(r"^author(?:s|\s+list)(?:\s*:\s*|\s+|$)", re.IGNORECASE)
_LABELS = (
    (SubItemKind.keywords, _KEYWORDS_LABEL),
    (SubItemKind.digest, _DIGEST_LABEL),
    (SubItemKind.authors, _AUTHORS_LABEL),
)
_DETAILS = re.compile(
    r"^<details\b[^>]*>\s*(?:<summary\b[^>]*>(?P<summary>.*?)</summary\s*>)?",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"</?(?P<name>[A-Za-z][\w-]*)?[^<>]*>")
# Tags inside a line of text: removed without a space, as a browser shows '<b>x</b>.' as 'x.'.
_INLINE_TAGS = frozenset(
    {"a", "b", "i", "em", "strong", "code", "span", "sub", "sup", "u", "s", "small", "mark"}
)


def _tag_gap(match: re.Match[str]) -> str:
    return "" if (match.group("name") or "").lower() in _INLINE_TAGS else " "


def strip_html(text: str) -> str:
    """Text without tags and entities, white space collapsed."""
    if "<" in text:
        text = _TAG.sub(_tag_gap, text)
    if "&" in text:
        text = html.unescape(text)
    return squash_spaces(text)


_DETAILS_PARTS = re.compile(
    r"<summary\b[^>]*>(?P<summary>.*?)</summary\s*>|(?P<end></details\s*>)",
    re.IGNORECASE | re.DOTALL,
)


def details_summaries(html_text: str) -> list[str | None]:
    """The '<summary>' texts and '</details>' (None) of an HTML block, in order: outside a
    list item they head the blocks that follow, as sub-headings ('Survey: 2022')."""
    return [
        None if match.group("end") else strip_html(match.group("summary"))
        for match in _DETAILS_PARTS.finditer(html_text)
    ]


def split_label(text: str) -> tuple[SubItemKind, str]:
    """The kind of a card's sub-bullet and its body without the label.

    Works on markdown source ('Key Word: ...', '<details><summary>Digest</summary> ...') and on
    page text, where the same labels show as 'Key Word: ...' and 'Digest ...'.
    """
    stripped = text.strip()
    details = _DETAILS.match(stripped)
    if details is not None:
        body = strip_html(stripped[details.end() :])
        summary = strip_html(details.group("summary") or "")
        for kind, label in _LABELS:
            match = label.match(summary)
            if match is not None and match.end() == len(summary):
                return kind, body
        return SubItemKind.digest, body  # a folded text under another summary is prose
    for kind, label in _LABELS:
        match = label.match(stripped)
        if match is not None:
            return kind, stripped[match.end() :]
    return SubItemKind.other, stripped


def split_keywords(body: str) -> list[str]:
    """'A; B.' -> ['A', 'B']: split on ';', trailing periods off, empties dropped."""
    keywords = []
    for part in body.split(";"):
        keyword = squash_spaces(part).rstrip(".").strip()
        if keyword:
            keywords.append(keyword)
    return keywords


def clean_digest(body: str) -> str | None:
    """Digest text without HTML tags or entities; None when empty."""
    return strip_html(body) or None


# --------------------------------------------------------------------------- authors / venue

_BARE_VENUE = re.compile(r"\s(?P<venue>[A-Z][\w/&\-]*[A-Z][\w/&\-]*\s+(?:19|20)\d{2})$")
_HAS_WORD_CHAR = re.compile(r"\w")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_LITERAL_ITALIC = re.compile(r"\s(?P<mark>[*_])(?P<venue>[^*_\s](?:[^*_]*[^*_\s])?)(?P=mark)\.?$")


def _is_acronym(token: str) -> bool:
    """'JMLR', 'NeurIPS', 'MLSys': mostly capitals; 'McDonald', 'LeCun' are names."""
    letters = [ch for ch in token if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    return capitals >= 2 and 2 * capitals >= len(letters)


def _looks_like_venue(text: str) -> bool:
    """Shape of a venue written after an initial-like word ('Weinan E. JMLR'): a year or an
    acronym, where a surname ('Daniel A. Roberts') has neither."""
    tokens = text.split()
    return any(_YEAR.fullmatch(token) or _is_acronym(token) for token in tokens)


def _venue_split_point(text: str) -> int | None:
    """Index of the '. ' that ends the author list, or None when the text has no venue."""
    position = len(text)
    while True:
        position = text.rfind(". ", 0, position)
        if position < 0:
            return None
        before = text[:position].rsplit(None, 1)
        if not before:
            return None
        if not is_initial(before[-1]):
            return position
        # After an initial the '. ' usually sits inside a name ('Jordan T. Ash'); it ends the
        # authors only when a venue-shaped text follows (a one-letter surname: 'Weinan E.').
        remainder = text[position + 2 :]
        if "," not in remainder and _looks_like_venue(remainder):
            return position


def split_authors_venue(text: str, italic_venue: str | None = None) -> tuple[Names, str | None]:
    """Authors and venue of a card's author line, from its plain text.

    ``italic_venue`` is the text of a trailing ``*Venue*`` when the caller saw markdown; it wins
    over the text rules, which are what the page text (italics lost) has to rely on:
    the venue follows the last '. ' that does not close an initial ('Jordan T. Ash'), or is a
    trailing 'ACRONYM YEAR' written without the period.
    """
    line = squash_spaces(text)
    if italic_venue is None:
        literal = _LITERAL_ITALIC.search(line)
        if literal is not None:  # '*Venue*' left as text (inside HTML, or in the page text)
            line = line[: literal.start()] + " " + literal.group("venue")
            italic_venue = literal.group("venue")
    if italic_venue is not None:
        venue = squash_spaces(italic_venue)
        ending = line.rstrip(" .")
        if venue and ending.endswith(venue):
            authors = split_names(ending[: -len(venue)].rstrip(" ."))
            return authors, venue if _HAS_WORD_CHAR.search(venue) else None
    line = line.rstrip()
    head = line.rstrip(".").rstrip()
    split = _venue_split_point(head)
    if split is not None:
        venue = head[split + 2 :].strip()
        if venue and "," not in venue:
            return split_names(head[:split]), venue if _HAS_WORD_CHAR.search(venue) else None
    bare = _BARE_VENUE.search(head)
    if bare is not None:
        return split_names(head[: bare.start()]), bare.group("venue")
    return split_names(line), None


# --------------------------------------------------------------------------- the whole card


@dataclass
class CardFields:
    """The text fields of one card, as :func:`read_sub_items` reads them from its sub-bullets."""

    authors: list[str] = field(default_factory=list)
    et_al: bool = False
    venue: str | None = None
    keywords: list[str] = field(default_factory=list)
    digest: str | None = None


@dataclass(frozen=True)
class SubItem:
    """One sub-bullet as a parser sees it: its text, plus the italic venue hint if known."""

    text: str
    italic_venue: str | None = None


def read_sub_items(items: list[SubItem]) -> CardFields:
    """Assign sub-bullets to fields: labelled ones by label, the first other one is the authors,
    a later unlabelled one the digest (early versions of the list wrote it without a label)."""
    fields = CardFields()
    authors_from: SubItemKind | None = None
    digests: list[str] = []
    for item in items:
        kind, body = split_label(item.text)
        if kind is SubItemKind.keywords:
            fields.keywords.extend(split_keywords(body))
        elif kind is SubItemKind.digest or (kind is SubItemKind.other and authors_from is not None):
            digest = clean_digest(body)
            if digest and (kind is SubItemKind.digest or not digests):
                digests.append(digest)
        elif authors_from is None or kind is SubItemKind.authors:
            # an explicit 'Author List' wins over an unlabelled line taken for the authors
            authors_from = kind
            hint = item.italic_venue if kind is SubItemKind.other else None
            (fields.authors, fields.et_al), fields.venue = split_authors_venue(
                strip_html(body), hint
            )
    fields.digest = " ".join(digests) if digests else None
    return fields


# --------------------------------------------------------------------------- warnings and tokens

SNIPPET_LENGTH = 80


def snippet(text: str) -> str:
    """A short, one-line quote of what a warning is about."""
    text = squash_spaces(text)
    return text if len(text) <= SNIPPET_LENGTH else text[: SNIPPET_LENGTH - 1] + "…"
