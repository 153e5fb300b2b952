"""The virtual sites' JSON feed: pages, the abstracts sidecar, one paper per related group."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pipeline.link.event_papers import papers_from_event
from pipeline.models import ItemType, Link, Source
from pipeline.parse.events.feed import feed_continuations, read_feed
from tests.conftest import SHARED_DIR, require
from tests.parse.events.virtual_site import feed_page as page
from tests.parse.events.virtual_site import feed_record as record

SAMPLE = SHARED_DIR / "corpus" / "virtual-feed" / "neurips-2025-orals-posters.excerpt.json"
FEED_URL = "https://icml.cc/static/virtual/data/icml-2026-orals-posters.json"
SOURCE = Source(id="icml-2026-orals-posters", kind="feed", url=FEED_URL, venue="ICML 2026")
PST = timezone(timedelta(hours=-8))


def test_the_shared_sample_parses_into_presentations_with_every_field() -> None:
    text = require(SAMPLE).read_text(encoding="utf-8")
    source = Source(
        id="neurips-2025",
        kind="feed",
        url="https://neurips.cc/static/virtual/data/neurips-2025-orals-posters.json",
    )
    reading = read_feed([text], source)
    doc = reading.document
    assert [item.type for item in doc.items] == [ItemType.poster, ItemType.poster, ItemType.oral]
    poster, _, oral = doc.items
    assert poster.title == "Coloring Learning for Heterophilic Graph Representation"
    assert poster.authors[:2] == ["Miaomiao Huang", "Yuhai Zhao"]
    assert poster.author_details[0].institution == "Northeastern University"
    assert (poster.session, poster.room, poster.poster_position) == (
        "San Diego Poster Session 6",
        "Exhibit Hall C,D,E",
        "#2504",
    )
    assert poster.start_at == datetime(2025, 12, 5, 16, 30, tzinfo=PST)
    assert poster.url == "https://neurips.cc/virtual/2025/poster/119718"
    assert (
        Link(label="OpenReview", url="https://openreview.net/forum?id=7HVADbW8fh") in poster.links
    )
    assert (oral.decision, oral.topic) == ("Accept (oral)", None)
    # HTML-escaped institutions are decoded.
    assert oral.author_details[0].institution == "Texas A&M University"
    assert doc.event.kind == "feed" and doc.event.year == 2025
    # The excerpt says the live feed holds 5990: honest about holding 3.
    assert [w.message for w in doc.warnings] == [
        "the feed says it holds 5990 presentations; its 1 page(s) hold 3"
    ]
    papers = papers_from_event(doc, reading.same_paper)
    assert [paper.openreview_id for paper in papers] == ["7HVADbW8fh", "1tzlbKySxX", "1kPO9vCRbg"]


def test_pages_and_sidecar_merge_and_related_presentations_are_one_paper() -> None:
    first = page(
        [record(1, "Paper One", abstract=None, related_events_ids=[3]), record(2, "Paper Two")],
        next_url="?page=2",
    )
    second = page([record(3, "Paper One (Oral)", eventtype="Oral", decision="Accept (oral)",
                          abstract="")])  # fmt: skip
    sidecar = json.dumps({"1": "The abstract of one.", "3": "The abstract of one, again."})
    reading = read_feed([first, second, sidecar], SOURCE)
    doc = reading.document
    assert [item.id for item in doc.items] == [
        "icml-2026-orals-posters-1",
        "icml-2026-orals-posters-2",
        "icml-2026-orals-posters-3",
    ]
    one, two, oral = doc.items
    assert one.abstract == "The abstract of one."  # from the sidecar
    assert two.abstract is None  # neither inline nor in the sidecar
    assert (oral.type, oral.abstract) == (ItemType.oral, "The abstract of one, again.")
    papers = papers_from_event(doc, reading.same_paper)
    assert [[p.item_id for p in paper.presentations] for paper in papers] == [
        ["icml-2026-orals-posters-1", "icml-2026-orals-posters-3"],
        ["icml-2026-orals-posters-2"],
    ]
    assert papers[0].decision == "Accept (poster)"
    assert [w.message for w in doc.warnings] == [
        "1 presentation(s) without an abstract (none in the sidecar either)"
    ]


def test_what_the_feed_reader_cannot_use_is_a_warning_naming_the_record() -> None:
    results = [
        record(1, "Good"),
        record(1, "Twice"),
        {"id": 4, "name": ""},
        "not an object",
        record(5, "Naive time", starttime="2026-07-14T10:00:00"),
        record(6, "A tutorial", eventtype="Tutorial"),
    ]
    doc = read_feed([page(results, count=6), "{not json"], SOURCE).document
    assert [item.title for item in doc.items] == ["Good", "Naive time", "A tutorial"]
    messages = [w.message for w in doc.warnings]
    assert "document 1, result 4 is not an object: skipped" in messages
    assert "record 1 appears twice: the second is skipped" in messages
    assert "record 4: no name: skipped" in messages
    assert any(m.startswith("record 5: time '2026-07-14T10:00:00' has no offset") for m in messages)
    assert any(m.startswith("document 2 is not JSON") for m in messages)
    assert any("event type 'Tutorial'" in m and "typed tutorial" in m for m in messages)
    assert doc.items[1].start_at is None


def test_a_naive_time_takes_the_source_time_zone() -> None:
    source = SOURCE.model_copy(update={"timezone": "America/Vancouver"})
    doc = read_feed([page([record(1, "P", starttime="2026-07-14T10:00:00")], count=1)], source)
    item = doc.document.items[0]
    assert item.start_at is not None and item.start_at.utcoffset() == timedelta(hours=-7)


def test_continuations_are_the_next_page_and_the_sidecar_when_abstracts_are_missing() -> None:
    with_abstracts = page([record(1, "P", abstract="A.")], next_url="?page=2")
    assert feed_continuations(with_abstracts, FEED_URL) == [FEED_URL + "?page=2"]
    without = page([record(1, "P")])
    assert feed_continuations(without, FEED_URL + "?page=2") == [
        "https://icml.cc/static/virtual/data/icml-2026-abstracts.json"
    ]
    assert feed_continuations("[]", FEED_URL) == []
    assert feed_continuations("not json", FEED_URL) == []


def test_fields_of_unexpected_types_never_raise_and_numbers_are_text() -> None:
    odd = record(
        7,
        "Odd Types",
        authors="Ann Lee",
        keywords="theory",
        eventmedia={"uri": "/media/1"},
        related_events_ids=8,
        poster_position=2504,
        starttime=20260714,
        session=["not", "text"],
    )
    doc = read_feed([page([odd], count=1)], SOURCE).document
    (item,) = doc.items
    assert (item.authors, item.keywords, item.poster_position, item.session) == (
        [],
        [],
        "2504",
        None,
    )
    assert any("20260714" in warning.message for warning in doc.warnings)
