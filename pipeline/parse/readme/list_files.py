"""The other markdown files of a repository a README keeps its lists in.

Lists outgrow their README: awesome-trustworthy-deep-learning links its ``FULL_LIST.md``,
Awesome-LLM its ``paper_list/*.md``. :func:`linked_list_files` finds the links (markdown
links, reference definitions and HTML ``href`` attributes, read from the markdown tokens) to
``.md`` files of the same repository: relative links, and GitHub blob, tree or raw URLs of the
same owner and repository (read at the README's own ref, so a README pinned at a commit
reads its list files at that commit). Repository boilerplate (CONTRIBUTING, LICENSE, other
READMEs...) is not a list. Nothing is fetched here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from markdown_it.token import Token

from pipeline.parse.readme.blocks import ParsedChunk, chunks, parse_chunk

MAX_LIST_FILES = 50  # a README linking more is an index of repositories, not of its own lists
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_RAW_HOST = "raw.githubusercontent.com"
# Not lists: the files every repository has, and the README's translations.
_BOILERPLATE = re.compile(
    r"^(?:readme|contributing|contribute|code[_-]of[_-]conduct|license|licence|security|"
    r"changelog|changes|history|support|authors|maintainers|pull_request_template|"
    r"issue_template|funding|governance|citation)(?:[._\-].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ListFile:
    """A linked list file: its path in the repository (as cards name it) and where to get it."""

    name: str
    url: str


@dataclass(frozen=True)
class _Repository:
    """Where a README lives: the URL its repository's files sit under, and its own path."""

    root: str  # ends with '/': 'https://raw.githubusercontent.com/o/r/<ref>/', or a folder
    readme: str  # the README's path under root
    owner_repo: tuple[str, str] | None = None  # on GitHub
    ref: str | None = None


def _repository(base_url: str) -> _Repository:
    parts = urlsplit(base_url)
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if parts.hostname == _RAW_HOST and len(segments) >= 4:
        owner, repo, ref = segments[:3]
        root = urlunsplit((parts.scheme, parts.netloc, f"/{owner}/{repo}/{ref}/", "", ""))
        return _Repository(root, "/".join(segments[3:]), (owner, repo), ref)
    folder = urljoin(base_url, ".")
    return _Repository(folder, PurePosixPath(parts.path).name)


def _github_file(url: str, repository: _Repository) -> str | None:
    """A github.com or raw URL of a file of the README's repository, as a path in it."""
    if repository.owner_repo is None:
        return None
    parts = urlsplit(url)
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    host = parts.hostname or ""
    if host in _GITHUB_HOSTS and len(segments) >= 5 and segments[2] in ("blob", "tree", "raw"):
        owner_repo, path = (segments[0], segments[1].removesuffix(".git")), segments[4:]
    elif host == _RAW_HOST and len(segments) >= 4:
        owner_repo, path = (segments[0], segments[1]), segments[3:]
    else:
        return None
    if owner_repo[0].lower() != repository.owner_repo[0].lower():
        return None
    if owner_repo[1].lower() != repository.owner_repo[1].lower():
        return None
    return "/".join(path)


def _in_repository(target: str, base_url: str, repository: _Repository) -> str | None:
    """The repository path a link names, if it names a markdown file of the repository."""
    target = target.strip()
    if not target or target.startswith(("#", "mailto:")):
        return None
    without_fragment = target.split("#", 1)[0].split("?", 1)[0]
    if not without_fragment.lower().endswith(_MARKDOWN_SUFFIXES):
        return None
    path = _github_file(without_fragment, repository)
    if path is None:
        resolved = urljoin(base_url, without_fragment)
        if not resolved.startswith(repository.root):
            return None  # another site, another repository, or above the README's folder
        path = unquote(resolved[len(repository.root) :])
    path = str(PurePosixPath(path))
    if path in (".", repository.readme) or ".." in PurePosixPath(path).parts:
        return None
    return path


def _is_list_name(path: str) -> bool:
    return _BOILERPLATE.match(PurePosixPath(path).name) is None


def _link_targets(text: str) -> list[str]:
    """Every link target of a markdown text, in order: links, references, HTML hrefs."""
    targets: list[str] = []
    references: list[str] = []
    for _, chunk in chunks(text):
        parsed = parse_chunk(chunk)
        for token in parsed.tokens:
            targets.extend(_token_targets(token, parsed))
        references.extend(str(ref["href"]) for ref in parsed.env.get("references", {}).values())
    return targets + references


def _hrefs(html: str) -> list[str]:
    return [match.group(1) or match.group(2) or "" for match in _HREF.finditer(html)]


def _token_targets(token: Token, parsed: ParsedChunk) -> list[str]:
    if token.type == "html_block":
        return _hrefs(token.content)
    if token.type != "inline" or ".md" not in token.content.lower():
        return []  # a line without '.md' links to no list file
    if not token.children:
        children: list[Token] = []
        parsed.md.inline.parse(token.content, parsed.md, parsed.env, children)
        token.children = children
    found: list[str] = []
    for child in token.children:
        if child.type == "link_open":
            found.append(str(child.attrs.get("href", "")))
        elif child.type == "html_inline":
            found.extend(_hrefs(child.content))
    return found


def linked_list_files(text: str, base_url: str) -> list[ListFile]:
    """The markdown files of the README's repository it links to, in order, each once.

    ``base_url`` is where the README itself was read from (its raw URL on GitHub, its
    ``file://`` URL on disk); list files are read from beside it.
    """
    repository = _repository(base_url)
    found: dict[str, ListFile] = {}
    for target in _link_targets(text):
        path = _in_repository(target, base_url, repository)
        if path is None or path in found or not _is_list_name(path):
            continue
        found[path] = ListFile(path, repository.root + quote(path))
        if len(found) == MAX_LIST_FILES:
            break
    return list(found.values())
