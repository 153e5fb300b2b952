"""README sources that follow their repository: the commit a branch is at, from GitHub's API
(a stand-in on 127.0.0.1), then the file at that commit; pinned URLs stay where they are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from pipeline.core.settings import Settings
from pipeline.models import Source, SourceFormat
from pipeline.sources.config import load_sources
from pipeline.sources.fetch import RobotsCache, follow_mode
from pipeline.sources.snapshots import SnapshotOutcome, read_check, refresh_snapshot
from tests.conftest import PROJECT_DIR
from tests.git_host import GitHost

README_V1 = """# Awesome Tracked

## Papers

- [Deep Double Descent](https://arxiv.org/abs/1912.02292) - bigger models, more data
- [Grokking: Generalization Beyond Overfitting](https://arxiv.org/abs/2201.02177) - late
"""
README_V2 = README_V1 + (
    "- [Omnigrok: Grokking Beyond Algorithmic Data](https://arxiv.org/abs/2210.01117) - more\n"
)


@pytest.fixture
def host(httpserver: HTTPServer) -> GitHost:
    made = GitHost()
    made.install(httpserver)
    return made


@pytest.fixture
def settings(tmp_path: Path, host: GitHost, httpserver: HTTPServer) -> Settings:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "embedded.md").write_text(README_V1)
    return Settings(
        raw_dir=tmp_path / "raw",
        state_dir=tmp_path / "state",
        offline=False,
        **host.settings_for(httpserver),
    )


@pytest.fixture
def tracked(host: GitHost) -> Source:
    return Source(
        id="tracked",
        kind="readme",
        url=host.url,
        snapshot="embedded.md",
        format=SourceFormat.markdown,
    )


Refresh = Callable[..., SnapshotOutcome]


@pytest.fixture
def refresh(settings: Settings) -> Refresh:
    """refresh_snapshot with a fresh robots cache (the test server's port is shared), no waits."""

    def run(source: Source, settings: Settings = settings) -> SnapshotOutcome:
        return refresh_snapshot(source, settings, robots=RobotsCache(), sleep=lambda _: None)

    return run


def files(folder: Path) -> dict[str, int]:
    """Every file under a folder with its modification time: what a run rewrote shows."""
    return {
        path.relative_to(folder).as_posix(): path.stat().st_mtime_ns
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --------------------------------------------------------------------------- which is which


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("https://github.com/ada/list", ("tracking", "default branch")),
        ("https://github.com/ada/list.git", ("tracking", "default branch")),
        ("https://github.com/ada/list/tree/dev", ("tracking", "dev")),
        ("https://github.com/ada/list/blob/main/README.md", ("tracking", "main")),
        ("https://raw.githubusercontent.com/ada/list/main/README.md", ("tracking", "main")),
        ("https://github.com/ada/list/blob/ad1eb52/README.md", ("pinned", "ad1eb52")),
        (
            "https://raw.githubusercontent.com/ada/list/0123456789abcdef0123456789abcdef01234567/x.md",
            ("pinned", "0123456789abcdef0123456789abcdef01234567"),
        ),
        ("https://icml.cc/virtual/2023/workshop/21475", ("page", None)),
        ("file:///notes/reading.md", ("local", None)),
    ],
)
def test_a_repository_or_branch_url_tracks_and_a_commit_url_is_pinned(
    url: str, mode: tuple[str, str | None]
) -> None:
    assert follow_mode(url) == mode


def test_the_embedded_default_tracks_its_lists_default_branch_with_raw_as_fallback() -> None:
    (readme,) = [s for s in load_sources(PROJECT_DIR / "sources.toml") if s.kind == "readme"]
    assert readme.url == "https://github.com/MinghuiChen43/awesome-deep-phenomena"
    assert follow_mode(readme.url) == ("tracking", "default branch")
    assert readme.snapshot is not None and (PROJECT_DIR / "raw" / readme.snapshot).is_file()


# --------------------------------------------------------------------------- tracking


def test_a_tracked_readme_is_read_at_the_commit_its_default_branch_is_at(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    sha = host.push({"README.md": README_V1})
    outcome = refresh(tracked)
    assert outcome.status == "fetched" and outcome.commit == sha
    assert outcome.path.parent == settings.raw_dir / "tracked"
    assert outcome.path.read_text() == README_V1
    assert outcome.meta is not None and outcome.meta.commit == sha
    assert outcome.meta.format is SourceFormat.markdown
    assert outcome.meta.final_url is not None
    assert outcome.meta.final_url.endswith(f"/raw/ada/awesome-tracked/{sha}/README.md")
    assert [seen.path for seen in host.requests] == [
        "/api/repos/ada/awesome-tracked/commits/HEAD",
        f"/raw/ada/awesome-tracked/{sha}/README.md",
    ]
    check = read_check(settings.state_dir, "tracked")
    assert check is not None and (check.status, check.commit) == ("fetched", sha)


def test_an_unchanged_branch_costs_one_conditional_api_request_and_rewrites_nothing(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    sha = host.push({"README.md": README_V1})
    first = refresh(tracked)
    before, asked = files(settings.raw_dir), len(host.requests)

    again = refresh(tracked)
    assert again.status == "not_modified" and again.commit == sha
    assert (again.path, again.sha256) == (first.path, first.sha256)
    (api,) = host.requests[asked:]
    assert api.path.endswith("/commits/HEAD")
    assert (api.status, api.if_none_match) == (304, f'"{sha}"')
    assert files(settings.raw_dir) == before


def test_a_new_commit_is_read_at_that_commit_and_kept_beside_the_first(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    host.push({"README.md": README_V1})
    first = refresh(tracked)
    second_sha = host.push({"README.md": README_V2})
    second = refresh(tracked)
    assert second.status == "fetched" and second.commit == second_sha
    assert second.path != first.path and first.path.is_file()
    assert second.path.read_text() == README_V2
    assert second.meta is not None and second.meta.commit == second_sha
    assert host.raw_requests()[-1].path == f"/raw/ada/awesome-tracked/{second_sha}/README.md"


def test_a_commit_that_leaves_the_readme_alone_costs_a_304_then_nothing_more(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    host.push({"README.md": README_V1})
    first = refresh(tracked)
    before = files(settings.raw_dir)
    other = host.push({"LICENSE": "MIT"})

    moved = refresh(tracked)
    assert moved.status == "not_modified" and moved.commit == other
    assert moved.path == first.path
    assert host.raw_requests()[-1].status == 304  # asked at the new commit, conditionally
    assert files(settings.raw_dir) == before

    asked = len(host.requests)
    settled = refresh(tracked)
    assert settled.status == "not_modified" and settled.commit == other
    assert [seen.status for seen in host.requests[asked:]] == [304]  # the API's, alone


def test_a_tracked_branch_url_follows_that_branch(
    host: GitHost, tracked: Source, refresh: Refresh
) -> None:
    host.push({"README.md": README_V1})
    dev = host.push({"README.md": README_V2}, branch="dev")
    outcome = refresh(tracked.model_copy(update={"url": f"{host.url}/tree/dev"}))
    assert outcome.commit == dev and outcome.path.read_text() == README_V2
    assert host.api_requests()[0].path == "/api/repos/ada/awesome-tracked/commits/dev"


# --------------------------------------------------------------------------- pinned


def test_a_pinned_url_stays_at_its_commit_and_is_not_asked_again(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    pinned_sha = host.push({"README.md": README_V1})
    host.push({"README.md": README_V2})
    pinned = tracked.model_copy(update={"url": f"{host.url}/blob/{pinned_sha[:7]}/README.md"})

    first = refresh(pinned)
    assert first.status == "fetched" and first.path.read_text() == README_V1
    assert first.commit == pinned_sha[:7]
    assert host.api_requests() == []
    assert [seen.path for seen in host.raw_requests()] == [
        f"/raw/ada/awesome-tracked/{pinned_sha[:7]}/README.md"
    ]

    asked = len(host.requests)
    again = refresh(pinned)
    assert again.status == "not_modified" and again.path == first.path
    assert len(host.requests) == asked  # a commit's files never change: nothing to ask


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("status", "headers", "asked", "reason"),
    [
        pytest.param(
            403,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"},
            1,
            "GitHub API rate limit reached (resets at 00:00 UTC): HTTP 403",
            id="rate-limit-403",
        ),
        pytest.param(
            429,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"},
            1,
            "GitHub API rate limit reached (resets at 00:00 UTC): HTTP 429",
            id="rate-limit-429-not-retried",
        ),
        pytest.param(503, {}, 4, "GitHub API: HTTP 503 SERVICE UNAVAILABLE from", id="down"),
    ],
)
def test_an_api_failure_falls_back_to_the_last_good_snapshot_with_a_note(
    host: GitHost,
    tracked: Source,
    refresh: Refresh,
    status: int,
    headers: dict[str, str],
    asked: int,
    reason: str,
) -> None:
    host.push({"README.md": README_V1})
    good = refresh(tracked)
    host.push({"README.md": README_V2})
    host.api_fault = (status, headers)
    before = len(host.requests)

    outcome = refresh(tracked)
    assert outcome.status == "fallback"
    assert (outcome.path, outcome.commit) == (good.path, good.commit)
    assert outcome.note is not None and "\n" not in outcome.note
    assert outcome.note.startswith(f"tracked: fetch failed ({reason}")
    assert outcome.note.endswith(f"; using last good snapshot raw/tracked/{good.path.name}")
    seen = host.requests[before:]
    assert len(seen) == asked and all(request.api for request in seen)


def test_the_first_online_run_replaces_the_embedded_snapshot_without_touching_it(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    embedded = settings.raw_dir / "embedded.md"
    untouched = (embedded.read_bytes(), embedded.stat().st_mtime_ns)

    offline = refresh(tracked, settings=settings.model_copy(update={"offline": True}))
    assert (offline.status, offline.path) == ("embedded", embedded)
    assert host.requests == []  # offline asks nobody, the API included

    host.push({"README.md": README_V2})
    online = refresh(tracked)
    assert online.status == "fetched" and online.path.parent == settings.raw_dir / "tracked"

    host.api_fault = (503, {})
    later = refresh(tracked)
    assert (later.status, later.path) == ("fallback", online.path)  # the last good copy
    assert (embedded.read_bytes(), embedded.stat().st_mtime_ns) == untouched
    assert sorted(path.name for path in settings.raw_dir.iterdir()) == ["embedded.md", "tracked"]


def test_an_empty_readme_at_a_new_commit_never_replaces_the_last_good_copy(
    host: GitHost, tracked: Source, refresh: Refresh
) -> None:
    host.push({"README.md": README_V1})
    good = refresh(tracked)
    host.push({"README.md": ""})
    emptied = refresh(tracked)
    assert (emptied.status, emptied.path) == ("fallback", good.path)
    assert emptied.note is not None and "unusable body" in emptied.note


# --------------------------------------------------------------------------- a token


def test_a_github_token_goes_to_the_api_only(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    sha = host.push({"README.md": README_V1})
    with_token = settings.model_copy(update={"github_token": SecretStr("ghp_secret")})
    outcome = refresh(tracked, with_token)
    assert outcome.status == "fetched" and outcome.commit == sha
    (api,) = host.api_requests()
    (raw,) = host.raw_requests()
    assert api.authorization == "Bearer ghp_secret"
    assert raw.authorization is None  # the file host never sees it
    state = settings.state_dir.rglob("*")
    written = b"".join(path.read_bytes() for path in state if path.is_file())
    assert b"ghp_secret" not in written
    assert "ghp_secret" not in repr(with_token)


def test_a_github_token_is_not_carried_through_a_redirect_to_another_host(
    host: GitHost, settings: Settings, tracked: Source, refresh: Refresh
) -> None:
    sha = host.push({"README.md": README_V1})
    elsewhere = HTTPServer(host="127.0.0.1", port=0)  # another port: another origin
    elsewhere.expect_request("/commits/HEAD").respond_with_data(sha)
    elsewhere.start()
    try:
        host.api_fault = (307, {"Location": elsewhere.url_for("/commits/HEAD")})
        with_token = settings.model_copy(update={"github_token": SecretStr("ghp_secret")})
        outcome = refresh(tracked, with_token)
        ((request, _),) = elsewhere.log
    finally:
        elsewhere.clear()
        elsewhere.stop()
    assert outcome.status == "fetched" and outcome.commit == sha
    assert host.api_requests()[0].authorization == "Bearer ghp_secret"
    assert "Authorization" not in request.headers
