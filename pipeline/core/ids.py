"""Identifiers: record ids (stable hashes), slugs, arXiv and OpenReview ids.

Record ids are short hashes of what identifies a record (its normalised title), so they
survive re-runs and lost hyphens. Slugs name datasets and sources. arXiv ids are recognised
in URLs and validated locally: new-style ``YYMM.NNNN`` (2007-2014) or ``YYMM.NNNNN`` (2015
on), optionally followed by ``vN``; old-style ``archive[.SUBJ]/YYMMNNN`` (e.g.
``hep-th/9901001``, ``math.GT/0309136``). OpenReview forum ids are read from forum and
PDF URLs (``openreview.net/forum?id=7HVADbW8fh``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.core.text import normalise_title

_NEW_STYLE = r"(?P<new>\d{4}\.\d{4,5})"
_OLD_STYLE = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
_ID = re.compile(rf"^(?:{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>\d+))?$")
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_PATH = re.compile(r"^/(?:abs|pdf|html|format)/(?P<rest>.+?)(?:\.pdf)?/?$")


class ArxivId(NamedTuple):
    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """``'2012.03107v2'`` -> ``ArxivId('2012.03107', 2)``; None when not a well-formed id."""
    match = _ID.match(text.strip())
    if match is None:
        return None
    base = match.group("new") or match.group("old")
    if match.group("new"):
        month = int(base[2:4])
        digits = len(base.split(".")[1])
        year = int(base[:2])
        if not 1 <= month <= 12 or (digits == 5) != (year >= 15):
            return None
    version = match.group("version")
    return ArxivId(base, int(version) if version else None)


def arxiv_id_from_url(url: str) -> ArxivId | None:
    """The arXiv id an abs/pdf URL points at, or None for any other link."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.hostname not in _ARXIV_HOSTS:
        return None
    match = _PATH.match(parts.path)
    return parse_arxiv_id(match.group("rest")) if match else None


_OPENREVIEW_HOSTS = {"openreview.net", "www.openreview.net", "api.openreview.net"}
_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_\-]{4,40}$")


def openreview_id_from_url(url: str) -> str | None:
    """The forum id an OpenReview forum or PDF URL names (``/forum?id=7HVADbW8fh``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.hostname not in _OPENREVIEW_HOSTS or parts.path.rstrip("/") not in {
        "/forum",
        "/pdf",
        "/attachment",
    }:
        return None
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if key in {"id", "noteId"} and _OPENREVIEW_ID.match(value):
            return value
    return None


def first_openreview_id(urls: Iterable[str]) -> str | None:
    """The forum id of the first OpenReview link among ``urls``."""
    return next((found for url in urls if (found := openreview_id_from_url(url))), None)


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def is_slug(name: str) -> bool:
    """Lower-case letters, digits and '-', starting with a letter or digit (whole string)."""
    return _SLUG.fullmatch(name) is not None


def slugify(text: str, default: str = "") -> str:
    """A dataset or source name from any text: lower-case letters, digits and '-'."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or default


def sha256_bytes(data: bytes) -> str:
    """The content address of a snapshot or an output file."""
    return hashlib.sha256(data).hexdigest()


def short_hash(*parts: str, length: int = 12) -> str:
    """A stable hex digest of the parts (used for record ids)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def title_key_id(prefix: str, title: str) -> str:
    """A record id derived from the normalised title: survives lost hyphens and re-runs."""
    return f"{prefix}-{short_hash(normalise_title(title))}"


def disambiguate(ids: list[str]) -> list[str]:
    """Make ids unique in order: the second 'x' becomes 'x-2', the third 'x-3'."""
    seen: dict[str, int] = {}
    result = []
    for record_id in ids:
        seen[record_id] = seen.get(record_id, 0) + 1
        result.append(record_id if seen[record_id] == 1 else f"{record_id}-{seen[record_id]}")
    return result
