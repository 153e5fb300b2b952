"""core/http.py: the retry policy, Retry-After, the polite session's headers and limiter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer

from pipeline.core.http import (
    GaveUp,
    RetryPolicy,
    Transient,
    one_line,
    parse_retry_after,
    polite_session,
    with_retries,
)


def test_retry_policy_backs_off_exponentially_and_honours_retry_after() -> None:
    policy = RetryPolicy(attempts=4, base_seconds=2, max_seconds=60)
    assert [policy.wait(n, None) for n in range(4)] == [2, 4, 8, 16]
    assert policy.wait(0, 30) == 30  # the server's wish wins over a shorter backoff
    assert policy.wait(3, 1) == 16  # ... but never shortens ours
    assert policy.wait(0, 61) is None  # too long to wait: give up


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    seconds = parse_retry_after(later)
    assert seconds is not None and 85 <= seconds <= 90


def test_with_retries_waits_between_transient_faults_and_gives_up_after_the_attempts() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise Transient("HTTP 503", retry_after=None, status=503)
        return "ok"

    policy = RetryPolicy(attempts=4, base_seconds=1, max_seconds=10)
    assert with_retries(flaky, policy, waits.append) == "ok"
    assert waits == [1, 2]

    def always() -> str:
        raise Transient("HTTP 503", status=503)

    with pytest.raises(GaveUp) as ended:
        with_retries(always, RetryPolicy(attempts=2, base_seconds=1), waits.append)
    assert ended.value.attempts == 2 and not ended.value.wait_refused


def test_with_retries_refuses_a_retry_after_beyond_its_limit_without_waiting() -> None:
    waits: list[float] = []

    def busy() -> str:
        raise Transient("HTTP 429", retry_after=3600, status=429)

    with pytest.raises(GaveUp) as ended:
        with_retries(busy, RetryPolicy(max_retry_after=300), waits.append)
    assert ended.value.wait_refused and ended.value.last.status == 429 and waits == []


def test_the_polite_session_sends_our_user_agent_and_takes_the_limiters_turn(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/", headers={"User-Agent": "paper-pipeline-test"}).respond_with_data(
        "ok"
    )
    turns: list[str] = []

    class Limiter:
        @contextmanager
        def slot(self) -> Iterator[None]:
            turns.append("in")
            yield
            turns.append("out")

    session, adapter = polite_session(
        "paper-pipeline-test", 5.0, limiter=Limiter(), close_connections=True
    )
    with session:
        response = session.get(httpserver.url_for("/"), headers={"User-Agent": "other/1.0"})
    assert response.text == "ok" and response.request.headers["Connection"] == "close"
    assert turns == ["in", "out"] and adapter.requests_sent == 1


def test_network_errors_read_as_one_short_line() -> None:
    nested = OSError(
        "HTTPConnectionPool(host='x', port=1): Max retries exceeded with url: / "
        "(Caused by NewConnectionError('<urllib3...>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )
    assert one_line(nested) == "Connection refused"
    assert len(one_line(OSError("x" * 500))) == 200
