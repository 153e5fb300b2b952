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
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit
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
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$", re.IGNORECASE)


@dataclass(frozen=True)
class ResolvedUrl:
    """The URL to GET for a source URL, and the commit it pins, if it names one."""

    fetch_url: str
    commit: str | None = None


def _commit_of(ref: str) -> str | None:
    # A ref of 7-40 hex digits is taken as a commit; a branch so named would be misread,
    # which only costs the commit field in the snapshot metadata.
    return ref.lower() if _COMMIT.match(ref) else None


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
        return ResolvedUrl(url, _commit_of(segments[2]))
    if host not in _GITHUB_HOSTS or len(segments) < 2:
        return ResolvedUrl(url)
    owner, repo = segments[0], segments[1].removesuffix(".git")
    rest = segments[2:]
    if not rest:
        ref, path = "HEAD", ["README.md"]
    elif rest[0] == "tree" and len(rest) >= 2:
        ref, path = rest[1], [*rest[2:], "README.md"]
    elif rest[0] in ("blob", "raw") and len(rest) >= 3:
        ref, path = rest[1], rest[2:]
    else:  # issues, wiki, a blob without a path...: not a file we know how to read
        return ResolvedUrl(url)
    raw = f"https://{_RAW_HOST}/{owner}/{repo}/{ref}/{'/'.join(path)}"
    return ResolvedUrl(raw, _commit_of(ref))


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
    commit: str | None = None
    error: str | None = None
    attempts: int = 0  # HTTP requests made for the page (robots.txt not counted)


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

    Never raises for network or HTTP trouble: those are 'failed' results with a one-line
    ``error``. ``sleep`` (default :func:`time.sleep`) is what waits between retries;
    ``deadline`` bounds the whole fetch in seconds.
    """
    resolved = resolve_source_url(url)
    started = datetime.now(UTC)
    attempts = 0

    def failed(message: str, final_url: str, http_status: int | None = None) -> FetchResult:
        return FetchResult(
            status="failed",
            url=url,
            fetch_url=resolved.fetch_url,
            final_url=final_url,
            fetched_at=started,
            http_status=http_status,
            commit=resolved.commit,
            error=message,
            attempts=attempts,
        )

    if settings.offline:
        return failed("offline", resolved.fetch_url)
    if urlsplit(resolved.fetch_url).scheme not in ("http", "https"):
        return failed(f"not an http(s) URL: {url}", resolved.fetch_url)
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
    current = resolved.fetch_url
    try:
        # Redirects are followed by hand so that every hop is checked against its robots.txt.
        for _ in range(MAX_REDIRECTS + 1):
            robots.check(policy, current)
            response, tries = _get(policy, current, conditional, redirects=False)
            attempts += tries
            with response:
                if response.is_redirect:
                    target = urljoin(current, response.headers["Location"])
                    if urlsplit(target).scheme not in ("http", "https"):
                        raise _FetchError(f"{current} redirects to a non-http URL: {target}")
                    if not is_internal(resolved.fetch_url) and is_internal(target):
                        raise _FetchError(
                            f"{current} redirects to an internal address: {target}; "
                            "refused for a public source"
                        )
                    current = target
                    continue
                return _result(
                    policy, url, resolved, started, attempts, response, conditional, max_bytes
                )
        raise _FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
    except _FetchError as exc:
        attempts += exc.attempts
        return failed(str(exc), current, exc.http_status)
    finally:
        if own_session:
            policy.session.close()


def _result(
    policy: _Policy,
    url: str,
    resolved: ResolvedUrl,
    started: datetime,
    attempts: int,
    response: requests.Response,
    conditional: Mapping[str, str],
    max_bytes: int,
) -> FetchResult:
    """The FetchResult for a final (non-redirect, non-retryable) response."""
    status = response.status_code
    final_url = response.url or resolved.fetch_url
    if status == 304 and not conditional:
        raise _FetchError(f"{final_url}: 304 Not Modified to an unconditional request", status)
    if status != 304 and not 200 <= status < 300:
        reason = f"HTTP {status} {response.reason or ''}".strip()
        raise _FetchError(f"{reason} from {final_url}", status)
    body = None if status == 304 else _read_body(policy, response, final_url, max_bytes)
    return FetchResult(
        status="not_modified" if status == 304 else "fetched",
        url=url,
        fetch_url=resolved.fetch_url,
        final_url=final_url,
        fetched_at=started,
        body=body,
        http_status=status,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type"),
        commit=resolved.commit,
        attempts=attempts,
    )


__all__ = [
    "BACKOFF_SECONDS",
    "DEADLINE_SECONDS",
    "DEFAULT_ROBOTS",
    "MAX_BYTES",
    "RETRIES",
    "TIMEOUT_SECONDS",
    "FetchResult",
    "FetchStatus",
    "ResolvedUrl",
    "RobotsCache",
    "Sleep",
    "fetch",
    "is_internal",
    "resolve_source_url",
]
