"""Venues and years as paper lists write them.

``*ICLR 2020*``, ``NeurIPS'21``, ``(*Venue'YY*)``, ``[Venue Year]``, ``**[Venue' YY]**``,
``(2016)``, ``(2023-05)``, ``arXiv 2023.05``, and shields.io badges whose label names the
venue (``img.shields.io/badge/ICLR-2024-blue``). A venue is kept as written (markup off);
its year is read from it when nothing else gives one.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

# A four-digit year, or a two-digit one after an apostrophe ('21, ’21, ' 21).
_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?!\d)")
_SHORT_YEAR = re.compile(r"['’‘`]\s?(?P<yy>\d{2})(?!\d)")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# '2016', '2023-05', '2023.05.01', '16 Oct 2023', 'Oct 2023', 'October 16, 2023'
_DATE_ONLY = re.compile(
    rf"^(?:(?:19|20)\d{{2}}(?:[\-./](?:0?[1-9]|1[0-2])(?:[\-./]\d{{1,2}})?)?"
    rf"|(?:\d{{1,2}}\s+)?{_MONTH}\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d{{2}})$",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[A-Za-z]*[A-Z][A-Za-z]*[A-Z][\w&\-]*$")
# Words that name a venue wherever they stand (lower case): kinds of venue, publishers, and
# the machine-learning venues lists cite most.
_VENUE_WORDS = frozenset(
    {
        "arxiv",
        "preprint",
        "openreview",
        "journal",
        "transactions",
        "conference",
        "proceedings",
        "workshop",
        "symposium",
        "findings",
        "magazine",
        "letters",
        "nature",
        "science",
        "ieee",
        "acm",
        "springer",
        "elsevier",
        "pmlr",
    }
    | {"iclr", "icml", "neurips", "nips", "cvpr", "iccv", "eccv", "wacv", "bmvc", "acl"}
    | {"emnlp", "naacl", "eacl", "aacl", "coling", "tacl", "lrec", "aaai", "ijcai", "kdd"}
    | {"www", "sigir", "wsdm", "cikm", "icde", "vldb", "sigmod", "tpami", "tkde", "tnnls"}
    | {"jmlr", "tmlr", "tip", "tog", "siggraph", "icassp", "interspeech", "miccai", "colt"}
    | {"aistats", "uai", "icra", "iros", "corl", "rss", "mlsys", "osdi", "usenix", "ccs"}
    | {"fat", "facct", "icdm", "sdm", "ecml", "pakdd", "ijcv", "pnas", "cell", "jair", "aij"}
    | {"neurocomputing", "ijcnn", "icann", "miccai", "isbi", "midl", "chi", "uist", "mm"}
    | {"icme", "ismir", "ecai", "aamas", "icaps", "kr", "ndss", "sp", "asplos", "isca"}
)
MAX_TAG_WORDS = 8
MAX_TAG_CHARS = 60
_SHIELDS_HOSTS = frozenset({"img.shields.io", "shields.io", "badgen.net"})
# Badges that are about the repository, not the paper.
_REPOSITORY_BADGES = frozenset({"github", "stars", "forks", "license", "last commit", "watchers"})


class VenueYear(NamedTuple):
    venue: str | None
    year: int | None


def _century(yy: int) -> int:
    """'21 -> 2021, '98 -> 1998 (two-digit years up to next year are this century's)."""
    return 2000 + yy if yy <= (date.today().year % 100) + 1 else 1900 + yy


def year_in(text: str | None) -> int | None:
    """The year a venue or date names: 'ICLR 2020', 'NeurIPS'21', '2023-05', 'arXiv 2023.05'."""
    if not text:
        return None
    match = _YEAR.search(text)
    if match is not None:
        return int(match.group(0))
    short = _SHORT_YEAR.search(text)
    return _century(int(short.group("yy"))) if short is not None else None


def is_date(text: str) -> bool:
    """'2016', '2023-05', '2023.05.01': a date and nothing else."""
    return _DATE_ONLY.match(text.strip()) is not None


def _tag_words(text: str) -> list[str] | None:
    tag = " ".join(text.split()).strip(" .,;:")
    if not tag or len(tag) > MAX_TAG_CHARS:
        return None
    words = re.split(r"[\s'’‘`/&\-]+", tag)
    return [word for word in words if word] if len(words) <= MAX_TAG_WORDS else None


def looks_like_venue(text: str) -> bool:
    """A short text naming a venue or a date: 'NeurIPS'21', 'ICML 2020 Workshop', 'TPAMI',
    'arXiv 2023.05', 'Nature Machine Intelligence', '2016'; not 'LLMs' or 'Eval tools'."""
    words = _tag_words(text)
    if not words:
        return False
    if year_in(text) is not None:
        return True
    return any(word.casefold().strip(".,()") in _VENUE_WORDS for word in words)


def is_venue_tag(text: str) -> bool:
    """A bracket after a title that is no part of it: a date ('(2016)') or a known venue
    ('(ICLR 2020)'); '(Volume 6, February 2022)' or '(LLMs)' belong to the title."""
    words = _tag_words(text)
    if not words:
        return False
    numeric_date = is_date(text) and not re.search(r"[a-z]", text, re.IGNORECASE)
    return numeric_date or any(word.casefold().strip(".,()") in _VENUE_WORDS for word in words)


def looks_like_leading_tag(text: str) -> bool:
    """What a bracket in front of a title may hold: a venue or date, or an acronym alone
    ('(*TKDE*) Title'); inside or after a title, '(LLMs)' is part of it."""
    words = _tag_words(text)
    if not words:
        return False
    return looks_like_venue(text) or (len(words) <= 4 and all(_ACRONYM.match(w) for w in words))


def venue_and_year(text: str) -> VenueYear:
    """A tag as a venue and its year: '2016' is a year alone, 'ICLR 2020' both."""
    tag = " ".join(text.split()).strip(" .,;:")
    year = year_in(tag)
    if is_date(tag):
        return VenueYear(None, year)
    return VenueYear(tag or None, year)


def badge_venue(url: str, alt: str = "") -> VenueYear | None:
    """The venue a shields.io badge names: '.../badge/ICLR-2024-blue' -> ('ICLR 2024', 2024).

    Badges about the repository (stars, forks, licence) name no venue.
    """
    parts = urlsplit(url)
    if (parts.hostname or "") not in _SHIELDS_HOSTS:
        return None
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if len(segments) < 2 or segments[0] not in ("badge", "static"):
        return None
    # badge content: 'label-message-color', '-' escaped as '--', '_' as '__' or a space
    body = segments[1].rsplit(".", 1)[0] if segments[1].endswith((".svg", ".png")) else segments[1]
    escaped = body.replace("--", "\0").replace("__", "\1")
    fields = [
        field.replace("_", " ").replace("\0", "-").replace("\1", "_")
        for field in escaped.split("-")
    ]
    words = [field.strip() for field in fields[:-1] if field.strip()] or [alt.strip()]
    text = " ".join(words).strip()
    if not text or text.casefold() in _REPOSITORY_BADGES or not looks_like_leading_tag(text):
        return None
    return venue_and_year(text)
