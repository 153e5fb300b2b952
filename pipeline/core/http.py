"""One polite HTTP session for every remote read: source pages and arXiv alike.

- :func:`polite_session`: a requests Session whose adapter puts our User-Agent and a timeout
  on every request, optionally waits its turn from a rate limiter, and counts requests.
- :class:`RetryPolicy` and :func:`with_retries`: exponential backoff for transient faults
  (429, 5xx, dropped connections), honouring ``Retry-After`` (delta-seconds or HTTP-date)
  up to a limit past which waiting is refused rather than endured.
- :class:`Deadline` and :func:`read_body`: every remote read ends by a deadline (connect,
  first byte and whole body together) and at a size cap counted on the decoded bytes, so
  a trickled body, an endless one or a gzip bomb costs a bounded time and memory.
- :func:`one_line`: a network error as one short line for a person.
"""

from __future__ import annotations

import http.client
import math
import re
import time
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

T = TypeVar("T")
Sleep = Callable[[float], None]

# Statuses worth asking again: the server is busy or a gateway failed, not the request.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Only encodings read_body decodes itself (with a cap on the output): requests would also
# offer br and zstd when their packages are installed, and decode those without a bound.
ACCEPT_ENCODING = "gzip, deflate"
_READ_BYTES = 16 * 1024  # per socket read: a trickled body is checked against its deadline often


class Limiter(Protocol):
    """Anything that hands out one request slot at a time (see the arXiv limiter)."""

    def slot(self) -> AbstractContextManager[None]: ...


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per request and the waits between them (seconds).

    The n-th retry waits ``base_seconds * 2**n`` (at most ``max_seconds``), or longer when
    the server's Retry-After asks for more; a Retry-After beyond ``max_retry_after``
    (default: ``max_seconds``) is not waited for.
    """

    attempts: int = 4
    base_seconds: float = 3.0
    max_seconds: float = 120.0
    max_retry_after: float | None = None

    @property
    def retry_after_limit(self) -> float:
        return self.max_seconds if self.max_retry_after is None else self.max_retry_after

    def wait(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds before retry number ``retry`` (0-based); None: the server asks too much."""
        backoff = min(self.base_seconds * 2.0**retry, self.max_seconds)
        if retry_after is None:
            return backoff
        if retry_after > self.retry_after_limit:
            return None
        return max(backoff, retry_after)


class Transient(Exception):
    """One attempt failed in a way that may pass: worth retrying after a wait."""

    def __init__(
        self, reason: str, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


class GaveUp(Exception):
    """Retries ended: attempts used up, or the server asked for a longer wait than allowed."""

    def __init__(
        self, last: Transient, attempts: int, *, wait_refused: bool, out_of_time: bool = False
    ) -> None:
        super().__init__(last.reason)
        self.last = last
        self.attempts = attempts
        self.wait_refused = wait_refused
        self.out_of_time = out_of_time  # the next wait would pass the deadline


def with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Sleep, deadline: Deadline | None = None
) -> T:
    """``call()``, again after a wait each time it raises :class:`Transient`; never waits
    past ``deadline``."""
    retry = 0
    while True:
        try:
            return call()
        except Transient as fault:
            if retry + 1 >= policy.attempts:
                raise GaveUp(fault, retry + 1, wait_refused=False) from fault
            wait = policy.wait(retry, fault.retry_after)
            if wait is None:
                raise GaveUp(fault, retry + 1, wait_refused=True) from fault
            if deadline is not None and wait >= deadline.remaining():
                raise GaveUp(fault, retry + 1, wait_refused=False, out_of_time=True) from fault
            sleep(wait)
            retry += 1


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


# --------------------------------------------------------------------------- bounds


class Deadline:
    """A point in time after which a request, its retries and its body are given up."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        return max(self._ends - self._clock(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def timeout(self, per_read: float) -> float:
        """A socket timeout no longer than what is left (a small floor keeps it valid)."""
        return max(min(per_read, self.remaining()), 0.01)


class BodyError(Exception):
    """A body not read in full: over the cap, past the deadline, or cut by the server."""


class BodyTooLarge(BodyError):
    pass


class DeadlineExceeded(BodyError):
    pass


class _Enough(Exception):
    """Internal: a truncated read has its bytes."""


def _decoder(encoding: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()  # zlib-wrapped, as servers send it
    if encoding in ("", "identity"):
        return None
    raise BodyError(f"unsupported Content-Encoding {encoding!r}")


def read_body(
    response: requests.Response, max_bytes: int, deadline: Deadline, *, truncate: bool = False
) -> bytes:
    """The whole decoded body of a streamed response, or :class:`BodyError`.

    The cap counts decoded bytes (a 1 MB gzip bomb stops at ``max_bytes`` decompressed, never
    more in memory); a declared Content-Length over the cap is refused before any byte is
    read; the deadline is checked after every socket read, so a body trickled a byte a
    second ends on time. With ``truncate``, an oversized body gives its first ``max_bytes``.
    """
    declared = response.headers.get("Content-Length", "").strip()
    encoding = response.headers.get("Content-Encoding", "")
    if declared.isdigit() and int(declared) > max_bytes and not encoding and not truncate:
        raise BodyTooLarge(f"body of {int(declared)} bytes is over the {max_bytes}-byte limit")
    decoder = _decoder(encoding)
    raw = response.raw
    chunks: list[bytes] = []
    size = 0

    def keep(data: bytes) -> None:
        nonlocal size
        size += len(data)
        if size > max_bytes:
            if truncate:
                chunks.append(data[: len(data) - (size - max_bytes)])
                raise _Enough
            raise BodyTooLarge(f"body is over the {max_bytes}-byte limit; download stopped")
        chunks.append(data)

    try:
        while True:
            if deadline.expired():
                raise DeadlineExceeded(
                    f"body not complete within {deadline.seconds:g} s ({size} bytes so far)"
                )
            data = raw.read1(_READ_BYTES, decode_content=False)
            if not data:
                break
            if decoder is None:
                keep(data)
                continue
            # max_length bounds what one compressed chunk may expand to in memory.
            pending = data
            while pending:
                keep(decoder.decompress(pending, max_bytes - size + 1))
                pending = decoder.unconsumed_tail
        if decoder is not None:
            keep(decoder.flush())
    except _Enough:
        pass
    except zlib.error as exc:
        raise BodyError(f"body not decodable as {encoding}: {exc}") from None
    except (
        requests.RequestException,
        urllib3.exceptions.HTTPError,  # ProtocolError: the connection dropped mid-body
        http.client.HTTPException,
        OSError,
    ) as exc:
        raise BodyError(f"body not received: {one_line(exc)}") from None
    return b"".join(chunks)


# --------------------------------------------------------------------------- the session


class PoliteAdapter(HTTPAdapter):
    """Every request: our User-Agent, a timeout, its turn from the limiter, and a count."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        limiter: Limiter | None = None,
        close_connections: bool = False,
    ) -> None:
        super().__init__(max_retries=0)  # retries are ours: with_retries sees Retry-After
        self.user_agent = user_agent
        self.timeout = timeout
        self.limiter = limiter
        self.close_connections = close_connections
        self.requests_sent = 0

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        request.headers["User-Agent"] = self.user_agent  # replaces any library's own
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        if self.close_connections:
            # One request per delay gains nothing from keep-alive, and an idle pooled
            # connection the server dropped would fail the next request.
            request.headers["Connection"] = "close"
        with self.limiter.slot() if self.limiter is not None else nullcontext():
            self.requests_sent += 1
            return super().send(
                request,
                stream=stream,
                timeout=self.timeout if timeout is None else timeout,
                verify=verify,
                cert=cert,
                proxies=proxies,
            )


def polite_session(
    user_agent: str,
    timeout: float,
    *,
    limiter: Limiter | None = None,
    close_connections: bool = False,
) -> tuple[requests.Session, PoliteAdapter]:
    """A Session that sends every request through one :class:`PoliteAdapter`."""
    adapter = PoliteAdapter(
        user_agent=user_agent,
        timeout=timeout,
        limiter=limiter,
        close_connections=close_connections,
    )
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


# --------------------------------------------------------------------------- messages

_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^\"')(]+)")


def one_line(exc: BaseException) -> str:
    """A network error as one short line.

    requests nests urllib3's whole repr chain ("HTTPConnectionPool(...): Max retries
    exceeded ... [Errno 111] Connection refused"); the OS's reason at its end is the news.
    """
    text = " ".join(str(exc).split()) or type(exc).__name__
    reason = _OS_ERROR.search(text)
    if reason:
        return reason.group(1).strip()
    return text if len(text) <= 200 else text[:197] + "..."
