"""A whole conference from 127.0.0.1: its workshop listing, three workshop pages (schedule
rows, a page the grammar reads, a sign-in page), a two-page feed with its abstracts
sidecar; a README beside it. One refresh writes every dataset; the second asks only
conditionally and writes nothing new."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from pipeline.core.settings import Settings
from pipeline.models import ItemType
from pipeline.run import steps
from pipeline.run.refresh import refresh
from pipeline.sources.fetch import DEFAULT_ROBOTS
from pipeline.store.versions import read_table
from tests.conftest import PROJECT_DIR
from tests.fake_arxiv import FakeArxiv
from tests.parse.events.virtual_site import (
    Card,
    Row,
    feed_record,
    listing_page,
    schedule_rows_page,
    sign_in_page,
)

SHARED_TITLE = "Shared Poster Title"


@dataclass
class Site:
    """Documents by path (query included); ETags from their bytes; every request logged."""

    documents: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, If-None-Match)

    def handle(self, request: Request) -> Response:
        path = request.full_path.rstrip("?")
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        self.requests.append((path, request.headers.get("If-None-Match")))
        if path not in self.documents:
            return Response("not found", status=404)
        body, content_type = self.documents[path]
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})


def workshop_pages() -> dict[str, str]:
    rows = [
        Row("Poster Session", "Poster Session", "Fri 10:00 a.m. - 11:00 a.m.", site_id=11),
        Row(SHARED_TITLE, "Poster", authors=["Ann Lee", "Bo Chen"], site_id=12, paper=True),
        Row("A Workshop-Only Poster", "Poster", authors=["Cy Dee"], site_id=13, paper=True),
    ]
    grammar_page = (
        "<html><body><h3>Workshop</h3><h2>Learning Dynamics Day</h2>"
        "<table><tr><td>Sat 9:00 a.m. - 9:30 a.m.</td><td><div>Welcome</div>"
        "<div>(Remarks)</div><div>Dee Vee 🔗</div></td></tr></table></body></html>"
    )
    return {
        "/virtual/2023/workshop/101": schedule_rows_page("Sequence Models", ["Ann Lee"], rows),
        "/virtual/2023/workshop/102": grammar_page,
        "/virtual/2023/workshop/103": sign_in_page("Members Only Workshop", ["Eve Fox"]),
    }


def conference_site() -> Site:
    cards = [
        Card(101, "Sequence Models", "Workshop", ["Ann Lee"], time="Fri 28 Jul 9 a.m. PDT",
             path="workshop"),
        Card(102, "Learning Dynamics Day", "Workshop", ["Dee Vee"], time="Sat 29 Jul 9 a.m. PDT",
             path="workshop"),
        Card(103, "Members Only Workshop", "Workshop", ["Eve Fox"], path="workshop"),
    ]  # fmt: skip
    feed = "/static/virtual/data/icml-2023-orals-posters.json"
    first = {
        "count": 3,
        "next": f"{feed}?page=2",
        "previous": None,
        "results": [
            feed_record(
                1, "Paper One", related_events_ids=[3], starttime="2023-07-25T10:00:00-07:00"
            ),
            feed_record(2, SHARED_TITLE, starttime="2023-07-25T10:00:00-07:00"),
        ],
    }
    second = {
        "count": 3,
        "next": None,
        "previous": feed,
        "results": [feed_record(3, "Paper One", eventtype="Oral", decision="Accept (oral)")],
    }
    for result in first["results"] + second["results"]:
        result.pop("abstract", None)  # 2026 on: abstracts come in the sidecar
    sidecar = {"1": "Abstract one.", "2": "Abstract two.", "3": "Abstract one."}
    html, js = "text/html; charset=utf-8", "application/json"
    documents = {
        "/virtual/2023/events/workshop": (listing_page(cards, "Workshops"), html),
        feed: (json.dumps(first), js),
        f"{feed}?page=2": (json.dumps(second), js),
        "/static/virtual/data/icml-2023-abstracts.json": (json.dumps(sidecar), js),
    }
    documents.update({path: (body, html) for path, body in workshop_pages().items()})
    return Site(documents)


README = f"""# Reading list

## Papers

- [{SHARED_TITLE}](https://example.org/shared.pdf) - seen at a workshop
- [Another Name For Paper One](https://openreview.net/forum?id=forum1) - its forum
"""


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[Site]:
    made = conference_site()
    httpserver.expect_request(re.compile(r"^/.*$")).respond_with_handler(made.handle)
    DEFAULT_ROBOTS.clear()  # the test server's port is shared by the tests
    yield made
    DEFAULT_ROBOTS.clear()


@pytest.fixture
def settings(tmp_path: Path, site: Site, httpserver: HTTPServer) -> Iterator[Settings]:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "reading.md").write_text(README)
    listing = httpserver.url_for("/virtual/2023/events/workshop")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nid = "reading"\nkind = "readme"\nurl = "file:///reading.md"\n'
        'snapshot = "reading.md"\nformat = "markdown"\n\n'
        f'[[source]]\nid = "icml-2023"\nkind = "conference"\nurl = "{listing}"\n'
        'timezone = "America/Los_Angeles"\n'
    )
    with FakeArxiv() as arxiv:
        yield arxiv.folder_settings(tmp_path, fetch_delay_seconds=0.0)


def raw_files(settings: Settings) -> set[Path]:
    return {path for path in settings.raw_dir.rglob("*") if path.is_file()}


def table(settings: Settings, dataset: str, name: str = "records") -> list[dict[str, Any]]:
    return read_table(settings.processed_dir, dataset, table=name)


def test_one_refresh_writes_every_dataset_and_a_second_asks_only_conditionally(
    site: Site, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = refresh(settings)
    written = {result.dataset: result.status for result in summary.results}
    assert written == {
        "reading": "written",
        "icml-2023": "written",
        "icml-2023-workshop-101": "written",
        "icml-2023-workshop-102": "written",
        "icml-2023-workshop-103": "written",
        "icml-2023-orals-posters": "written",
        "papers": "written",
    }
    # The sign-in page is a note naming it, not a silent empty dataset.
    (sign_in,) = [note for note in summary.notes if "asks to sign in" in note]
    assert "icml-2023-workshop-103" in sign_in and "/virtual/2023/workshop/103" in sign_in
    assert summary.skipped == []

    # The conference's own dataset is its listing; each workshop its page.
    assert [row["title"] for row in table(settings, "icml-2023")] == [
        "Sequence Models",
        "Learning Dynamics Day",
        "Members Only Workshop",
    ]
    rows = table(settings, "icml-2023-workshop-101")
    assert [(r["title"], r["session"]) for r in rows if r["type"] == ItemType.poster] == [
        (SHARED_TITLE, "Poster Session"),
        ("A Workshop-Only Poster", "Poster Session"),
    ]
    (event,) = table(settings, "icml-2023-workshop-102", "events")
    assert (event["title"], event["date"]) == ("Learning Dynamics Day", "2023-07-29")
    welcome = table(settings, "icml-2023-workshop-102")[0]
    assert welcome["start_at"] == "2023-07-29T09:00:00-07:00"
    assert table(settings, "icml-2023-workshop-103") == []

    # The feed: both pages, abstracts from the sidecar, one paper per related group.
    feed = table(settings, "icml-2023-orals-posters")
    assert [(r["site_id"], r["abstract"]) for r in feed] == [
        ("1", "Abstract one."),
        ("2", "Abstract two."),
        ("3", "Abstract one."),
    ]
    feed_papers = table(settings, "icml-2023-orals-posters", "papers")
    assert [len(paper["presentations"]) for paper in feed_papers] == [2, 1]

    # One paper: the feed's, the workshop poster and the README card with the same title;
    # one more: the feed's oral and poster and the card with the same OpenReview forum.
    papers = table(settings, "papers")
    shared = next(p for p in papers if p["title"] == SHARED_TITLE)
    assert sorted(a["source_id"] for a in shared["appearances"]) == [
        "icml-2023-orals-posters",
        "icml-2023-workshop-101",
        "reading",
    ]
    one = next(p for p in papers if "forum1" in p["openreview_ids"])
    assert sorted(a["source_id"] for a in one["appearances"]) == [
        "icml-2023-orals-posters",
        "icml-2023-orals-posters",
        "reading",
    ]
    assert "openreview_id" in {evidence["rule"] for evidence in one["evidence"]}

    # The second refresh: every page asked with its ETag, nothing parsed, nothing written.
    before = raw_files(settings)
    site.requests.clear()
    monkeypatch.setattr(steps, "parse_snapshot", lambda *_: pytest.fail("parsed again"))
    again = refresh(settings)
    assert {result.status for result in again.results} == {"unchanged"}
    assert sorted(path for path, _ in site.requests) == sorted(site.documents)
    assert all(etag is not None for _, etag in site.requests)
    assert raw_files(settings) == before
    assert [note for note in again.notes if "asks to sign in" in note] == [sign_in]


def test_a_part_already_in_sources_toml_is_read_once_as_the_user_defined_it(
    site: Site, settings: Settings, httpserver: HTTPServer
) -> None:
    own = httpserver.url_for("/virtual/2023/workshop/102")
    with settings.sources_file.open("a") as sources:
        sources.write(f'\n[[source]]\nid = "my-workshop"\nkind = "workshop"\nurl = "{own}"\n')
    summary = refresh(settings)
    datasets = {result.dataset for result in summary.results}
    assert "my-workshop" in datasets and "icml-2023-workshop-102" not in datasets
    assert [path for path, _ in site.requests].count("/virtual/2023/workshop/102") == 1


def test_refresh_of_another_source_relinks_the_conference_parts_from_their_versions(
    site: Site, settings: Settings
) -> None:
    refresh(settings)
    papers = table(settings, "papers")
    site.requests.clear()
    (settings.raw_dir / "reading.md").write_text(README + "- [A New Card](https://example.org/n)\n")
    summary = refresh(settings, source_ids=["reading"])
    assert {result.dataset: result.status for result in summary.results} == {
        "reading": "written",
        "papers": "written",
    }
    assert site.requests == []  # neither the conference nor its parts were asked
    relinked = {paper["title"]: paper for paper in table(settings, "papers")}
    assert set(relinked) == {paper["title"] for paper in papers} | {"A New Card"}
    shared = relinked[SHARED_TITLE]  # its workshop and feed appearances come from storage
    assert sorted(a["source_id"] for a in shared["appearances"]) == [
        "icml-2023-orals-posters",
        "icml-2023-workshop-101",
        "reading",
    ]


def test_parts_are_paced_with_the_fetch_delay(
    site: Site, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)  # nothing waits for real
    refresh(settings.model_copy(update={"fetch_delay_seconds": 30.0}))
    # Three workshop pages, then the feed's first page, its second page and its sidecar,
    # one after the other on one host: each waits for the delay since the one before.
    paced = [wait for wait in waits if wait > 1.0]
    assert len(paced) == 5 and all(wait <= 30.0 for wait in paced)


@pytest.mark.slow
def test_the_prefect_refresh_flow_reads_a_whole_conference(
    site: Site, settings: Settings, tmp_path: Path
) -> None:
    """The chain as the flow runs it: parts fetched in one task, the rest mapped."""
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PIPELINE_")},
        "PIPELINE_SOURCES_FILE": str(settings.sources_file),
        "PIPELINE_RAW_DIR": str(settings.raw_dir),
        "PIPELINE_PROCESSED_DIR": str(settings.processed_dir),
        "PIPELINE_STATE_DIR": str(tmp_path / "prefect-state"),
        "PIPELINE_ARXIV_API_URL": settings.arxiv_api_url,
        "PIPELINE_ARXIV_DELAY_SECONDS": "0",
        "PIPELINE_FETCH_DELAY_SECONDS": "0",
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "refresh", "--json"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    summary = json.loads(done.stdout)
    statuses = {result["dataset"]: result["status"] for result in summary["results"]}
    for dataset in ("icml-2023", "icml-2023-workshop-101", "icml-2023-orals-posters"):
        assert statuses[dataset] == "written"
    assert any(note.startswith("icml-2023-workshop-103:") for note in summary["notes"])
