"""The page fetcher against a misbehaving server on 127.0.0.1: every fault ends in bounded
time as a 'failed' result with a one-line reason (or, for a passing fault, the body)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline.core.settings import Settings
from pipeline.sources import fetch as fetch_module
from pipeline.sources.fetch import RobotsCache, fetch, is_internal
from tests.fault_server import GOOD_BODY, FaultServer, bomb

TIMEOUT = 1.0
DEADLINE = 4.0
# What a fetch may cost beyond its deadline: one socket read's timeout and scheduling noise.
SLACK = TIMEOUT + 4.0


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    bomb()  # made once, before any test measures memory
    with FaultServer() as running:
        yield running


def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path, raw_dir=tmp_path / "raw", offline=False)


def get(
    server: FaultServer, path: str, tmp_path: Path, **options: object
) -> fetch_module.FetchResult:
    values: dict[str, object] = {
        "timeout": TIMEOUT,
        "deadline": DEADLINE,
        "retries": 2,
        "backoff": 0.05,
        "max_bytes": 1024 * 1024,
        "robots": RobotsCache(),
    }
    values.update(options)
    return fetch(server.url(path), settings(tmp_path), **values)  # type: ignore[arg-type]


FAILURES = [
    ("/500", "HTTP 500", 3),
    ("/503", "HTTP 503", 3),
    ("/429-huge", "Retry-After 100000 s is too long to wait", 1),
    ("/reset-before", "could not reach", 1),
    ("/reset-mid", "body not received", 1),
    ("/trickle", "body not complete within", 1),
    ("/big-declared", "over the 1048576-byte limit", 1),
    ("/big-chunked", "over the 1048576-byte limit; download stopped", 1),
    ("/gzip-bomb", "over the 1048576-byte limit; download stopped", 1),
    ("/loop", "more than 5 redirects", 6),
    ("/to-ftp", "redirects to a non-http URL: ftp://", 1),
    ("/to-file", "redirects to a non-http URL: file:///etc/passwd", 1),
    ("/to-javascript", "redirects to a non-http URL: javascript:", 1),
    ("/never", "no answer from", 1),
]


@pytest.mark.parametrize(("path", "reason", "attempts"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_fault_is_a_failed_fetch_with_its_reason_in_bounded_time(
    server: FaultServer, tmp_path: Path, path: str, reason: str, attempts: int
) -> None:
    started = time.monotonic()
    result = get(server, path, tmp_path)
    elapsed = time.monotonic() - started
    assert result.status == "failed"
    assert result.error is not None and reason in result.error, result.error
    assert "\n" not in result.error and len(result.error) < 300
    assert result.attempts == attempts
    assert elapsed < DEADLINE + SLACK, elapsed


PASSING = [
    ("/ok", 1, 0.0),
    ("/503-once", 2, 0.0),
    ("/429-small", 2, 1.0),  # waits the Retry-After of 1 s
    ("/429-date", 2, 1.0),  # an HTTP-date 2 s ahead
    ("/to-ok", 2, 0.0),  # a redirect within the source's own (loopback) host
]


@pytest.mark.parametrize(("path", "attempts", "waited"), PASSING, ids=[p[0] for p in PASSING])
def test_a_passing_fault_gives_the_whole_body(
    server: FaultServer, tmp_path: Path, path: str, attempts: int, waited: float
) -> None:
    sleeps: list[float] = []
    result = get(server, path, tmp_path, sleep=lambda s: (sleeps.append(s), time.sleep(s)))
    assert result.status == "fetched", result.error
    assert result.body == GOOD_BODY
    assert result.attempts == attempts
    assert sum(sleeps) >= waited


def test_a_gzip_bomb_never_expands_in_memory(server: FaultServer, tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        result = get(server, "/gzip-bomb", tmp_path, max_bytes=8 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "failed"
    assert peak < 40 * 1024 * 1024, peak  # the 8 MiB cap and its copies, not 64 MiB


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_a_public_source_is_not_redirected_to_an_internal_address(
    server: FaultServer, tmp_path: Path, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server is on loopback; here it stands for a public host.
    monkeypatch.setattr(fetch_module, "is_internal", lambda url: "127.0.0.1" not in url)
    monkeypatch.setattr(fetch_module, "_peer_address", lambda response: "93.184.216.34")
    result = get(server, path, tmp_path)
    assert result.status == "failed"
    assert result.error is not None and "redirects to an internal address" in result.error


def test_a_public_name_that_resolves_inside_when_connecting_is_refused(
    server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name's first answer was public (the check), the next one, for the
    # connection, is the loopback test server; the body is never read.
    monkeypatch.setattr(fetch_module, "is_internal", lambda url: False)
    result = get(server, "/ok", tmp_path)
    assert result.status == "failed" and result.body is None
    assert result.error is not None
    assert "connected to an internal address (127.0.0.1)" in result.error


def test_a_public_source_read_through_a_proxy_is_not_refused_for_the_proxys_address(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Behind a proxy the socket's address is the proxy's (here a test server's, on
    # loopback): the proxy resolves the names, not this process.
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/ok").respond_with_data(GOOD_BODY)
    monkeypatch.setattr(fetch_module, "is_internal", lambda url: False)
    monkeypatch.setenv("HTTP_PROXY", httpserver.url_for("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = fetch("http://public.example/ok", settings(tmp_path), timeout=TIMEOUT,
                   deadline=DEADLINE, robots=RobotsCache())  # fmt: skip
    assert result.status == "fetched" and result.body == GOOD_BODY, result.error


def test_a_source_on_an_internal_address_may_be_read_from_there(
    server: FaultServer, tmp_path: Path
) -> None:
    result = get(server, "/ok", tmp_path)  # a source the user put on 127.0.0.1 on purpose
    assert result.status == "fetched" and result.body == GOOD_BODY


@pytest.mark.parametrize(
    ("url", "internal"),
    [
        ("http://127.0.0.1/x", True),
        ("http://localhost:8080/", True),
        ("http://10.1.2.3/", True),
        ("http://192.168.0.1/", True),
        ("http://172.16.5.4/", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://[::1]/", True),
        ("http://[fd00::1]/", True),
        ("http://0.0.0.0/", True),
        ("http://8.8.8.8/", False),
        ("http://[2606:4700:4700::1111]/", False),
    ],
)
def test_internal_addresses_are_recognised(url: str, internal: bool) -> None:
    assert is_internal(url) is internal


def test_the_deadline_bounds_retries_that_would_wait_past_it(
    server: FaultServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = get(server, "/503", tmp_path, retries=10, backoff=1.0, deadline=2.0)
    assert result.status == "failed"
    assert result.error is not None and "deadline" in result.error
    assert time.monotonic() - started < 2.0 + SLACK
