"""Workshop and session pages as a browser copies them (text) -> Event + ScheduleItems."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.models import EventDocument, ItemType, Source
from pipeline.parse.events.schedule import looks_like_schedule, parse_schedule_text
from tests.conftest import seed_sources, seed_text

SESSION = "000_9da80035aa0ccbc3.txt"
ICML2021 = "001_dca7463950b001f7.txt"
ICML2023 = "002_018b3c99b71c7c41.txt"
README = "003_67aa5497667b379c.txt"
LA = ZoneInfo("America/Los_Angeles")

SOURCES = {name: s for name, s in seed_sources().items() if s.kind != "readme"}
WORKSHOP = Source(
    id="ws",
    kind="workshop",
    url="https://example.org/virtual/2024/workshop/1",
    date=date(2024, 7, 27),  # a Saturday
    timezone="Europe/Vienna",
)


_PARSED: dict[str, EventDocument] = {}


def parsed(name: str) -> EventDocument:
    """Each seed is parsed once per test session (the records are immutable by convention)."""
    if name not in _PARSED:
        _PARSED[name] = parse_schedule_text(seed_text(name), SOURCES[name])
    return _PARSED[name]


def type_counts(doc: EventDocument) -> Counter[str]:
    return Counter(item.type.value for item in doc.items)


def drop_inner_hyphens(text: str) -> str:
    """What a browser copy does to 'Two-layer' ('Twolayer'); spaced dashes stay."""
    return re.sub(r"(?<=\w)-(?=\w)", "", text)


# --------------------------------------------------------------------------- ICML 2021


def test_2021_workshop_has_62_items_of_the_expected_types() -> None:
    doc = parsed(ICML2021)
    assert len(doc.items) == 62
    assert type_counts(doc) == {
        "poster": 45,
        "spotlight": 8,
        "invited_talk": 6,
        "remarks": 2,
        "discussion": 1,
    }
    assert sum(item.start is not None for item in doc.items) == 17


def test_2021_time_lines_without_a_dash_give_shown_times_and_zoned_datetimes() -> None:
    first = parsed(ICML2021).items[0]
    assert (first.title, first.type, first.type_label) == ("Opening Remarks", "remarks", "opening")
    assert (first.day, first.start, first.end) == ("Sat", "9:00 a.m.", "9:05 a.m.")
    assert first.start_at == datetime(2021, 7, 24, 9, 0, tzinfo=LA)
    assert first.start_at is not None and first.start_at.isoformat() == "2021-07-24T09:00:00-07:00"
    assert first.end_at == datetime(2021, 7, 24, 9, 5, tzinfo=LA)
    afternoon = [item for item in parsed(ICML2021).items if item.start == "1:25 p.m."]
    assert afternoon[0].start_at == datetime(2021, 7, 24, 13, 25, tzinfo=LA)


def test_2021_every_poster_and_spotlight_has_authors() -> None:
    papers = [item for item in parsed(ICML2021).items if item.type in {"poster", "spotlight"}]
    assert papers and all(item.authors for item in papers)
    assert all(not item.speakers for item in papers)


def test_2021_talk_names_are_speakers() -> None:
    talks = [item for item in parsed(ICML2021).items if item.type == "invited_talk"]
    assert talks[0].speakers == ["Peter Bartlett"]
    assert all(len(talk.speakers) == 1 and not talk.authors for talk in talks)


def test_2021_poster_with_two_spots_keeps_both_in_page_order() -> None:
    spots = [item.poster_spots for item in parsed(ICML2021).items if item.type == "poster"]
    assert ["A1", "A0"] in spots
    assert all(len(item_spots) in {1, 2} for item_spots in spots)


def test_2021_abstracts_exclude_video_widget_spot_and_author_line() -> None:
    items = parsed(ICML2021).items
    for item in items:
        abstract = item.abstract or ""
        assert "SlidesLive Video" not in abstract
        assert "Visit Poster" not in abstract
        assert "🔗" not in abstract
        names = item.authors or item.speakers
        if names:
            assert " · ".join(names) not in abstract
            assert not abstract.endswith(names[-1])
    assert sum(item.abstract is not None for item in items) == 62 - 3  # remarks, Q&A: none


def test_2021_immediately_repeated_author_is_dropped_with_a_warning() -> None:
    doc = parsed(ICML2021)
    repeated = [item for item in doc.items if item.authors[:2] == ["Yuan Cao", "Quanquan Gu"]]
    assert repeated and repeated[0].authors == ["Yuan Cao", "Quanquan Gu", "Mikhail Belkin"]
    assert not any(
        names[position] == names[position + 1]
        for names in (item.authors for item in doc.items)
        for position in range(len(names) - 1)
    )
    messages = [warning.message for warning in doc.warnings]
    assert messages == [
        "repeated name 'Yuan Cao' dropped from the author line",
        "repeated name 'Yuan Cao' dropped from the author line",
        "repeated name 'Khaled Koutini' dropped from the author line",
    ]


def test_2021_event_takes_missing_metadata_from_the_source() -> None:
    doc = parsed(ICML2021)
    source = SOURCES[ICML2021]
    event = doc.event
    assert doc.kind == "workshop" and event.kind == "workshop"
    assert (event.id, event.title, event.venue, event.year) == (
        source.id,
        source.title,
        source.venue,
        2021,
    )
    assert (event.date, event.timezone, event.url) == (source.date, source.timezone, source.url)
    assert event.description is not None
    assert event.description.startswith("Modern machine learning models")
    assert [link.label for link in event.links] == [
        "Gathertown room1 link",
        "Gathertown room2 link",
    ]
    assert all(link.url.startswith("https://eventhosts.gather.town/") for link in event.links)


def test_2021_items_carry_provenance_to_their_title_line() -> None:
    text_lines = seed_text(ICML2021).split("\n")
    for item in parsed(ICML2021).items:
        assert item.provenance.source_id == SOURCES[ICML2021].id
        assert item.provenance.line is not None
        assert text_lines[item.provenance.line - 1].strip() == item.title


# --------------------------------------------------------------------------- ICML 2023


def test_2023_workshop_has_62_items_of_the_expected_types() -> None:
    doc = parsed(ICML2023)
    assert len(doc.items) == 62
    assert type_counts(doc) == {
        "poster": 45,
        "oral": 5,
        "invited_talk": 5,
        "contributed_talk": 2,
        "remarks": 2,
        "break": 3,
    }
    assert sum(item.start is not None for item in doc.items) == 12
    assert doc.warnings == []  # '|', '-', '🔗', 'SlidesLive Video »', 'link »' are furniture


def test_2023_six_organisers_with_affiliations_and_the_bio_kept() -> None:
    organizers = parsed(ICML2023).event.organizers
    assert len(organizers) == 6
    assert all(organizer.affiliation for organizer in organizers)
    assert organizers[0].name == "Courtney Paquette"
    assert organizers[0].affiliation == "McGill University/Google DeepMind"
    with_bio = [organizer for organizer in organizers if organizer.bio]
    assert [organizer.name for organizer in with_bio] == ["Zhenyu Liao"]
    assert with_bio[0].bio is not None and with_bio[0].bio.startswith("Zhenyu Liao received")


def test_2023_more_from_the_same_authors_never_becomes_items() -> None:
    text = seed_text(ICML2023)
    doc = parsed(ICML2023)
    section = text.split("\n").index("More from the Same Authors") + 1
    assert all(
        item.provenance.line is not None and item.provenance.line < section for item in doc.items
    )
    assert not any(re.match(r"\d{4} ", item.title) for item in doc.items)


def test_2023_plenary_title_loses_the_speaker_suffix_confirmed_by_the_author_line() -> None:
    talks = [item for item in parsed(ICML2023).items if item.type == "invited_talk"]
    assert talks[0].title == "Feature Learning in Two-layer Neural Networks under Structured Data"
    assert talks[0].speakers == ["Murat Erdogdu"]
    assert talks[0].type_label == "Plenary Speaker"
    assert all(", " + talk.speakers[0].split()[-1] not in talk.title for talk in talks)
    assert all(talk.abstract and not talk.abstract.startswith("Abstract:") for talk in talks)


def test_2023_untyped_slots_are_breaks_without_a_label() -> None:
    breaks = [item for item in parsed(ICML2023).items if item.type == "break"]
    assert [(item.title, item.type_label) for item in breaks] == [
        ("Poster Session/Coffee Break", None),
        ("Lunch", None),
        ("Coffee Break", "Break"),
    ]


def test_2023_dashed_times_and_contributed_talk_slots() -> None:
    items = parsed(ICML2023).items
    talk = next(item for item in items if item.type == "contributed_talk")
    assert (talk.title, talk.type_label) == ("Contributed talks 1", "Contributed talks")
    assert (talk.start, talk.end) == ("12:45 p.m.", "1:15 p.m.")
    assert talk.speakers == ["MENGQI LOU", "Zhichao Wang"]
    assert talk.abstract == "Two (15 mins) contributed talks in this session."
    closing = next(item for item in items if item.title == "Closing remarks")
    assert closing.end_at == datetime(2023, 7, 28, 20, 0, tzinfo=LA)


def test_2023_event_description_keeps_the_preamble_paragraphs() -> None:
    event = parsed(ICML2023).event
    assert event.description is not None
    paragraphs = event.description.split("\n")
    assert len(paragraphs) == 6
    assert paragraphs[1].startswith("1. Developing analyzable models")
    assert "Timezone" not in event.description


def test_2023_hyphen_dropped_copy_parses_to_the_same_counts_and_ids() -> None:
    original = parsed(ICML2023)
    text = drop_inner_hyphens(seed_text(ICML2023))
    assert "Two-layer" not in text and "Twolayer" in text
    variant = parse_schedule_text(text, SOURCES[ICML2023])
    assert type_counts(variant) == type_counts(original)
    assert sum(item.start is not None for item in variant.items) == 12
    assert len(variant.event.organizers) == 6
    assert [item.id for item in variant.items] == [item.id for item in original.items]
    assert (
        variant.items[1].title
        == "Feature Learning in Twolayer Neural Networks under Structured Data"
    )


# --------------------------------------------------------------------------- NeurIPS session


def test_session_page_gives_a_session_with_three_orals() -> None:
    doc = parsed(SESSION)
    assert doc.kind == "session" and doc.event.kind == "session"
    assert doc.title == doc.event.title == "Oral 1D DL Theory"
    assert doc.warnings == []
    assert [item.type for item in doc.items] == [ItemType.oral] * 3
    for item in doc.items:
        assert item.title and len(item.authors) == 3
        assert item.abstract and len(item.abstract) > 200
    assert doc.items[0].authors == ["Kaiyue Wen", "Zhiyuan Li", "Tengyu Ma"]
    assert doc.items[1].authors[-1] == "Gabriel Peyré"
    assert doc.items[2].title.startswith("A U-turn on Double Descent")


# --------------------------------------------------------------------------- ids, detection


@pytest.mark.parametrize("name", [SESSION, ICML2021, ICML2023])
def test_item_ids_are_unique_stable_and_prefixed_by_the_event_id(name: str) -> None:
    doc = parsed(name)
    ids = [item.id for item in doc.items]
    assert len(set(ids)) == len(ids)
    assert all(item_id.startswith(doc.event.id + "-") for item_id in ids)
    assert all(item.event_id == doc.event.id for item in doc.items)
    again = parse_schedule_text(seed_text(name), SOURCES[name])
    assert [item.id for item in again.items] == ids


def test_same_title_and_type_twice_gets_a_disambiguated_id() -> None:
    text = "\n".join(["Coffee", "(Break)", "🔗", "Coffee", "(Break)", "🔗"])
    first, second = parse_schedule_text(text, WORKSHOP).items
    assert second.id == first.id + "-2"


@pytest.mark.parametrize("name", [SESSION, ICML2021, ICML2023])
def test_looks_like_schedule_recognises_workshop_and_session_captures(name: str) -> None:
    assert looks_like_schedule(seed_text(name))


def test_looks_like_schedule_rejects_a_readme_capture() -> None:
    assert not looks_like_schedule(seed_text(README))
    readme = "# Awesome Papers\n\n- [Paper A](https://arxiv.org/abs/2101.00001) (ICML 2021)\n"
    assert not looks_like_schedule(readme)
    assert not looks_like_schedule("")


# --------------------------------------------------------------------------- grammar details


def test_types_are_normalised_and_unknown_labels_kept_as_other() -> None:
    text = "\n".join(
        f"{title}\n({label})\nAnn Lee 🔗"
        for title, label in [
            ("Keynote A", "Keynote"),
            ("Panel A", "Panel"),
            ("Break A", "Break"),
            ("Orals A", "Oral"),
            ("Demo A", "Demonstration"),
            ("Talk A", "Contributed talk"),
        ]
    )
    items = parse_schedule_text(text, WORKSHOP).items
    assert [(item.type.value, item.type_label) for item in items] == [
        ("invited_talk", "Keynote"),
        ("discussion", "Panel"),
        ("break", "Break"),
        ("oral", "Oral"),
        ("other", "Demonstration"),
        ("contributed_talk", "Contributed talk"),
    ]


def test_a_slot_past_midnight_ends_the_next_day() -> None:
    text = "Sat 11:30 p.m. - 12:15 a.m.\nLate Social\n🔗"
    (item,) = parse_schedule_text(text, WORKSHOP).items
    vienna = ZoneInfo("Europe/Vienna")
    assert item.start_at == datetime(2024, 7, 27, 23, 30, tzinfo=vienna)
    assert item.end_at == datetime(2024, 7, 28, 0, 15, tzinfo=vienna)
    assert item.type == "break"  # an untyped social slot


def test_a_later_weekday_resolves_to_the_following_date() -> None:
    text = "Sun 9:00 a.m. - 10:00 a.m.\nDay Two Opening\n(Opening)\n🔗"
    (item,) = parse_schedule_text(text, WORKSHOP).items
    assert item.start_at is not None and item.start_at.date() == date(2024, 7, 28)


def test_without_date_or_zone_times_are_shown_but_not_resolved() -> None:
    source = Source(id="nodate", kind="workshop", url="https://example.org/w")
    (item,) = parse_schedule_text("Fri 9:00 a.m. - 9:30 a.m.\nWelcome\n🔗", source).items
    assert (item.day, item.start, item.end) == ("Fri", "9:00 a.m.", "9:30 a.m.")
    assert item.start_at is None and item.end_at is None


def test_unknown_time_zone_warns_and_leaves_datetimes_empty() -> None:
    source = WORKSHOP.model_copy(update={"timezone": "Mars/Olympus"})
    doc = parse_schedule_text("Sat 9:00 a.m. - 9:30 a.m.\nWelcome\n🔗", source)
    assert doc.items[0].start_at is None
    assert any("Mars/Olympus" in warning.message for warning in doc.warnings)


def test_a_talk_title_ending_in_a_name_not_on_the_author_line_is_left_alone() -> None:
    text = "Learning, Fast and Slow\n(Contributed talk)\nAnn Lee 🔗"
    (item,) = parse_schedule_text(text, WORKSHOP).items
    assert item.title == "Learning, Fast and Slow"
    poster = "Attention, Transformers\n(Poster)\nAbstract.\nAnn Transformers 🔗"
    assert parse_schedule_text(poster, WORKSHOP).items[0].title == "Attention, Transformers"


def test_names_and_link_mark_on_separate_lines_still_give_authors() -> None:
    text = "A Paper\n(Poster)\nSome abstract text.\nAnn Lee · Bo Chen\n🔗"
    (item,) = parse_schedule_text(text, WORKSHOP).items
    assert item.authors == ["Ann Lee", "Bo Chen"]
    assert item.abstract == "Some abstract text."


def test_lines_the_grammar_cannot_place_become_warnings_with_their_line() -> None:
    text = "\n".join(
        [
            "Sat 9:00 a.m. - 9:30 a.m.",  # 1
            "Opening",  # 2
            "(Remarks)",  # 3
            "🔗",  # 4
            "a stray note between items",  # 5
            "A Paper",  # 6
            "(Poster)",  # 7
            "(Spotlight)",  # 8: a second type marker
            "Ann Lee 🔗",  # 9
        ]
    )
    doc = parse_schedule_text(text, WORKSHOP)
    assert [item.title for item in doc.items] == ["Opening", "A Paper"]
    assert [(warning.line, "not understood" in warning.message) for warning in doc.warnings] == [
        (5, True),
        (8, True),
    ]


def test_a_kind_heading_gives_the_title_and_the_organiser_line_of_the_capture() -> None:
    text = "\n".join(
        [
            "Workshop",
            "Learning Dynamics Workshop",
            "Ann Lee · Bo Chen",
            "Timezone: Asia/Tokyo »",
            "About the workshop.",
            "Sat 9:00 a.m. - 9:30 a.m.",
            "Welcome",
            "🔗",
        ]
    )
    source = Source(id="ws2", kind="session", url="u", date=date(2024, 7, 27))
    doc = parse_schedule_text(text, source)
    assert (doc.kind, doc.title) == ("workshop", "Learning Dynamics Workshop")
    assert doc.event.provenance.line == 2
    assert [organizer.name for organizer in doc.event.organizers] == ["Ann Lee", "Bo Chen"]
    assert doc.event.description == "About the workshop."
    assert doc.event.timezone == "Asia/Tokyo"  # shown on the page, absent from the source
    assert doc.items[0].start_at is not None
    assert doc.items[0].start_at.isoformat() == "2024-07-27T09:00:00+09:00"
    assert doc.warnings == []


def test_a_first_line_naming_a_workshop_is_not_taken_for_a_kind_heading() -> None:
    doc = parse_schedule_text("HiLD Workshop\nWelcome\n(Remarks)\n🔗", WORKSHOP)
    assert doc.event.description == "HiLD Workshop"
    assert doc.event.title is None  # neither the capture nor the source has one
    assert [item.title for item in doc.items] == ["Welcome"]


# --------------------------------------------------------------------------- bad input


def test_text_without_a_schedule_gives_an_event_with_no_items_and_says_why() -> None:
    text = "Welcome to our site.\nWe publish videos of talks.\nContact us by mail."
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.items == []
    assert doc.event.id == WORKSHOP.id
    (warning,) = doc.warnings
    assert "no recognisable schedule" in warning.message and "3 non-empty line" in warning.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n   \n",
        "\x00\x01\x02",
        ")))(((",
        "🔗",
        "|\n|\n-",
        "Sat 9:00 a.m.",
        "(\n)",
        "(Poster)",
    ],
)
def test_empty_or_garbage_text_gives_no_items_and_a_warning(text: str) -> None:
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.items == []
    assert doc.warnings


def test_capture_cut_inside_an_item_keeps_complete_items_and_warns_about_the_cut_one() -> None:
    full = parsed(ICML2021)
    lines = seed_text(ICML2021).split("\n")
    cut_title = full.items[40]
    assert cut_title.provenance.line is not None
    abstract_line = cut_title.provenance.line + 2  # title, (Poster), spot, abstract
    cut_text = "\n".join(lines[:abstract_line]) + "\n" + lines[abstract_line][:60]
    doc = parse_schedule_text(cut_text, SOURCES[ICML2021])
    assert doc.items == full.items[:40]
    (warning,) = [w for w in doc.warnings if "capture ends" in w.message]
    assert warning.line == cut_title.provenance.line
    assert cut_title.title in warning.message


@pytest.mark.parametrize("name", [SESSION, ICML2021, ICML2023])
def test_a_capture_cut_anywhere_never_raises_and_keeps_only_whole_items(name: str) -> None:
    text = seed_text(name)
    full = {item.id: item for item in parsed(name).items}
    for cut in range(0, len(text), max(1, len(text) // 41)):
        doc = parse_schedule_text(text[:cut], SOURCES[name])
        if name == SESSION:
            continue  # a listing has no end marks: a cut abstract is not detectable
        for item in doc.items:
            assert item == full[item.id], f"cut at {cut} changed {item.title!r}"
