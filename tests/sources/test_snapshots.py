"""pipeline.sources.snapshots: the content-addressed store in raw/ and its fallbacks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline.core.errors import SourceConfigError
from pipeline.core.ids import sha256_bytes
from pipeline.core.settings import Settings
from pipeline.models import Source, SourceFormat
from pipeline.sources.config import load_sources
from pipeline.sources.fetch import FetchResult, RobotsCache
from pipeline.sources.snapshots import (
    SnapshotOutcome,
    latest_snapshot,
    read_check,
    read_snapshot_meta,
    refresh_snapshot,
    store_snapshot,
)
from tests.conftest import PROJECT_DIR

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
HILD_SNAPSHOT = "002_018b3c99b71c7c41.txt"


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A copy of the project's raw/ (the embedded default snapshots)."""
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    return tmp_path / "raw"


@pytest.fixture
def settings(tmp_path: Path, raw_dir: Path) -> Settings:
    return Settings(raw_dir=raw_dir, state_dir=tmp_path / "state", offline=False)


@pytest.fixture
def hild() -> Source:
    """The real icml-2023-hild entry of sources.toml."""
    sources = load_sources(PROJECT_DIR / "sources.toml")
    return next(source for source in sources if source.id == "icml-2023-hild")


@pytest.fixture(autouse=True)
def no_robots_rules(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


@pytest.fixture
def served(httpserver: HTTPServer, hild: Source) -> Source:
    """icml-2023-hild pointed at the local test server (its embedded snapshot kept)."""
    return hild.model_copy(update={"url": httpserver.url_for("/workshop/21475")})


@pytest.fixture
def refresh(settings: Settings) -> Callable[..., SnapshotOutcome]:
    """refresh_snapshot with a fresh robots cache (the test server's port is shared), no waits."""

    def run(source: Source, settings: Settings = settings) -> SnapshotOutcome:
        return refresh_snapshot(source, settings, robots=RobotsCache(), sleep=lambda _: None)

    return run


def fetched(
    body: bytes,
    at: datetime = T0,
    *,
    url: str = "https://icml.cc/virtual/2023/workshop/21475",
    content_type: str | None = "text/html; charset=utf-8",
    etag: str | None = '"e1"',
) -> FetchResult:
    return FetchResult(
        status="fetched",
        url=url,
        fetch_url=url,
        final_url=url,
        fetched_at=at,
        body=body,
        http_status=200,
        etag=etag,
        last_modified="Wed, 21 Oct 2015 07:28:00 GMT",
        content_type=content_type,
    )


def snapshot_files(raw_dir: Path, source_id: str) -> dict[str, int]:
    """Every file in a source's snapshot folder, with its modification time."""
    folder = raw_dir / source_id
    return {path.name: path.stat().st_mtime_ns for path in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- the store


def test_snapshot_is_named_by_content_with_meta_beside_it(raw_dir: Path, hild: Source) -> None:
    body = b"<html><body>HiLD</body></html>"
    stored = store_snapshot(raw_dir, hild, fetched(body))
    digest = sha256_bytes(body)
    assert stored.path == raw_dir / "icml-2023-hild" / f"{digest[:16]}.html"
    assert stored.path.read_bytes() == body
    assert stored.meta_path == raw_dir / "icml-2023-hild" / f"{digest[:16]}.meta.json"
    assert stored.created
    meta = read_snapshot_meta(stored.path)
    assert meta == stored.meta
    assert meta is not None
    assert (meta.source_id, meta.url, meta.kind) == (hild.id, hild.url, hild.kind)
    assert (meta.format, meta.sha256) == (SourceFormat.html, digest)
    assert (meta.http_status, meta.etag) == (200, '"e1"')
    assert meta.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert meta.fetched_at == meta.captured_at == T0
    assert (meta.venue, meta.date, meta.timezone) == (hild.venue, hild.date, hild.timezone)


def test_identical_bytes_are_stored_once(raw_dir: Path, hild: Source) -> None:
    first = store_snapshot(raw_dir, hild, fetched(b"same page"))
    later = T0 + timedelta(days=1)
    second = store_snapshot(raw_dir, hild, fetched(b"same page", later, etag='"e2"'))
    assert second.path == first.path
    assert not second.created
    assert len(list((raw_dir / hild.id).iterdir())) == 2  # one body, one meta
    # The metadata follows the latest fetch; captured_at keeps the first.
    assert second.meta.fetched_at == later
    assert second.meta.captured_at == T0
    assert second.meta.etag == '"e2"'


@pytest.mark.parametrize(
    ("content_type", "url", "suffix", "fmt"),
    [
        ("text/html; charset=utf-8", "https://icml.cc/virtual/2023/workshop/1", ".html", "html"),
        ("text/markdown", "https://example.org/page", ".md", "markdown"),
        (
            "text/plain; charset=utf-8",
            "https://raw.githubusercontent.com/o/r/HEAD/README.md",
            ".md",
            "markdown",
        ),
        ("text/plain", "https://example.org/notes", ".txt", "text"),
        (None, "https://example.org/page.htm", ".html", "html"),
    ],
)
def test_extension_follows_content_type_then_url(
    raw_dir: Path, hild: Source, content_type: str | None, url: str, suffix: str, fmt: str
) -> None:
    body = b"<p>body</p>" if fmt == "html" else b"body"
    stored = store_snapshot(raw_dir, hild, fetched(body, url=url, content_type=content_type))
    assert stored.path.suffix == suffix
    assert stored.meta.format == SourceFormat(fmt)


@pytest.mark.parametrize(
    ("content_type", "body", "fmt"),
    [
        # Page text served as HTML (a proxy's default type) is not HTML: no tag at all.
        ("text/html", b"Workshop\nSat 9 a.m.\nOpening remarks\n", "text"),
        ("text/html", b"# Papers\n\n- [A](https://arxiv.org/abs/2101.00001)\n", "markdown"),
        # A whole HTML document is HTML whatever its type says.
        ("text/plain", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        # A README that opens with <div align="center"> stays markdown.
        ("text/markdown", b'<div align="center">Logo</div>\n\n# Papers\n', "markdown"),
    ],
)
def test_a_declared_type_never_overrides_what_the_body_plainly_is(
    raw_dir: Path, hild: Source, content_type: str, body: bytes, fmt: str
) -> None:
    stored = store_snapshot(
        raw_dir, hild, fetched(body, url="https://x.org/p", content_type=content_type)
    )
    assert stored.meta.format == SourceFormat(fmt)


def test_failed_write_leaves_no_partial_or_temporary_file(
    raw_dir: Path, hild: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("pipeline.core.files.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store_snapshot(raw_dir, hild, fetched(b"never lands"))
    assert list((raw_dir / hild.id).iterdir()) == []


def test_store_leaves_only_the_snapshot_and_its_meta(raw_dir: Path, hild: Source) -> None:
    store_snapshot(raw_dir, hild, fetched(b"<p>one</p>"))
    store_snapshot(raw_dir, hild, fetched(b"<p>one</p>", T0 + timedelta(hours=1)))
    names = sorted(path.name for path in (raw_dir / hild.id).iterdir())
    stem = sha256_bytes(b"<p>one</p>")[:16]
    assert names == [f"{stem}.html", f"{stem}.meta.json"]


def test_latest_snapshot_is_the_newest_fetch(raw_dir: Path, hild: Source) -> None:
    assert latest_snapshot(raw_dir, hild) is None
    store_snapshot(raw_dir, hild, fetched(b"old", T0))
    newest = store_snapshot(raw_dir, hild, fetched(b"new", T0 + timedelta(hours=2)))
    store_snapshot(raw_dir, hild, fetched(b"middle", T0 + timedelta(hours=1)))
    assert latest_snapshot(raw_dir, hild) == (newest.path, newest.meta)


def test_latest_snapshot_ties_are_broken_by_name(raw_dir: Path, hild: Source) -> None:
    stored = [store_snapshot(raw_dir, hild, fetched(body, T0)) for body in (b"a", b"b", b"c")]
    winner = max(stored, key=lambda snapshot: snapshot.path.name)
    assert latest_snapshot(raw_dir, hild) == (winner.path, winner.meta)


def test_page_reverting_to_earlier_bytes_makes_them_latest_again(
    raw_dir: Path, hild: Source
) -> None:
    first = store_snapshot(raw_dir, hild, fetched(b"A", T0))
    store_snapshot(raw_dir, hild, fetched(b"B", T0 + timedelta(hours=1)))
    store_snapshot(raw_dir, hild, fetched(b"A", T0 + timedelta(hours=2)))
    latest = latest_snapshot(raw_dir, hild)
    assert latest is not None
    assert latest[0] == first.path


def test_latest_snapshot_skips_entries_with_broken_meta(raw_dir: Path, hild: Source) -> None:
    good = store_snapshot(raw_dir, hild, fetched(b"good", T0))
    broken = store_snapshot(raw_dir, hild, fetched(b"broken", T0 + timedelta(hours=1)))
    broken.meta_path.write_text("{not json")
    assert latest_snapshot(raw_dir, hild) == (good.path, good.meta)


# --------------------------------------------------------------------------- refresh


def test_refresh_offline_falls_back_to_the_embedded_snapshot_and_says_so(
    refresh: Callable[..., SnapshotOutcome], settings: Settings, raw_dir: Path, hild: Source
) -> None:
    offline = settings.model_copy(update={"offline": True})
    outcome = refresh(hild, settings=offline)
    assert outcome.status == "embedded"
    assert outcome.path == raw_dir / HILD_SNAPSHOT
    assert outcome.sha256 == sha256_bytes((raw_dir / HILD_SNAPSHOT).read_bytes())
    assert outcome.meta is not None and outcome.meta.sha256 == outcome.sha256
    assert outcome.note == (
        f"icml-2023-hild: fetch failed (offline); using embedded snapshot raw/{HILD_SNAPSHOT}"
    )
    assert not (raw_dir / hild.id).exists()


def test_refresh_fetches_and_stores_a_new_snapshot(
    httpserver: HTTPServer,
    refresh: Callable[..., SnapshotOutcome],
    raw_dir: Path,
    served: Source,
) -> None:
    httpserver.expect_request("/workshop/21475").respond_with_data(
        "<html>HiLD</html>", content_type="text/html"
    )
    outcome = refresh(served)
    assert outcome.status == "fetched"
    assert outcome.note is None
    assert outcome.path.parent == raw_dir / served.id
    assert outcome.path.read_bytes() == b"<html>HiLD</html>"
    assert outcome.meta is not None and outcome.meta.url == served.url


def test_refresh_falls_back_to_the_last_fetched_snapshot_when_the_fetch_fails(
    httpserver: HTTPServer,
    refresh: Callable[..., SnapshotOutcome],
    raw_dir: Path,
    served: Source,
) -> None:
    httpserver.expect_oneshot_request("/workshop/21475").respond_with_data("<html>v1</html>")
    httpserver.expect_request("/workshop/21475").respond_with_data("down", status=500)
    good = refresh(served)
    assert good.status == "fetched"

    outcome = refresh(served)
    assert outcome.status == "fallback"
    assert (outcome.path, outcome.sha256) == (good.path, good.sha256)
    shown = f"raw/{served.id}/{good.path.name}"
    assert outcome.note is not None
    assert outcome.note.startswith(f"{served.id}: fetch failed (HTTP 500")
    assert outcome.note.endswith(f"; using last good snapshot {shown}")
    assert "\n" not in outcome.note


def test_refresh_offline_after_a_success_uses_the_last_fetched_snapshot(
    httpserver: HTTPServer,
    refresh: Callable[..., SnapshotOutcome],
    settings: Settings,
    served: Source,
) -> None:
    httpserver.expect_request("/workshop/21475").respond_with_data("<html>v1</html>")
    good = refresh(served)
    requests_before = len(httpserver.log)
    outcome = refresh(served, settings=settings.model_copy(update={"offline": True}))
    assert outcome.status == "fallback"
    assert outcome.path == good.path
    assert outcome.note is not None and "fetch failed (offline)" in outcome.note
    assert len(httpserver.log) == requests_before


def test_refresh_not_modified_returns_the_previous_snapshot_without_writing(
    httpserver: HTTPServer,
    refresh: Callable[..., SnapshotOutcome],
    settings: Settings,
    raw_dir: Path,
    served: Source,
) -> None:
    httpserver.expect_oneshot_request("/workshop/21475").respond_with_data(
        "<html>v1</html>", headers={"ETag": '"v1"'}
    )
    httpserver.expect_oneshot_request(
        "/workshop/21475", headers={"If-None-Match": '"v1"'}
    ).respond_with_data("", status=304)
    first = refresh(served)
    files_before = snapshot_files(raw_dir, served.id)

    outcome = refresh(served)
    assert outcome.status == "not_modified"
    assert outcome.note is None
    assert (outcome.path, outcome.sha256, outcome.meta) == (first.path, first.sha256, first.meta)
    assert snapshot_files(raw_dir, served.id) == files_before
    check = read_check(settings.state_dir, served.id)
    assert check is not None
    assert (check.status, check.http_status) == ("not_modified", 304)


def test_refresh_keeps_the_last_snapshot_when_the_body_is_unusable(
    httpserver: HTTPServer, refresh: Callable[..., SnapshotOutcome], raw_dir: Path, served: Source
) -> None:
    httpserver.expect_request("/workshop/21475").respond_with_data("   ")
    outcome = refresh(served)
    assert outcome.status == "embedded"
    assert outcome.note is not None and "unusable body" in outcome.note
    assert not (raw_dir / served.id).exists()


def test_refresh_of_a_non_http_source_uses_the_embedded_snapshot(
    refresh: Callable[..., SnapshotOutcome], raw_dir: Path, hild: Source
) -> None:
    local = hild.model_copy(update={"url": (raw_dir / HILD_SNAPSHOT).as_uri()})
    outcome = refresh(local)
    assert outcome.status == "embedded"
    assert outcome.path == raw_dir / HILD_SNAPSHOT
    assert outcome.note is None


def test_refresh_with_nothing_to_fall_back_on_raises_a_config_error(
    refresh: Callable[..., SnapshotOutcome], settings: Settings
) -> None:
    bare = Source(id="bare", kind="readme", url="https://example.org/readme")
    with pytest.raises(SourceConfigError, match="no embedded snapshot"):
        refresh(bare, settings=settings.model_copy(update={"offline": True}))
