"""Identifiers: record ids (stable hashes), slugs, arXiv and OpenReview ids.

Record ids are short hashes of what identifies a record (its normalised title), so they
survive re-runs and lost hyphens. Slugs name datasets and sources. arXiv ids are recognised
in URLs and validated locally by arXiv's own rules: new-style ``YYMM.NNNN`` (2007-04 to
2014) or ``YYMM.NNNNN`` (2015 on), optionally followed by ``vN``; old-style
``archive[.SUBJ]/YYMMNNN`` (e.g. ``hep-th/9901001``, ``math.GT/0309136``). OpenReview forum
ids are read from forum and PDF URLs (``openreview.net/forum?id=7HVADbW8fh``). Names
(:func:`check_name`) are checked once for every dataset, source and file name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.core.errors import PipelineError
from pipeline.core.text import normalise_title

# arXiv's identifier scheme (https://info.arxiv.org/help/arxiv_identifier.html):
# old style 'archive[.SC]/YYMMNNN' from 1991-08 to 2007-03, with the archives of that time;
# new style 'YYMM.NNNN' from 2007-04 to 2014-12 and 'YYMM.NNNNN' from 2015-01; numbers start
# at 1 and versions at 1.
OLD_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th",
        "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
        "quant-ph", "solv-int", "supr-con",
    }
)  # fmt: skip
_NEW_STYLE = r"(?P<new>(?P<yymm>\d{4})\.(?P<number>\d{4,5}))"
_OLD_STYLE = (
    r"(?P<old>(?P<archive>[a-z][a-z\-]*)(?:\.[A-Z]{2})?/(?P<oldyymm>\d{4})(?P<oldnumber>\d{3}))"
)
_ID = re.compile(rf"^(?:{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>\d+))?$")
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_PATH = re.compile(r"^/(?:abs|pdf|html|format)/(?P<rest>.+?)(?:\.pdf)?/?$")


class ArxivId(NamedTuple):
    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def _new_style_ok(yymm: str, number: str) -> bool:
    year, month = int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12 or int(number) == 0 or (year, month) < (7, 4):
        return False
    return (len(number) == 5) == (year >= 15)


def _old_style_ok(archive: str, yymm: str, number: str) -> bool:
    year, month = int(yymm[:2]), int(yymm[2:])
    # Two-digit years: 91-99 are the 1990s, 00-07 the 2000s.
    full_year = 1900 + year if year >= 91 else 2000 + year
    in_range = (1991, 8) <= (full_year, month) <= (2007, 3)
    return archive in OLD_ARCHIVES and 1 <= month <= 12 and in_range and int(number) > 0


def parse_arxiv_id(text: str) -> ArxivId | None:
    """``'2012.03107v2'`` -> ``ArxivId('2012.03107', 2)``; None unless arXiv's own rules
    allow the id (archive, month 01-12, number and version ranges)."""
    match = _ID.match(text.strip())
    if match is None:
        return None
    if match.group("new"):
        valid = _new_style_ok(match.group("yymm"), match.group("number"))
    else:
        valid = _old_style_ok(
            match.group("archive"), match.group("oldyymm"), match.group("oldnumber")
        )
    version = match.group("version")
    if not valid or (version is not None and int(version) < 1):
        return None
    base = match.group("new") or match.group("old")
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
MAX_NAME_LENGTH = 64
# Names a dataset or source may not take: the linked papers dataset, the LATEST pointer (on
# a case-insensitive file system), and the device names Windows will not create.
RESERVED_NAMES = frozenset(
    {"papers", "latest", "con", "prn", "aux", "nul"}
    | {f"{device}{n}" for device in ("com", "lpt") for n in range(1, 10)}
)


def is_slug(name: str) -> bool:
    """Lower-case letters, digits and '-', starting with a letter or digit (whole string)."""
    return _SLUG.fullmatch(name) is not None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a dataset, source or file under processed/ or raw/, or None."""
    if not is_slug(name):
        return "use lower-case letters, digits and '-', starting with a letter or digit"
    if len(name) > MAX_NAME_LENGTH:
        return f"{len(name)} characters; at most {MAX_NAME_LENGTH}"
    if name in RESERVED_NAMES:
        return "a reserved name" + (" (the linked papers dataset)" if name == "papers" else "")
    return None


def check_name(name: str, what: str = "name") -> str:
    """The one check of every user- or URL-given dataset, source and file name: ``name``
    itself, or a one-line PipelineError saying why not (exit 2 on the command line)."""
    problem = name_problem(name)
    if problem is not None:
        raise PipelineError(f"{what} {_shown_name(name)}: {problem}")
    return name


def _shown_name(name: str) -> str:
    shown = repr(name)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def slugify(text: str, default: str = "") -> str:
    """A dataset or source name from any text: lower-case letters, digits and '-', cut to
    :data:`MAX_NAME_LENGTH`."""
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")[:MAX_NAME_LENGTH].strip("-")
    return slug or default


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
