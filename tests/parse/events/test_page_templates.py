"""Event pages in each DOM shape the virtual sites serve, read by their templates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipeline.models import ItemType, Link, Source, SourceFormat
from pipeline.parse.events import read_event_page, read_html_page
from pipeline.parse.events.schedule import parse_schedule_html
from tests.conftest import seed_sources, seed_text
from tests.parse.events.test_schedule_html import page_from_capture
from tests.parse.events.virtual_site import (
    Card,
    Row,
    listing_page,
    multitrack_page,
    orals_index_page,
    presentation_page,
    schedule_rows_page,
    session_page,
    sign_in_page,
)

CET = timezone(timedelta(hours=1))
LA = ZoneInfo("America/Los_Angeles")
LISTING = Source(
    id="icml-2023-posters",
    kind="listing",
    url="https://icml.cc/virtual/2023/events/poster",
    year=2023,
)
WORKSHOP = Source(
    id="ws-2024",
    kind="workshop",
    url="https://icml.cc/virtual/2024/workshop/29945",
    date=date(2024, 7, 26),
    timezone="America/Los_Angeles",
)

CARDS = [
    Card(
        71001,
        "Sharpness Minimization Algorithms Do Not Only Minimize Sharpness",
        "Poster",
        ["Kaiyue Wen", "Zhiyuan Li", "Tengyu Ma"],
        time="Tue 25 Jul 05:00 PM CET",
        room="Exhibit Hall 1 #412",
        abstract="Why do flat minimizers generalize?",
    ),
    Card(
        71002,
        "danah boyd's Paper on Data",
        "Spotlight Poster",
        ["danah boyd", "\u200eKate Crawford"],
        time="Wed 26 Jul 10:30 AM CET",
        abstract="Critical questions for big data.",
    ),
    Card(71003, "A Single-Author Oral", "Oral", ["Ann Lee"], path="oral"),
]


# --------------------------------------------------------------------------- listing cards


def test_listing_cards_give_titles_types_authors_times_rooms_links_and_hidden_abstracts() -> None:
    doc = read_event_page(listing_page(CARDS), LISTING, SourceFormat.html)
    assert doc.warnings == []
    assert (doc.kind, doc.title) == ("listing", "Posters")
    first, second, third = doc.items
    assert [item.title for item in doc.items] == [card.title for card in CARDS]
    assert [item.type for item in doc.items] == [ItemType.poster, ItemType.spotlight, ItemType.oral]
    assert first.authors == ["Kaiyue Wen", "Zhiyuan Li", "Tengyu Ma"]
    assert second.authors == ["danah boyd", "Kate Crawford"]  # lower case, direction mark
    assert third.authors == ["Ann Lee"]
    assert first.start_at == datetime(2023, 7, 25, 17, 0, tzinfo=CET)
    assert (first.room, first.poster_position) == ("Exhibit Hall 1", "#412")
    assert first.abstract == "Why do flat minimizers generalize?"  # hidden in a collapse
    assert first.url == "https://icml.cc/virtual/2023/poster/71001"
    assert first.site_id == "71001"
    assert first.links[0] == Link(label=CARDS[0].title, url=first.url)
    assert third.url == "https://icml.cc/virtual/2023/oral/71003"


def test_a_card_with_text_in_no_known_part_warns_with_its_line() -> None:
    html = listing_page(CARDS[:1]).replace(
        "<div class='author-str'>", "<div class='badge'>Award winner</div><div class='author-str'>"
    )
    doc = read_event_page(html, LISTING, SourceFormat.html)
    (warning,) = doc.warnings
    assert "Award winner" in warning.message and warning.line is not None
    assert doc.items[0].authors == CARDS[0].authors  # the card itself is still read


def test_a_row_with_text_in_no_known_cell_warns_with_its_line() -> None:
    rows = [Row("Paper one", "Poster", authors=["Ann Lee"], site_id=1)]
    html = schedule_rows_page("W", ["Ann Lee"], rows).replace(
        "<div class='schedule-authors'>", "<span>Best paper</span><div class='schedule-authors'>"
    )
    doc = read_event_page(html, WORKSHOP, SourceFormat.html)
    (warning,) = [w for w in doc.warnings if "not understood" in w.message]
    assert "'Best paper'" in warning.message and warning.line is not None
    assert doc.items[0].authors == ["Ann Lee"]


def test_stray_text_as_long_as_a_part_read_twice_still_warns() -> None:
    # The abstract holds the 'Abstract' button (a part read twice: the cell, and as a
    # control); eight stray characters elsewhere must not cancel the count out.
    rows = [Row("Paper one", "Poster", authors=["Ann Lee"], abstract="About it.", site_id=1)]
    html = (
        schedule_rows_page("W", ["Ann Lee"], rows)
        .replace("<button class='btn-link'>Abstract</button>", "<span>Poster!!</span>")
        .replace("collapse'>About it.", "collapse'><button>Abstract</button>About it.")
    )
    doc = read_event_page(html, WORKSHOP, SourceFormat.html)
    assert any("'Poster!!'" in w.message for w in doc.warnings), doc.warnings


def test_a_card_without_a_title_is_a_warning_not_a_silent_drop() -> None:
    html = listing_page([CARDS[0], CARDS[2]]).replace(CARDS[2].title, "", 1)
    doc = read_event_page(html, LISTING, SourceFormat.html)
    assert [item.title for item in doc.items] == [CARDS[0].title]
    assert any("card without a title" in warning.message for warning in doc.warnings)


def test_the_orals_index_of_virtual_cards_reads_like_a_listing() -> None:
    cards = [
        Card(73839, "Oral Paper One", "Oral", ["Ann Lee", "Bo Chen"], abstract="First."),
        Card(73840, "Oral Paper Two", "Oral", ["Cy Dee"], abstract="Second."),
    ]
    doc = read_event_page(orals_index_page(cards), LISTING, SourceFormat.html)
    assert doc.warnings == []
    assert [(i.title, i.type, i.authors, i.abstract) for i in doc.items] == [
        ("Oral Paper One", ItemType.oral, ["Ann Lee", "Bo Chen"], "First."),
        ("Oral Paper Two", ItemType.oral, ["Cy Dee"], "Second."),
    ]


def test_a_workshop_listing_gives_one_workshop_item_per_card_with_organisers() -> None:
    cards = [
        Card(21475, "High-dimensional Learning Dynamics (HiLD)", "Workshop",
             ["Courtney Paquette", "Zhenyu Liao"], time="Fri 28 Jul 12:00 PM CET",
             room="Meeting Room 316 AB", path="workshop"),
    ]  # fmt: skip
    (item,) = read_event_page(listing_page(cards, "Workshops"), LISTING, SourceFormat.html).items
    assert (item.type, item.speakers, item.room) == (
        ItemType.workshop,
        ["Courtney Paquette", "Zhenyu Liao"],
        "Meeting Room 316 AB",
    )
    assert item.url == "https://icml.cc/virtual/2023/workshop/21475"


# --------------------------------------------------------------------------- schedule rows

ROWS = [
    Row("Opening Remarks", "Remarks", "Fri 8:50 a.m. - 9:00 a.m.", ["Caglar Gulcehre"], site_id=1),
    Row("State Space Models", "Invited Talk", "Fri 9:00 a.m. - 9:45 a.m.", ["Albert Gu"],
        abstract="Structured state spaces.", site_id=2),
    Row("Poster Session 1", "Poster Session", "Fri 10:00 a.m. - 11:00 a.m.", site_id=3),
    Row("Mamba Meets Attention", "Poster", authors=["Ann Lee", "Bo Chen"], site_id=4,
        paper=True, abstract="Hybrid models."),
    Row("Linear Recurrences at Scale", "Poster", authors=["Cy Dee"], site_id=5, paper=True),
    Row("Closing Remarks", "Remarks", "Fri 5:00 p.m. - 5:10 p.m.", site_id=6),
]  # fmt: skip


def test_schedule_rows_give_items_with_times_types_names_and_arrow_papers_in_their_session() -> (
    None
):
    html = schedule_rows_page("Next Generation of Sequence Models", ["Caglar Gulcehre"], ROWS)
    doc = read_event_page(html, WORKSHOP, SourceFormat.html)
    assert doc.warnings == []
    event = doc.event
    assert (event.title, event.room, event.time) == (
        "Next Generation of Sequence Models",
        "Straus 2",
        "Fri 26 Jul 9 a.m. PDT",
    )
    assert [o.name for o in event.organizers] == ["Caglar Gulcehre"]
    assert event.description == "A workshop about sequence models."
    opening, talk, session, paper, paper2, closing = doc.items
    assert (opening.type, opening.speakers) == (ItemType.remarks, ["Caglar Gulcehre"])
    assert opening.start_at == datetime(2024, 7, 26, 8, 50, tzinfo=LA)
    assert (talk.type, talk.speakers, talk.abstract) == (
        ItemType.invited_talk,
        ["Albert Gu"],
        "Structured state spaces.",
    )
    assert (paper.title, paper.type, paper.authors, paper.session) == (
        "Mamba Meets Attention",
        ItemType.poster,
        ["Ann Lee", "Bo Chen"],
        "Poster Session 1",
    )
    assert paper.start_at is None and paper.abstract == "Hybrid models."
    assert (paper2.session, paper2.site_id, paper2.url) == (
        "Poster Session 1",
        "5",
        "https://icml.cc/virtual/2024/5",
    )
    assert (session.session, closing.session) == (None, None)


def test_a_row_time_no_form_reads_is_a_warning() -> None:
    rows = [Row("Opening", "Remarks", "sometime in the morning", site_id=1)]
    doc = read_event_page(schedule_rows_page("W", ["Ann Lee"], rows), WORKSHOP, SourceFormat.html)
    assert doc.items[0].start_at is None
    assert any("sometime in the morning" in warning.message for warning in doc.warnings)


# --------------------------------------------------------------------------- event pages


def test_a_json_ld_poster_page_is_one_poster_with_its_header_fields() -> None:
    html = presentation_page(
        "Poster",
        "Transformers Learn In-Context by Gradient Descent",
        ["Johannes von Oswald", "Eyvind Niklasson"],
        abstract="At present, the mechanisms of in-context learning are not well understood.",
        room="East Exhibition Hall A-B #E-2301",
        time="Tue 15 Jul 4:30 p.m. PDT",
        openreview="tHvXrFQma5",
    )
    source = Source(id="p", kind="session", url="https://icml.cc/virtual/2025/poster/43521")
    doc = read_event_page(html, source, SourceFormat.html)
    assert doc.warnings == []
    assert (doc.kind, doc.title) == (
        "presentation",
        "Transformers Learn In-Context by Gradient Descent",
    )
    (item,) = doc.items
    assert (item.type, item.authors) == (
        ItemType.poster,
        ["Johannes von Oswald", "Eyvind Niklasson"],
    )
    assert item.abstract is not None and item.abstract.startswith(
        "At present"
    )  # not the lay summary
    assert item.room == "East Exhibition Hall A-B #E-2301"
    assert item.start_at == datetime(2025, 7, 15, 16, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert Link(label="OpenReview", url="https://openreview.net/forum?id=tHvXrFQma5") in item.links
    assert (item.site_id, item.url) == ("43521", source.url)


def test_an_oral_page_found_by_its_title_when_its_url_says_nothing() -> None:
    html = presentation_page(
        "Oral", "An Oral Paper", ["Ann Lee"], abstract="A.", room="Hall", time="x", openreview="o1"
    )
    source = Source(id="o", kind="session", url="file:///tmp/oral.html")
    doc = read_event_page(html, source, SourceFormat.html)
    assert [(item.title, item.type) for item in doc.items] == [("An Oral Paper", ItemType.oral)]
    assert any("'x'" in warning.message for warning in doc.warnings)  # a time no form reads


def test_a_sign_in_page_is_its_event_with_a_sign_in_warning_and_no_items() -> None:
    html = sign_in_page("Workshop on Efficient Systems", ["Ann Lee", "Bo Chen"])
    doc = read_event_page(html, WORKSHOP, SourceFormat.html)
    assert doc.items == []
    assert doc.event.sign_in_required
    assert doc.event.title == "Workshop on Efficient Systems"
    assert [o.name for o in doc.event.organizers] == ["Ann Lee", "Bo Chen"]
    assert doc.event.description == "What the workshop is about."
    (warning,) = doc.warnings
    assert "asks to sign in" in warning.message


# --------------------------------------------------------------------------- grammar pages


def test_a_schedule_multitrack_page_reads_through_the_grammar() -> None:
    source = WORKSHOP.model_copy(update={"date": date(2021, 7, 24), "year": 2021})
    doc = read_event_page(multitrack_page(), source, SourceFormat.html)
    assert doc.warnings == []
    assert doc.event.title == "Over-parameterization: Pitfalls and Opportunities"
    assert doc.event.time == "Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @"
    assert [o.name for o in doc.event.organizers] == [
        "Yasaman Bahri", "Quanquan Gu", "Amin Karbasi", "Yasaman Bahri"
    ]  # fmt: skip
    opening, talk = doc.items
    assert opening.start_at == datetime(2021, 7, 24, 9, 0, tzinfo=LA)
    assert (talk.type, talk.speakers) == (ItemType.invited_talk, ["Peter Bartlett"])
    assert talk.links[0].url == "https://openreview.net/forum?id=Adv1"


def test_a_session_page_reads_its_moderator_and_numbered_posters() -> None:
    source = Source(id="s", kind="session", url="https://icml.cc/virtual/2023/session/1")
    doc = read_event_page(session_page(), source, SourceFormat.html)
    assert doc.warnings == []
    assert [(o.name, o.role) for o in doc.event.organizers] == [("Jane Roe", "Moderator")]
    assert [(i.title, i.type, i.poster_position, i.authors) for i in doc.items] == [
        ("Paper A", ItemType.poster, "#36", ["Ann Lee", "Bo Chen"]),
        ("Paper B", ItemType.poster, "#37", ["Cy Dee", "Ed Fox"]),
    ]


SEEDS = {name: s for name, s in seed_sources().items() if s.kind != "readme"}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_pages_no_template_knows_read_exactly_as_the_grammar_reads_them(name: str) -> None:
    html = page_from_capture(seed_text(name))
    source = SEEDS[name]
    assert read_html_page(html, source) == parse_schedule_html(html, source)


def fixture_pages() -> dict[str, str]:
    return {
        "listing": listing_page(CARDS),
        "orals": orals_index_page(CARDS),
        "rows": schedule_rows_page("W", ["Ann Lee"], ROWS),
        "poster": presentation_page(
            "Poster", "T", ["Ann Lee"], abstract="A.", room="R", time="Tue 15 Jul 4 p.m. PDT",
            openreview="abcd1234",
        ),
        "sign-in": sign_in_page("W", ["Ann Lee"]),
        "multitrack": multitrack_page(),
        "session": session_page(),
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(fixture_pages()))
def test_a_page_cut_anywhere_or_with_broken_json_ld_never_raises(name: str) -> None:
    html = fixture_pages()[name]
    for cut in range(0, len(html), max(1, len(html) // 37)):
        read_event_page(html[:cut], WORKSHOP, SourceFormat.html)
    for broken in ('"a string"', "[1, 2]", "{not json", "null"):
        mangled = html.replace("<script type='application/ld+json'>", "<script type='x'>")
        mangled = mangled.replace(
            "</head>", f"<script type='application/ld+json'>{broken}</script></head>"
        )
        assert read_event_page(mangled, WORKSHOP, SourceFormat.html).event.id == WORKSHOP.id
