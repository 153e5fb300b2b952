"""Links of a paper entry: what each points at, and the arXiv id they give.

A link is a paper (arXiv, OpenReview, ACL Anthology, a DOI, a proceedings page, a PDF), code
(GitHub, GitLab, Hugging Face models), a video or post (YouTube, Twitter, Medium...), an
in-page anchor, or another page. An entry whose only link is code or a post names a tool or
an article, not a paper; an arXiv id also comes from ``arXiv:XXXX.XXXXX`` written as text.
"""

from __future__ import annotations

import re
from enum import Enum
from urllib.parse import urlsplit

from pipeline.core.ids import ArxivId, arxiv_id_from_url, parse_arxiv_id
from pipeline.models import Link
from pipeline.parse.readme.headings import squash_spaces


class LinkKind(Enum):
    paper = "paper"
    code = "code"
    post = "post"  # videos, social media, blog platforms, slides, notebooks
    anchor = "anchor"  # '#section', './#section': navigation within the page
    page = "page"  # any other page: a project page, a lab's site...


_PAPER_HOSTS = (
    "arxiv.org",
    "openreview.net",
    "aclanthology.org",
    "aclweb.org",
    "doi.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "link.springer.com",
    "sciencedirect.com",
    "nature.com",
    "science.org",
    "papers.nips.cc",
    "proceedings.neurips.cc",
    "proceedings.mlr.press",
    "mlr.press",
    "jmlr.org",
    "openaccess.thecvf.com",
    "thecvf.com",
    "ecva.net",
    "ojs.aaai.org",
    "aaai.org",
    "ijcai.org",
    "semanticscholar.org",
    "researchgate.net",
    "biorxiv.org",
    "medrxiv.org",
    "ssrn.com",
    "pnas.org",
    "cell.com",
    "wiley.com",
    "tandfonline.com",
    "mdpi.com",
    "frontiersin.org",
    "iopscience.iop.org",
    "usenix.org",
    "paperswithcode.com",
    "hal.science",
    "academic.oup.com",
    "jstor.org",
    "scholar.archive.org",
)
_CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "gitee.com",
    "huggingface.co",
    "pypi.org",
    "npmjs.com",
    "colab.research.google.com",
    "kaggle.com",
    "sourceforge.net",
    "modelscope.cn",
)
_POST_HOSTS = (
    "youtube.com",
    "youtu.be",
    "vimeo.com",
    "bilibili.com",
    "twitter.com",
    "x.com",
    "medium.com",
    "substack.com",
    "notion.site",
    "notion.so",
    "zhihu.com",
    "mp.weixin.qq.com",
    "reddit.com",
    "linkedin.com",
    "docs.google.com",
    "slideshare.net",
    "towardsdatascience.com",
    "wandb.ai",
)
# Paths on otherwise non-paper hosts that are papers: 'huggingface.co/papers/2401.00001'.
_PAPER_PATHS = re.compile(r"^/papers?/|\.pdf$", re.IGNORECASE)
_ARXIV_TEXT = re.compile(
    r"\barxiv\s*[:\s]\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)

# Link labels, as written, that say what a link is (lower case).
_PAPER_LABELS = frozenset(
    {"paper", "pdf", "arxiv", "abs", "abstract", "html", "openreview", "doi", "publication"}
    | {"proceedings", "pmlr", "acm", "ieee", "springer", "acl", "cvf", "preprint", "camera ready"}
)
# Labels that say nothing of what the link is.
_OTHER_LABELS = frozenset({"link", "url", "here", "article", "official", "more", "details"})
_CODE_LABELS = frozenset({"code", "github", "repo", "repository", "official code", "gitlab"})
_PROJECT_LABELS = frozenset({"project", "project page", "website", "page", "homepage", "demo"})


def _host_in(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == known or host.endswith("." + known) for known in hosts)


_HOST_PATH = re.compile(
    r"^[a-zA-Z][a-zA-Z0-9+.\-]*://(?:[^/?#@]*@)?(?P<host>[^/?#:]*)[^/?#]*(?P<path>[^?#]*)"
)


def _host_and_path(url: str) -> tuple[str, str]:
    match = _HOST_PATH.match(url)
    if match is not None:
        return match.group("host").lower(), match.group("path")
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", ""
    return (parts.hostname or "").lower(), parts.path


def link_kind(url: str) -> LinkKind:
    """What a link points at, from its URL alone."""
    url = url.strip()
    if url.startswith("#") or url.startswith("./#"):
        return LinkKind.anchor
    host, path = _host_and_path(url)
    host = host.removeprefix("www.")
    if _host_in(host, _PAPER_HOSTS) or _PAPER_PATHS.search(path):
        return LinkKind.paper
    if _host_in(host, _CODE_HOSTS):
        return LinkKind.code
    if _host_in(host, _POST_HOSTS):
        return LinkKind.post
    return LinkKind.page


def is_bare_url(text: str) -> bool:
    return _BARE_URL.match(text.strip()) is not None


def label_of(text: str, url: str) -> str:
    """A link's label: its text as written ('[pdf]' -> 'pdf'); for a badge, a bare URL or no
    text, what the link is ('code' for a repository, 'paper' for a paper, else 'link')."""
    label = squash_spaces(text).strip("[]() ")
    if label and not is_bare_url(label):
        return label
    kind = link_kind(url)
    return "code" if kind is LinkKind.code else "paper" if kind is LinkKind.paper else "link"


def is_label(text: str) -> bool:
    """Text that labels a link rather than naming a paper: 'pdf', '[Paper]', 'Code'."""
    label = squash_spaces(text).strip("[]() ").casefold()
    return label in _PAPER_LABELS | _CODE_LABELS | _PROJECT_LABELS | _OTHER_LABELS


def is_paper_label(text: str) -> bool:
    return squash_spaces(text).strip("[]() ").casefold() in _PAPER_LABELS


def arxiv_of(links: list[Link], text: str = "") -> ArxivId | None:
    """The first arXiv id of an entry's links (abs, pdf, html), else written in its text."""
    for link in links:
        arxiv = arxiv_id_from_url(link.url)
        if arxiv is not None:
            return arxiv
    match = _ARXIV_TEXT.search(text)
    return parse_arxiv_id(match.group("id")) if match else None


def arxiv_in_text(text: str) -> ArxivId | None:
    """An id written as 'arXiv:2101.00001' (or a bare id in a link column)."""
    match = _ARXIV_TEXT.search(text)
    if match is not None:
        return parse_arxiv_id(match.group("id"))
    return parse_arxiv_id(text.strip()) if text.strip() else None
