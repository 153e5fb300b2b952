"""Polite HTTP: one GET per source page, with the manners a crawler owes the sites it reads.

* GitHub page URLs are turned into the raw file they show (:func:`resolve_source_url`), so a
  README is fetched as markdown, not as GitHub's HTML around it.
* Conditional requests (``If-None-Match`` / ``If-Modified-Since``) make an unchanged page a
  bodiless 304.
* Every request has a timeout, and the whole fetch (robots.txt, redirects, retries and the
  body) a deadline; 429 and 5xx answers are retried with exponential backoff, honouring
  ``Retry-After``; other 4xx answers are final.
* Bodies are streamed and cut off at a size cap counted on the decoded bytes.
* ``robots.txt`` is read once per host per run (:class:`RobotsCache`) and obeyed, redirects
  included; every redirect hop is checked: only http(s), and never to a loopback, private
  or link-local address unless the source itself is at one.

:func:`fetch` never raises for network trouble: every problem is a ``'failed'``
:class:`FetchResult` with a one-line message, so a caller can fall back to its last snapshot.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests

from pipeline.core.files import MAX_INPUT_BYTES
from pipeline.core.http import (
    BodyError,
    Deadline,
    GaveUp,
    RetryPolicy,
    Sleep,
    Transient,
    one_line,
    parse_retry_after,
    polite_session,
    read_body,
    with_retries,
)
from pipeline.core.settings import Settings
from pipeline.models import SnapshotMeta

# Defaults that may move into Settings later; parameters of fetch() override them.
TIMEOUT_SECONDS = 30.0  # connect, and each socket read
DEADLINE_SECONDS = 120.0  # the whole fetch: robots.txt, redirects, retries, the body
MAX_BYTES = MAX_INPUT_BYTES
RETRIES = 3  # retries after the first attempt, so at most four requests per URL
BACKOFF_SECONDS = 1.0  # waits 1, 2, 4 s between attempts unless the server says otherwise
MAX_RETRY_AFTER_SECONDS = 300.0  # a server asking for a longer pause is not waited for
MAX_BACKOFF_SECONDS = 60.0
MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: crawlers must parse at least 500 KiB
ROBOTS_MAX_AGE_SECONDS = 3600.0  # "once per run", also for long-lived worker processes

FetchStatus = Literal["fetched", "not_modified", "failed"]

# --------------------------------------------------------------------------- GitHub URLs

_GITHUB_HOSTS = {"github.com", "www.github.com"}
_RAW_HOST = "raw.githubusercontent.com"
RAW_BASE = f"https://{_RAW_HOST}"
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$", re.IGNORECASE)
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$", re.IGNORECASE)
DEFAULT_BRANCH = "HEAD"  # the ref of a repository URL: whatever its default branch is
SHA_MEDIA_TYPE = "application/vnd.github.sha"  # the commits API answers with the bare sha
_API_MAX_BYTES = 64 * 1024

FollowMode = Literal["tracking", "pinned", "page", "local"]


def _commit_of(ref: str) -> str | None:
    # A ref of 7-40 hex digits is taken as a commit; a branch so named would be misread
    # (read as pinned: fetched once, never followed).
    return ref.lower() if _COMMIT.match(ref) else None


@dataclass(frozen=True)
class GitHubFile:
    """A file of a GitHub repository at a ref, as a source URL names it."""

    owner: str
    repo: str
    ref: str  # DEFAULT_BRANCH, a branch or tag, or a commit
    path: str  # in the repository, e.g. 'README.md'

    @property
    def commit(self) -> str | None:
        """The commit the URL names; None when it names a branch (it tracks that branch)."""
        return _commit_of(self.ref)

    def raw_url(self, ref: str | None = None) -> str:
        """The file on raw.githubusercontent.com, at ``ref`` (default: the URL's own)."""
        return f"{RAW_BASE}/{self.owner}/{self.repo}/{ref or self.ref}/{self.path}"

    def commits_api_url(self, api_base: str) -> str:
        """GitHub's 'get a commit' endpoint for the ref: with SHA_MEDIA_TYPE, just its sha."""
        ref = quote(self.ref, safe="")
        return f"{api_base.rstrip('/')}/repos/{self.owner}/{self.repo}/commits/{ref}"


@dataclass(frozen=True)
class ResolvedUrl:
    """The URL to GET for a source URL, and the commit it pins, if it names one."""

    fetch_url: str
    commit: str | None = None
    github: GitHubFile | None = None  # the repository file behind a GitHub URL

    @property
    def tracks(self) -> str | None:
        """The branch a GitHub file URL follows (DEFAULT_BRANCH for a repository URL);
        None when it pins a commit or is no GitHub file."""
        if self.github is None or self.commit is not None:
            return None
        return self.github.ref

    def at(self, commit: str | None) -> str:
        """The raw file at ``commit`` (what a tracked URL was read at), else fetch_url."""
        if self.github is None or commit is None:
            return self.fetch_url
        return self.github.raw_url(commit)


def resolve_source_url(url: str) -> ResolvedUrl:
    """The raw file behind a GitHub page URL; any other URL unchanged.

    ``github.com/o/r`` -> ``raw.githubusercontent.com/o/r/HEAD/README.md``;
    ``.../tree/<ref>[/dir]`` -> that folder's README.md at ref; ``.../blob/<ref>/<path>``
    (or ``/raw/``) -> the file at ref. Refs containing ``/`` are not supported: the first
    path segment after ``blob``/``tree`` is the ref.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == _RAW_HOST and len(segments) >= 4:
        owner, repo, ref = segments[:3]
        github = GitHubFile(owner, repo, ref, "/".join(segments[3:]))
        return ResolvedUrl(url, github.commit, github)
    if host not in _GITHUB_HOSTS or len(segments) < 2:
        return ResolvedUrl(url)
    owner, repo = segments[0], segments[1].removesuffix(".git")
    rest = segments[2:]
    if not rest:
        ref, path = DEFAULT_BRANCH, ["README.md"]
    elif rest[0] == "tree" and len(rest) >= 2:
        ref, path = rest[1], [*rest[2:], "README.md"]
    elif rest[0] in ("blob", "raw") and len(rest) >= 3:
        ref, path = rest[1], rest[2:]
    else:  # issues, wiki, a blob without a path...: not a file we know how to read
        return ResolvedUrl(url)
    github = GitHubFile(owner, repo, ref, "/".join(path))
    return ResolvedUrl(github.raw_url(), github.commit, github)


def follow_mode(url: str) -> tuple[FollowMode, str | None]:
    """How a refresh follows a source URL, and the ref it follows or pins.

    'tracking': a GitHub repository or branch, read at the commit its branch is at on each
    run ('default branch', or the branch's name); 'pinned': a GitHub URL naming a commit
    (the sha), read once; 'page': any other http(s) URL, asked again each run; 'local': a
    file, or another scheme, read from raw/ only.
    """
    resolved = resolve_source_url(url)
    if resolved.commit is not None:
        return "pinned", resolved.commit
    tracks = resolved.tracks
    if tracks is not None:
        return "tracking", "default branch" if tracks == DEFAULT_BRANCH else tracks
    if urlsplit(url).scheme in ("http", "https"):
        return "page", None
    return "local", None


def on_raw_base(url: str, raw_base: str) -> str:
    """A raw.githubusercontent.com URL as read from ``raw_base`` (PIPELINE_GITHUB_RAW_URL);
    any other URL unchanged."""
    base = raw_base.rstrip("/")
    if base == RAW_BASE or not url.startswith(RAW_BASE + "/"):
        return url
    return base + url[len(RAW_BASE) :]


@dataclass(frozen=True)
class KnownHead:
    """What the last check found a tracked branch at: the commit (the previous snapshot
    is current at it) and the API's ETag for that answer, sent back as If-None-Match."""

    commit: str
    etag: str | None = None


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FetchResult:
    """What one fetch brought back; ``error`` is a one-line reason when status is 'failed'."""

    status: FetchStatus
    url: str  # as asked for
    fetch_url: str  # after GitHub resolution
    final_url: str  # after redirects
    fetched_at: datetime
    body: bytes | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    commit: str | None = None  # the commit the URL names, or its branch's head this run
    commit_etag: str | None = None  # the GitHub API's ETag for that head (tracked URLs)
    error: str | None = None
    attempts: int = 0  # HTTP requests made for the page, the API's included (not robots.txt)


class _FetchError(Exception):
    """Internal: ends a fetch as 'failed' with this one-line message."""

    def __init__(self, message: str, http_status: int | None = None, attempts: int = 0) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.attempts = attempts  # requests made before giving up


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class _Policy:
    """How to talk to a server: one object instead of five parameters on every helper."""

    session: requests.Session
    user_agent: str
    timeout: float
    retry: RetryPolicy
    sleep: Sleep
    deadline: Deadline


def _get(
    policy: _Policy, url: str, headers: Mapping[str, str], *, redirects: bool
) -> tuple[requests.Response, int]:
    """A streamed response to GET url (the caller closes it) and the attempts it took.

    Retries 429 and 5xx only: another 4xx will not change, and a host that is down or
    unreachable is left to the caller's fallback rather than retried for minutes every run.
    """
    attempts = 0

    def attempt() -> requests.Response:
        nonlocal attempts
        if policy.deadline.expired():
            raise _FetchError(_late(policy, url), attempts=attempts)
        attempts += 1
        timeout = policy.deadline.timeout(policy.timeout)
        try:
            response = policy.session.get(
                url,
                headers={**headers, "User-Agent": policy.user_agent},
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=redirects,
            )
        except requests.Timeout:
            message = f"no answer from {url} within {timeout:g} s"
            raise _FetchError(message, attempts=attempts) from None
        except requests.RequestException as exc:
            message = f"could not reach {url}: {one_line(exc)}"
            raise _FetchError(message, attempts=attempts) from None
        status = response.status_code
        if status != 429 and status < 500:
            return response
        if _spent(response):
            return response  # the caller says why; asking again before the reset cannot help
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        response.close()
        raise Transient(f"HTTP {status} {response.reason or ''}".strip(), retry_after, status)

    try:
        return with_retries(attempt, policy.retry, policy.sleep, policy.deadline), attempts
    except GaveUp as end:
        fault = end.last
        if end.out_of_time:
            message = f"{fault.reason} from {url}; {_late(policy, url, waiting=True)}"
        elif end.wait_refused:
            wait = f"Retry-After {fault.retry_after:.0f} s is too long to wait"
            message = f"{fault.reason} from {url}; {wait}"
        else:
            message = f"{fault.reason} from {url} after {attempts} attempts"
        raise _FetchError(message, fault.status, attempts) from None


def _spent(response: requests.Response) -> bool:
    """A 429 of a rate limit used up until its reset (GitHub's API), with no Retry-After."""
    headers = response.headers
    return headers.get("X-RateLimit-Remaining") == "0" and "Retry-After" not in headers


def _late(policy: _Policy, url: str, *, waiting: bool = False) -> str:
    what = "a retry would pass" if waiting else f"{url}: past"
    return f"{what} the fetch's {policy.deadline.seconds:g} s deadline"


def _read_body(
    policy: _Policy,
    response: requests.Response,
    url: str,
    max_bytes: int,
    *,
    truncate: bool = False,
) -> bytes:
    """The decoded body, within the fetch's deadline and the size cap (see read_body)."""
    try:
        return read_body(response, max_bytes, policy.deadline, truncate=truncate)
    except BodyError as exc:
        raise _FetchError(f"{url}: {exc}", response.status_code) from None


# --------------------------------------------------------------------------- robots.txt


class RobotsCache:
    """robots.txt rules per host (scheme://host:port), read at most once per ``max_age``.

    Answers that say nothing lasting (5xx, timeouts) are not cached, so the next fetch asks
    again; while robots.txt cannot be read, the host is not crawled (RFC 9309 §2.3.1.4).
    """

    def __init__(self, max_age: float = ROBOTS_MAX_AGE_SECONDS) -> None:
        self.max_age = max_age
        self._rules: dict[str, tuple[float, RobotFileParser]] = {}
        self._lock = threading.Lock()  # flows may fetch sources from several threads

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def check(self, policy: _Policy, url: str) -> None:
        """Return if robots.txt lets our user agent fetch url; raise _FetchError if not."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or time.monotonic() - cached[0] > self.max_age:
            rules = self._read(policy, origin)
            with self._lock:
                self._rules[origin] = (time.monotonic(), rules)
        else:
            rules = cached[1]
        if not rules.can_fetch(policy.user_agent, url):
            raise _FetchError(f"robots.txt of {origin} disallows {url}")

    @staticmethod
    def _read(policy: _Policy, origin: str) -> RobotFileParser:
        robots_url = f"{origin}/robots.txt"
        rules = RobotFileParser(robots_url)
        try:
            response, _ = _get(policy, robots_url, {}, redirects=True)
        except _FetchError as exc:
            if exc.http_status is None:  # unreachable: the message names the host already
                raise _FetchError(str(exc)) from None
            raise _FetchError(f"robots.txt unavailable, not fetching: {exc}") from None
        with response:
            status = response.status_code
            if status in (401, 403):
                # As urllib.robotparser does: a site hiding its rules is not crawled.
                rules.parse(["User-agent: *", "Disallow: /"])
            elif status >= 400:  # 404 and friends: no rules, everything allowed
                rules.parse([])
            else:
                body = _read_body(policy, response, robots_url, ROBOTS_MAX_BYTES, truncate=True)
                rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules


DEFAULT_ROBOTS = RobotsCache()
"""The per-process robots.txt cache fetch() uses unless given one (tests clear or replace it)."""


# --------------------------------------------------------------------------- addresses


def _addresses(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
    except (OSError, UnicodeError):
        return []  # unresolvable: the request itself will fail, saying so


def _proxied(policy: _Policy, url: str) -> bool:
    """Whether the request went through a proxy (whose own address the socket shows)."""
    scheme = urlsplit(url).scheme
    environ = requests.utils.get_environ_proxies(url)
    return bool(policy.session.proxies.get(scheme) or environ.get(scheme) or environ.get("all"))


def _peer_address(response: requests.Response) -> str | None:
    """The IP address the response came from, read off its socket before the body is; None
    when the socket is not there to ask (http.client's file over it is not public API)."""
    try:
        peer = response.raw._fp.fp.raw._sock.getpeername()[0]
        return str(ipaddress.ip_address(str(peer).split("%")[0]))
    except (AttributeError, OSError, ValueError, IndexError, TypeError):
        return None


def is_internal(url: str) -> bool:
    """True when the URL's host is, or resolves to, a loopback, private, link-local or
    otherwise non-public address (where a redirect must not lead a public source)."""
    host = (urlsplit(url).hostname or "").strip("[]")
    if not host:
        return False
    try:
        candidates = [str(ipaddress.ip_address(host))]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return True
        candidates = _addresses(host)
    for text in candidates:
        address = ipaddress.ip_address(text.split("%")[0])
        if not address.is_global:
            return True
    return False


# --------------------------------------------------------------------------- fetch


def _conditional_headers(previous: SnapshotMeta | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers


def fetch(
    url: str,
    settings: Settings,
    *,
    previous: SnapshotMeta | None = None,
    head: KnownHead | None = None,
    session: requests.Session | None = None,
    robots: RobotsCache | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    retries: int = RETRIES,
    backoff: float = BACKOFF_SECONDS,
    sleep: Sleep | None = None,
    deadline: float = DEADLINE_SECONDS,
) -> FetchResult:
    """GET url politely; 'not_modified' when ``previous``'s ETag/Last-Modified still hold.

    A GitHub URL that tracks a branch (a repository URL: its default branch) is first asked
    of GitHub's API which commit the branch is at (one request, conditional on ``head``'s
    ETag); when ``previous`` (a snapshot of this very URL) is at that commit already, that
    is all: 'not_modified'. Otherwise the file is read at that commit. A URL naming a
    commit is not asked again once ``previous`` holds it: a commit's files never change.

    Never raises for network or HTTP trouble: those are 'failed' results with a one-line
    ``error``. ``sleep`` (default :func:`time.sleep`) is what waits between retries;
    ``deadline`` bounds the whole fetch in seconds.
    """
    resolved = resolve_source_url(url)
    started = datetime.now(UTC)
    attempts = 0
    commit, commit_etag = resolved.commit, None
    first_url = on_raw_base(resolved.fetch_url, settings.github_raw_url)

    def bodiless(
        status: Literal["failed", "not_modified"],
        final_url: str,
        http_status: int | None = None,
        error: str | None = None,
    ) -> FetchResult:
        """A result with no body: a failure, or a file known unchanged without reading it."""
        return FetchResult(
            status=status,
            url=url,
            fetch_url=first_url,
            final_url=final_url,
            fetched_at=started,
            http_status=http_status,
            commit=commit,
            commit_etag=commit_etag,
            error=error,
            attempts=attempts,
        )

    def failed(message: str, final_url: str, http_status: int | None = None) -> FetchResult:
        return bodiless("failed", final_url, http_status, message)

    if settings.offline:
        return failed("offline", first_url)
    if urlsplit(first_url).scheme not in ("http", "https"):
        return failed(f"not an http(s) URL: {url}", first_url)
    if commit is not None and previous is not None and previous.commit == commit:
        return bodiless("not_modified", first_url)  # the previous snapshot is at this commit
    own_session = session is None
    if session is None:
        session, _ = polite_session(settings.user_agent, timeout)
    policy = _Policy(
        session=session,
        user_agent=settings.user_agent,
        timeout=timeout,
        retry=RetryPolicy(
            attempts=retries + 1,
            base_seconds=backoff,
            max_seconds=MAX_BACKOFF_SECONDS,
            max_retry_after=MAX_RETRY_AFTER_SECONDS,
        ),
        sleep=sleep if sleep is not None else time.sleep,
        deadline=Deadline(deadline),
    )
    robots = robots if robots is not None else DEFAULT_ROBOTS
    conditional = _conditional_headers(previous)
    hop = _Hop(first_url)
    try:
        if resolved.tracks is not None:
            assert resolved.github is not None  # see ResolvedUrl.tracks
            token = settings.github_token.get_secret_value() if settings.github_token else None
            api = settings.github_api_url
            answer = _head_commit(policy, api, resolved.github, head, hop, token)
            attempts += hop.attempts
            commit, commit_etag = answer.commit, answer.etag
            known = {previous.commit if previous else None, head.commit if head else None}
            if previous is not None and commit in known:
                return bodiless("not_modified", first_url, answer.status)
            first_url = on_raw_base(resolved.at(commit), settings.github_raw_url)
            # Another commit's file: only its content's ETag can say it is the same bytes.
            conditional = {k: v for k, v in conditional.items() if k == "If-None-Match"}
        hop = _Hop(first_url)
        response = _open(policy, hop, conditional, robots)
        with response:
            result = _result(policy, url, first_url, started, response, conditional, max_bytes)
        return replace(
            result, attempts=attempts + hop.attempts, commit=commit, commit_etag=commit_etag
        )
    except _FetchError as exc:
        attempts += hop.attempts
        return failed(str(exc), hop.url, exc.http_status)
    finally:
        if own_session:
            policy.session.close()


class _Hop:
    """Where a request chain is (the URL after the redirects so far) and what it cost."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.attempts = 0


def _open(
    policy: _Policy,
    hop: _Hop,
    headers: Mapping[str, str],
    robots: RobotsCache | None,
) -> requests.Response:
    """The final (non-redirect) streamed response to GET hop.url; the caller closes it.

    Redirects are followed by hand so that every hop is checked: against its robots.txt
    (when ``robots`` is given), for its scheme, and never from a public address to an
    internal one. ``hop`` keeps the URL reached and the requests made, also on failure.
    """
    public = not is_internal(hop.url)
    origin = _origin(hop.url)
    for _ in range(MAX_REDIRECTS + 1):
        if "Authorization" in headers and _origin(hop.url) != origin:
            # Credentials are for the host they were given for, as browsers and requests do.
            headers = {k: v for k, v in headers.items() if k != "Authorization"}
        if robots is not None:
            robots.check(policy, hop.url)
        try:
            response, tries = _get(policy, hop.url, headers, redirects=False)
        except _FetchError as exc:
            hop.attempts += exc.attempts
            raise
        hop.attempts += tries
        peer = _peer_address(response) if public and not _proxied(policy, hop.url) else None
        if peer is not None and not ipaddress.ip_address(peer).is_global:
            # The name was checked, then resolved again to connect: a DNS answer that changed
            # in between (rebinding) must not lead a public source inside.
            response.close()
            raise _FetchError(
                f"{hop.url} connected to an internal address ({peer}); refused for a public source"
            )
        if not response.is_redirect:
            return response
        response.close()
        target = urljoin(hop.url, response.headers["Location"])
        if urlsplit(target).scheme not in ("http", "https"):
            raise _FetchError(f"{hop.url} redirects to a non-http URL: {target}")
        if public and is_internal(target):
            raise _FetchError(
                f"{hop.url} redirects to an internal address: {target}; refused for a public source"
            )
        hop.url = target
    raise _FetchError(f"{hop.url}: more than {MAX_REDIRECTS} redirects")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@dataclass(frozen=True)
class _Head:
    commit: str
    etag: str | None
    status: int


def _head_commit(
    policy: _Policy,
    api_base: str,
    github: GitHubFile,
    known: KnownHead | None,
    hop: _Hop,
    token: str | None = None,
) -> _Head:
    """The commit a tracked file's branch is at now, from GitHub's API: one request, a
    bodiless 304 when ``known``'s ETag still holds. An API, not a page: no robots.txt.
    ``token`` authorises the request (a higher rate limit); :func:`_open` keeps it from any
    other host."""
    api_url = github.commits_api_url(api_base)
    hop.url = api_url
    headers = {"Accept": SHA_MEDIA_TYPE}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    try:
        response = _open(policy, hop, headers, None)
    except _FetchError as exc:
        raise _FetchError(f"GitHub API: {exc}", exc.http_status) from None
    with response:
        status = response.status_code
        if status == 304 and known is not None and "If-None-Match" in headers:
            return _Head(known.commit, response.headers.get("ETag") or known.etag, status)
        if status != 200:
            raise _FetchError(_api_refusal(response, hop.url), status)
        body = _read_body(policy, response, hop.url, _API_MAX_BYTES, truncate=True)
        sha = _sha_in(body)
        if sha is None:
            raise _FetchError(f"GitHub API: no commit sha in the answer from {hop.url}", status)
        return _Head(sha, response.headers.get("ETag"), status)


def _sha_in(body: bytes) -> str | None:
    """The sha of an answer: bare (SHA_MEDIA_TYPE), or a commit's JSON ``sha``."""
    text = body.decode("utf-8", errors="replace").strip()
    if _FULL_SHA.match(text):
        return text.lower()
    try:
        data = json.loads(text)
    except ValueError:
        return None
    sha = data.get("sha") if isinstance(data, dict) else None
    return sha.lower() if isinstance(sha, str) and _FULL_SHA.match(sha) else None


def _api_refusal(response: requests.Response, url: str) -> str:
    """Why the API did not say which commit: a rate limit (and when it resets), or its
    status and message."""
    status = response.status_code
    reason = f"HTTP {status} {response.reason or ''}".strip()
    if status in (403, 429) and response.headers.get("X-RateLimit-Remaining") == "0":
        reset = response.headers.get("X-RateLimit-Reset", "")
        when = ""
        if reset.isdigit():
            when = datetime.fromtimestamp(int(reset), UTC).strftime(" (resets at %H:%M UTC)")
        return f"GitHub API rate limit reached{when}: {reason} from {url}"
    return f"GitHub API: {reason} from {url}"


def _result(
    policy: _Policy,
    url: str,
    fetch_url: str,
    started: datetime,
    response: requests.Response,
    conditional: Mapping[str, str],
    max_bytes: int,
) -> FetchResult:
    """The FetchResult for a final (non-redirect, non-retryable) response (the caller adds
    the requests it took and the commit)."""
    status = response.status_code
    final_url = response.url or fetch_url
    if status == 304 and not conditional:
        raise _FetchError(f"{final_url}: 304 Not Modified to an unconditional request", status)
    if status != 304 and not 200 <= status < 300:
        reason = f"HTTP {status} {response.reason or ''}".strip()
        raise _FetchError(f"{reason} from {final_url}", status)
    body = None if status == 304 else _read_body(policy, response, final_url, max_bytes)
    return FetchResult(
        status="not_modified" if status == 304 else "fetched",
        url=url,
        fetch_url=fetch_url,
        final_url=final_url,
        fetched_at=started,
        body=body,
        http_status=status,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type"),
    )


__all__ = [
    "BACKOFF_SECONDS",
    "DEADLINE_SECONDS",
    "DEFAULT_BRANCH",
    "DEFAULT_ROBOTS",
    "MAX_BYTES",
    "RAW_BASE",
    "RETRIES",
    "TIMEOUT_SECONDS",
    "FetchResult",
    "FetchStatus",
    "FollowMode",
    "GitHubFile",
    "KnownHead",
    "ResolvedUrl",
    "RobotsCache",
    "Sleep",
    "fetch",
    "follow_mode",
    "is_internal",
    "on_raw_base",
    "resolve_source_url",
]
