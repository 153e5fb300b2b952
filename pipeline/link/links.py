"""A paper's links, each with what it leads to, from every place the paper appeared.

What a link is comes from small ordered rules over its URL first (hosts and paths say more
than labels), then its label; the first rule that answers wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from pipeline.core.ids import arxiv_id_from_url
from pipeline.models import Link, LinkKind, PaperLink

_CODE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "colab.research.google.com"}
)
_VIDEO_HOSTS = frozenset({"youtube.com", "youtu.be", "vimeo.com", "slideslive.com", "bilibili.com"})
_PDF_PATH = re.compile(r"(?:\.pdf$|/pdf/)", re.IGNORECASE)
_LABEL_RULES: tuple[tuple[re.Pattern[str], LinkKind], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), kind)
    for words, kind in (
        ("code|github|repo|implementation", LinkKind.code),
        ("pdf", LinkKind.pdf),
        ("project|website|page|blog|homepage|demo", LinkKind.project),
        ("video|talk|slides", LinkKind.video),
        ("paper|arxiv|openreview|doi|proceedings", LinkKind.paper),
    )
)

KindRule = Callable[[str, str, str], LinkKind | None]  # (host, path, label) -> kind


def _parts(url: str) -> tuple[str, str, str]:
    """Host (without 'www.' or 'm.'), path and query; empty for a URL that does not split."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "", "", ""
    return host.lower().removeprefix("www.").removeprefix("m."), parts.path, parts.query


def arxiv_rule(host: str, path: str, label: str) -> LinkKind | None:
    """arxiv.org: a PDF when its path says so, else the abstract page."""
    if host.endswith("arxiv.org"):
        return LinkKind.pdf if _PDF_PATH.search(path) else LinkKind.arxiv
    return None


def openreview_rule(host: str, path: str, label: str) -> LinkKind | None:
    if host.endswith("openreview.net"):
        return LinkKind.pdf if path.startswith("/pdf") else LinkKind.openreview
    return None


def code_host_rule(host: str, path: str, label: str) -> LinkKind | None:
    """A repository host; github.io pages are projects, not code."""
    if host.endswith("github.io"):
        return LinkKind.project
    return LinkKind.code if host in _CODE_HOSTS else None


def video_host_rule(host: str, path: str, label: str) -> LinkKind | None:
    return LinkKind.video if host in _VIDEO_HOSTS else None


def pdf_path_rule(host: str, path: str, label: str) -> LinkKind | None:
    return LinkKind.pdf if _PDF_PATH.search(path) else None


def label_rule(host: str, path: str, label: str) -> LinkKind | None:
    """What the link's text says, for hosts that say nothing."""
    return next((kind for pattern, kind in _LABEL_RULES if pattern.search(label)), None)


KIND_RULES: tuple[KindRule, ...] = (
    arxiv_rule,
    openreview_rule,
    code_host_rule,
    video_host_rule,
    pdf_path_rule,
    label_rule,
)


def link_kind(link: Link) -> LinkKind:
    """What ``link`` leads to: the first rule of :data:`KIND_RULES` that answers."""
    host, path, _ = _parts(link.url)
    return next(
        (kind for rule in KIND_RULES if (kind := rule(host, path, link.label)) is not None),
        LinkKind.other,
    )


def _same_url(url: str) -> str:
    """URLs that differ only in scheme, a 'www.', a trailing slash or an arXiv version are
    one link."""
    host, path, query = _parts(url)
    arxiv = arxiv_id_from_url(url)
    if arxiv is not None:
        return f"arxiv:{'pdf' if _PDF_PATH.search(path) else 'abs'}:{arxiv.base}"
    if not host:
        return url
    return f"{host}{path.rstrip('/')}" + (f"?{query}" if query else "")


def paper_links(links: Iterable[Link]) -> list[PaperLink]:
    """Every link once (the first seen of each URL, its label as written), typed."""
    seen: dict[str, PaperLink] = {}
    for link in links:
        seen.setdefault(
            _same_url(link.url), PaperLink(kind=link_kind(link), url=link.url, label=link.label)
        )
    return list(seen.values())
