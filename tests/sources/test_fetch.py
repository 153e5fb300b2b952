"""pipeline.sources.fetch against local servers only: manners (robots, retries, caps), failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.core.settings import Settings
from pipeline.models import SnapshotMeta, SourceFormat
from pipeline.sources.fetch import FetchResult, RobotsCache, fetch, resolve_source_url

USER_AGENT = "test-pipeline/1.0 (+https://example.org/tests)"
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


class Sleeps(list[float]):
    """An injected sleep that records how long it was asked to wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        raw_dir=tmp_path / "raw",
        state_dir=tmp_path / "state",
        offline=False,
        user_agent=USER_AGENT,
    )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(autouse=True)
def no_robots_rules(httpserver: HTTPServer) -> None:
    """robots.txt 404s (everything allowed) unless a test registers a oneshot handler first."""
    httpserver.expect_request("/robots.txt").respond_with_data("not here", status=404)


@pytest.fixture
def get(settings: Settings, sleeps: Sleeps) -> Callable[..., FetchResult]:
    """fetch() with a fresh robots cache (the test server's port is shared) and no waiting."""

    def run(url: str, **options: Any) -> FetchResult:
        options.setdefault("robots", RobotsCache())
        options.setdefault("sleep", sleeps)
        return fetch(url, options.pop("settings", settings), **options)

    return run


def page_requests(httpserver: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in httpserver.log if request.path == path]


def previous_meta(result: FetchResult) -> SnapshotMeta:
    return SnapshotMeta(
        source_id="s",
        url=result.url,
        kind="workshop",
        format=SourceFormat.html,
        sha256="0" * 64,
        etag=result.etag,
        last_modified=result.last_modified,
    )


# --------------------------------------------------------------------------- conditional GET


def test_unchanged_page_costs_a_304_via_if_none_match_and_if_modified_since(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
    httpserver.expect_oneshot_request("/page").respond_with_data(
        "<html>v1</html>", headers=headers, content_type="text/html"
    )
    httpserver.expect_oneshot_request(
        "/page", headers={"If-None-Match": ETAG, "If-Modified-Since": LAST_MODIFIED}
    ).respond_with_data("", status=304, headers={"ETag": ETAG})
    url = httpserver.url_for("/page")

    first = get(url)
    assert first.status == "fetched"
    assert first.body == b"<html>v1</html>"
    assert (first.http_status, first.etag, first.last_modified) == (200, ETAG, LAST_MODIFIED)
    assert first.content_type is not None and first.content_type.startswith("text/html")

    second = get(url, previous=previous_meta(first))
    assert second.status == "not_modified"
    assert second.body is None
    assert second.http_status == 304
    conditional = page_requests(httpserver, "/page")[1]
    assert conditional.headers["If-None-Match"] == ETAG
    assert conditional.headers["If-Modified-Since"] == LAST_MODIFIED


def test_first_fetch_sends_no_conditional_headers_and_our_user_agent(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_request("/page").respond_with_data("hello")
    assert get(httpserver.url_for("/page")).status == "fetched"
    (request,) = page_requests(httpserver, "/page")
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers
    assert request.headers["User-Agent"] == USER_AGENT
    (robots,) = page_requests(httpserver, "/robots.txt")
    assert robots.headers["User-Agent"] == USER_AGENT


# --------------------------------------------------------------------------- retries


def test_503_is_retried_after_backoff_then_succeeds(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/page").respond_with_data("busy", status=503)
    httpserver.expect_request("/page").respond_with_data("ok")
    result = get(httpserver.url_for("/page"))
    assert result.status == "fetched"
    assert result.body == b"ok"
    assert result.attempts == 2
    assert sleeps == [1.0]


def test_429_waits_the_retry_after_seconds(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/page").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_request("/page").respond_with_data("ok")
    result = get(httpserver.url_for("/page"))
    assert result.status == "fetched"
    assert sleeps == [2.0]


def test_retry_after_as_http_date_is_honoured(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    httpserver.expect_oneshot_request("/page").respond_with_data(
        "", status=503, headers={"Retry-After": when}
    )
    httpserver.expect_request("/page").respond_with_data("ok")
    assert get(httpserver.url_for("/page")).status == "fetched"
    (waited,) = sleeps
    assert 7.0 <= waited <= 10.0


def test_retry_after_beyond_the_limit_fails_instead_of_waiting(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/page").respond_with_data(
        "", status=429, headers={"Retry-After": "86400"}
    )
    result = get(httpserver.url_for("/page"))
    assert result.status == "failed"
    assert result.error is not None and "Retry-After 86400 s is too long" in result.error
    assert sleeps == []


def test_persistent_5xx_fails_after_exponential_backoff(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/page").respond_with_data("down", status=500)
    result = get(httpserver.url_for("/page"))
    assert result.status == "failed"
    assert result.http_status == 500
    assert result.attempts == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert result.error is not None and "HTTP 500" in result.error
    assert "after 4 attempts" in result.error


def test_404_is_final_and_not_retried(
    httpserver: HTTPServer, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/page").respond_with_data("gone", status=404)
    result = get(httpserver.url_for("/page"))
    assert result.status == "failed"
    assert result.http_status == 404
    assert result.error is not None and result.error.startswith("HTTP 404")
    assert len(page_requests(httpserver, "/page")) == 1
    assert sleeps == []


# --------------------------------------------------------------------------- size cap


def test_body_over_the_cap_by_content_length_fails_clearly(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 2000)
    result = get(httpserver.url_for("/big"), max_bytes=1000)
    assert result.status == "failed"
    assert result.body is None
    assert result.error is not None and "over the 1000-byte limit" in result.error


def test_streamed_body_over_the_cap_is_cut_off(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(50):  # no Content-Length: only counting while streaming catches it
            yield b"y" * 100

    httpserver.expect_request("/stream").respond_with_response(Response(chunks()))
    result = get(httpserver.url_for("/stream"), max_bytes=1000)
    assert result.status == "failed"
    assert result.error is not None
    assert "over the 1000-byte limit; download stopped" in result.error


# --------------------------------------------------------------------------- robots.txt


def test_robots_disallowed_page_fails_without_being_requested(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    httpserver.expect_request("/private/page").respond_with_data("secret")
    result = get(httpserver.url_for("/private/page"))
    assert result.status == "failed"
    assert result.error is not None and "robots.txt" in result.error
    assert "disallows" in result.error
    assert page_requests(httpserver, "/private/page") == []


def test_robots_txt_is_read_once_per_host_per_cache(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    httpserver.expect_request("/a").respond_with_data("a")
    httpserver.expect_request("/b").respond_with_data("b")
    robots = RobotsCache()
    assert get(httpserver.url_for("/a"), robots=robots).status == "fetched"
    assert get(httpserver.url_for("/b"), robots=robots).status == "fetched"
    assert get(httpserver.url_for("/private/x"), robots=robots).status == "failed"
    assert len(page_requests(httpserver, "/robots.txt")) == 1


def test_robots_txt_404_allows_everything(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_request("/anything/at/all").respond_with_data("fine")
    assert get(httpserver.url_for("/anything/at/all")).status == "fetched"


def test_robots_txt_403_disallows_everything(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("no", status=403)
    httpserver.expect_request("/page").respond_with_data("page")
    result = get(httpserver.url_for("/page"))
    assert result.status == "failed"
    assert result.error is not None and "disallows" in result.error
    assert page_requests(httpserver, "/page") == []


def test_redirect_into_a_disallowed_path_is_not_followed(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/private/new"}
    )
    httpserver.expect_request("/private/new").respond_with_data("secret")
    result = get(httpserver.url_for("/old"))
    assert result.status == "failed"
    assert result.error is not None and "disallows" in result.error
    assert page_requests(httpserver, "/private/new") == []


def test_allowed_redirect_is_followed_and_final_url_recorded(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data("moved here")
    result = get(httpserver.url_for("/old"))
    assert result.status == "fetched"
    assert result.body == b"moved here"
    assert result.url == httpserver.url_for("/old")
    assert result.final_url == httpserver.url_for("/new")


# --------------------------------------------------------------------------- failures


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server whose robots.txt 404s but which never answers a page request."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:  # accept timed out, or the listener was closed
                continue
            request = b""
            conn.settimeout(1.0)
            try:
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096) or b"\r\n\r\n"
            except OSError:
                pass
            if request.startswith(b"GET /robots.txt"):
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            held.append(conn)  # a page request is never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()
    for conn in held:
        conn.close()


def test_server_that_never_answers_fails_after_the_timeout(
    silent_server: str, get: Callable[..., FetchResult], sleeps: Sleeps
) -> None:
    result = get(f"{silent_server}/page", timeout=0.3)
    assert result.status == "failed"
    assert result.error == f"no answer from {silent_server}/page within 0.3 s"
    assert result.attempts == 1
    assert sleeps == []


def test_connection_refused_fails_with_one_line_message(
    get: Callable[..., FetchResult],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = get(f"http://127.0.0.1:{port}/page", timeout=2.0)
    assert result.status == "failed"
    assert result.error is not None
    assert "\n" not in result.error
    assert result.error == f"could not reach http://127.0.0.1:{port}/robots.txt: Connection refused"


def test_offline_fails_without_any_request(
    httpserver: HTTPServer, get: Callable[..., FetchResult], settings: Settings
) -> None:
    offline = settings.model_copy(update={"offline": True})
    result = get(httpserver.url_for("/page"), settings=offline)
    assert result.status == "failed"
    assert result.error == "offline"
    assert httpserver.log == []


def test_non_http_url_fails_without_raising(get: Callable[..., FetchResult]) -> None:
    result = get("file:///etc/hostname")
    assert result.status == "failed"
    assert result.error == "not an http(s) URL: file:///etc/hostname"


# --------------------------------------------------------------------------- GitHub URLs


@pytest.mark.parametrize(
    ("url", "fetch_url", "commit"),
    [
        pytest.param(
            "https://github.com/owner/repo",
            "https://raw.githubusercontent.com/owner/repo/HEAD/README.md",
            None,
            id="bare-repo",
        ),
        pytest.param(
            "https://github.com/owner/repo.git/",
            "https://raw.githubusercontent.com/owner/repo/HEAD/README.md",
            None,
            id="repo-dot-git",
        ),
        pytest.param(
            "https://github.com/owner/repo/blob/main/README.md",
            "https://raw.githubusercontent.com/owner/repo/main/README.md",
            None,
            id="blob-branch",
        ),
        pytest.param(
            "https://github.com/MinghuiChen43/awesome-deep-phenomena/blob/ad1eb52/README.md",
            "https://raw.githubusercontent.com/MinghuiChen43/awesome-deep-phenomena/ad1eb52/README.md",
            "ad1eb52",
            id="blob-short-sha",
        ),
        pytest.param(
            "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/docs/x.md#top",
            "https://raw.githubusercontent.com/o/r/0123456789abcdef0123456789abcdef01234567/docs/x.md",
            "0123456789abcdef0123456789abcdef01234567",
            id="blob-full-sha-fragment",
        ),
        pytest.param(
            "https://github.com/owner/repo/tree/dev",
            "https://raw.githubusercontent.com/owner/repo/dev/README.md",
            None,
            id="tree",
        ),
        pytest.param(
            "https://github.com/owner/repo/tree/abc1234/docs",
            "https://raw.githubusercontent.com/owner/repo/abc1234/docs/README.md",
            "abc1234",
            id="tree-subfolder-sha",
        ),
        pytest.param(
            "https://raw.githubusercontent.com/owner/repo/deadbeef1/README.md",
            "https://raw.githubusercontent.com/owner/repo/deadbeef1/README.md",
            "deadbeef1",
            id="raw-sha",
        ),
        pytest.param(
            "https://raw.githubusercontent.com/owner/repo/main/README.md",
            "https://raw.githubusercontent.com/owner/repo/main/README.md",
            None,
            id="raw-branch",
        ),
        pytest.param(
            "https://github.com/owner/repo/issues",
            "https://github.com/owner/repo/issues",
            None,
            id="github-non-file",
        ),
        pytest.param(
            "https://icml.cc/virtual/2023/workshop/21475",
            "https://icml.cc/virtual/2023/workshop/21475",
            None,
            id="other-host",
        ),
    ],
)
def test_github_urls_resolve_to_raw_files_and_commits(
    url: str, fetch_url: str, commit: str | None
) -> None:
    resolved = resolve_source_url(url)
    assert resolved.fetch_url == fetch_url
    assert resolved.commit == commit


def test_robots_txt_server_error_blocks_the_host_and_is_asked_again_next_time(
    httpserver: HTTPServer, get: Callable[..., FetchResult]
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("", status=503)
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("", status=503)
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("", status=503)
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("", status=503)
    httpserver.expect_request("/page").respond_with_data("page")
    robots = RobotsCache()
    result = get(httpserver.url_for("/page"), robots=robots)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.startswith("robots.txt unavailable, not fetching: HTTP 503")
    assert page_requests(httpserver, "/page") == []
    # Not cached: once robots.txt answers (404 from the fixture), the page is fetched.
    assert get(httpserver.url_for("/page"), robots=robots).status == "fetched"
