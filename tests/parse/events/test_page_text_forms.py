"""Page text as the real sites' pages copy: menu lines, name forms, time forms, page kinds.

Each capture here is written in the shape a browser copies from the virtual sites (see the
issue's list of what broke the first grammar); one test per form.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pipeline.models import ItemType, Source
from pipeline.parse.events.schedule import guess_page_kind, parse_schedule_text

LA = ZoneInfo("America/Los_Angeles")
PDT = timezone(timedelta(hours=-7))
WORKSHOP = Source(
    id="ws",
    kind="workshop",
    url="https://icml.cc/virtual/2024/workshop/1",
    venue="ICML 2024",
    year=2024,
    date=date(2024, 7, 26),  # a Friday
    timezone="America/Los_Angeles",
)
SESSION = Source(id="se", kind="session", url="https://neurips.cc/virtual/2025/session/1")

MENU = """Skip to yearly menu bar Skip to main content
Main Navigation
ICML
Help/FAQ
Contact ICML
Downloads
ICML Blog
Code of Conduct
Create Profile
Privacy Policy
My Stuff
Login
Select Year: (2024)
2025
2024
2023
Getting Started
Schedule
Tutorials
Invited Talks
Orals
Posters
Workshops
Help
Toggle Navigation
"""
FOOTER = """The ICML Logo above may be used on presentations. Right-click and choose download.
Useful links
Successful Page Load
ICML uses cookies for essential functions only. We do not sell your personal information.
Accept Cookies
"""


def test_the_site_menu_and_footer_are_set_aside_and_the_header_read() -> None:
    text = (
        MENU
        + """Workshop
Next Generation of Sequence Modeling Architectures
Caglar Gulcehre · Razvan Pascanu · Antonio Orvieto
Straus 2
Fri 26 Jul 9 a.m. PDT
[ Abstract ] [ Workshop Website ]
Timezone: America/Los_Angeles »
This workshop brings together work on sequence models.
Fri 9:00 a.m. - 9:10 a.m.
Opening Remarks
(
Remarks
)
🔗
Fri 9:10 a.m. - 9:50 a.m.
State Space Models
(
Invited Talk
)
Albert Gu 🔗
"""
        + FOOTER
    )
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.warnings == []
    event = doc.event
    assert (event.kind, event.title) == (
        "workshop",
        "Next Generation of Sequence Modeling Architectures",
    )
    assert [o.name for o in event.organizers] == [
        "Caglar Gulcehre",
        "Razvan Pascanu",
        "Antonio Orvieto",
    ]
    assert (event.room, event.time) == ("Straus 2", "Fri 26 Jul 9 a.m. PDT")
    assert event.description == "This workshop brings together work on sequence models."
    assert [(item.title, item.type) for item in doc.items] == [
        ("Opening Remarks", ItemType.remarks),
        ("State Space Models", ItemType.invited_talk),
    ]
    assert doc.items[1].speakers == ["Albert Gu"]


def test_menu_words_after_the_content_started_are_content_again() -> None:
    text = "Fri 9:00 a.m. - 9:10 a.m.\nOpening\n(Remarks)\nSchedule\nAnn Lee 🔗\n"
    (item,) = parse_schedule_text(text, WORKSHOP).items
    assert item.abstract == "Schedule"


def test_names_in_lower_case_or_with_direction_marks_still_end_their_card() -> None:
    text = (
        "Oral Session\nOral 3A Theory\n"
        "A Paper About Things\ndanah boyd · Kate Crawford\nIts abstract.\n"
        "Second Paper\n\u200eJürgen Schmidhuber · \u200fSepp Hochreiter\u200e\nAnother abstract.\n"
    )
    doc = parse_schedule_text(text, SESSION)
    assert doc.warnings == []
    assert [(item.title, item.authors) for item in doc.items] == [
        ("A Paper About Things", ["danah boyd", "Kate Crawford"]),
        ("Second Paper", ["Jürgen Schmidhuber", "Sepp Hochreiter"]),
    ]
    assert [item.abstract for item in doc.items] == ["Its abstract.", "Another abstract."]


def test_the_2025_dot_operator_separates_names() -> None:
    text = "Oral Session\nOral Session 6C\nFirst Paper Title\nAnn Lee ⋅ Bo Chen ⋅ Cy Dee\nText.\n"
    (item,) = parse_schedule_text(text, SESSION).items
    assert (item.type, item.authors) == (ItemType.oral, ["Ann Lee", "Bo Chen", "Cy Dee"])


def test_times_without_a_day_take_the_event_date() -> None:
    text = "8:50 a.m. - 9:00 a.m.\nOpening Remarks\n(Remarks)\n🔗\nnoon - 1:30 p.m.\nLunch\n🔗\n"
    first, lunch = parse_schedule_text(text, WORKSHOP).items
    assert (first.day, first.start, first.end) == (None, "8:50 a.m.", "9:00 a.m.")
    assert first.start_at == datetime(2024, 7, 26, 8, 50, tzinfo=LA)
    assert (lunch.start_at, lunch.end_at) == (
        datetime(2024, 7, 26, 12, 0, tzinfo=LA),
        datetime(2024, 7, 26, 13, 30, tzinfo=LA),
    )


def test_a_dated_time_at_the_end_of_a_line_is_the_slot_time() -> None:
    source = WORKSHOP.model_copy(update={"date": date(2022, 12, 3), "year": 2022})
    text = "Opening Remarks Sat 3 Dec 07:30 a.m.\n(Remarks)\n🔗\n"
    doc = parse_schedule_text(text, source)
    (item,) = doc.items
    assert (item.title, item.day, item.start) == ("Opening Remarks", "Sat", "07:30 a.m.")
    assert item.start_at == datetime(2022, 12, 3, 7, 30, tzinfo=LA)
    assert doc.warnings == []


def test_a_dated_24_hour_range_with_its_zone_resolves_in_that_zone() -> None:
    source = WORKSHOP.model_copy(update={"date": None, "year": 2020, "timezone": None})
    text = "Sat 18 July 2:00 - 18:00 PDT\nWorkshop Day\n(Workshop)\n🔗\n"
    (item,) = parse_schedule_text(text, source).items
    assert item.start_at == datetime(2020, 7, 18, 2, 0, tzinfo=PDT)
    assert item.end_at == datetime(2020, 7, 18, 18, 0, tzinfo=PDT)
    assert item.type == ItemType.workshop


def test_a_time_whose_weekday_contradicts_its_date_warns() -> None:
    text = "Mon 18 July 2020 2:00 - 3:00 PDT\nWrong Day\n(Break)\n🔗\n"
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.items[0].start_at is None
    assert any("is not a Mon" in warning.message for warning in doc.warnings)


def test_schedule_multitrack_page_header_and_slots() -> None:
    source = WORKSHOP.model_copy(update={"date": date(2021, 7, 24), "year": 2021})
    text = """Workshop
Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @ Virtual
Over-parameterization: Pitfalls and Opportunities
Yasaman Bahri · Quanquan Gu · Amin Karbasi · Hanie Sedghi
A workshop on overparameterization.
Sat Jul 24 09:00 AM -- 09:05 AM (PDT)
Opening Remarks
(Opening)
🔗
Sat Jul 24 09:05 AM -- 09:50 AM (PDT)
Adversarial Examples in Random Deep Networks
(Invited talk)
Peter Bartlett 🔗
Author Information
Yasaman Bahri (Google Brain)
"""
    doc = parse_schedule_text(text, source)
    assert doc.warnings == []
    event = doc.event
    assert event.title == "Over-parameterization: Pitfalls and Opportunities"
    assert (event.time, event.room) == (
        "Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @ Virtual",
        "Virtual",
    )
    assert len(event.organizers) == 5  # four from the heading, one from 'Author Information'
    opening, talk = doc.items
    assert opening.start_at == datetime(2021, 7, 24, 9, 0, tzinfo=PDT)
    assert talk.end_at == datetime(2021, 7, 24, 9, 50, tzinfo=PDT)


def test_arrow_papers_belong_to_the_session_slot_above_them() -> None:
    text = """Fri 1:00 p.m. - 2:00 p.m.
Poster Session 1
Poster Session
→ Paper One
Poster
Ann Lee ⋅ Bo Chen
→ Paper Two
Poster
Cy Dee
Fri 2:00 p.m. - 2:30 p.m.
Closing Remarks
Remarks
"""
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.warnings == []
    session, one, two, closing = doc.items
    assert (session.title, session.type_label, session.session) == (
        "Poster Session 1",
        "Poster Session",
        None,
    )
    assert [(p.title, p.type, p.authors, p.session) for p in (one, two)] == [
        ("Paper One", ItemType.poster, ["Ann Lee", "Bo Chen"], "Poster Session 1"),
        ("Paper Two", ItemType.poster, ["Cy Dee"], "Poster Session 1"),
    ]
    assert (closing.type, closing.session) == (ItemType.remarks, None)


def test_a_sign_in_page_says_so_instead_of_reading_nothing() -> None:
    text = "Workshop\nSome Workshop\nAnn Lee · Bo Chen\nLog in and register to view live content\n"
    doc = parse_schedule_text(text, WORKSHOP)
    assert doc.items == []
    assert doc.event.sign_in_required
    assert doc.event.title == "Some Workshop"
    (warning,) = doc.warnings
    assert "asks to sign in" in warning.message


def test_listing_cards_with_labels_times_rooms_and_board_numbers() -> None:
    source = Source(id="ls", kind="listing", url="u", year=2023)
    text = """Title One
Poster
Ann Lee · Bo Chen
Tue 12 Dec 05:45 PM CET
[ Great Hall & Hall B1+B2 (level 1) #1500 ]
Abstract
Title Two
Spotlight Poster
Cy Dee
Wed 13 Dec 10:45 AM CET
[ Room 101 ]
Title Three
Oral
Ed Fox · Gil Ho
"""
    doc = parse_schedule_text(text, source)
    assert doc.warnings == []
    assert doc.kind == "listing"
    one, two, three = doc.items
    assert (one.title, one.type, one.authors) == (
        "Title One",
        ItemType.poster,
        ["Ann Lee", "Bo Chen"],
    )
    cet = timezone(timedelta(hours=1))
    assert one.start_at == datetime(2023, 12, 12, 17, 45, tzinfo=cet)
    assert (one.room, one.poster_position) == ("Great Hall & Hall B1+B2 (level 1)", "#1500")
    assert (two.type, two.type_label, two.authors, two.room) == (
        ItemType.spotlight,
        "Spotlight Poster",
        ["Cy Dee"],
        "Room 101",
    )
    assert (three.type, three.start_at) == (ItemType.oral, None)
    assert guess_page_kind(text) == "listing"


def test_a_session_page_with_moderator_and_numbered_posters() -> None:
    text = """Poster Session
Poster Session 4 East
Moderator: Jane Roe
#36
Paper A
Ann Lee · Bo Chen
#37
Paper B
Cy Dee · Ed Fox
"""
    doc = parse_schedule_text(text, SESSION)
    assert doc.warnings == []
    assert doc.title == "Poster Session 4 East"
    assert [(o.name, o.role) for o in doc.event.organizers] == [("Jane Roe", "Moderator")]
    assert [(p.title, p.type, p.poster_position) for p in doc.items] == [
        ("Paper A", ItemType.poster, "#36"),
        ("Paper B", ItemType.poster, "#37"),
    ]


def test_a_poster_page_is_one_presentation() -> None:
    text = "Poster\nOne Poster Title\nAnn Lee · Bo Chen\nThe abstract of the poster.\n"
    doc = parse_schedule_text(text, SESSION)
    assert (doc.kind, doc.title) == ("presentation", "One Poster Title")
    (item,) = doc.items
    assert (item.title, item.type, item.abstract) == (
        "One Poster Title",
        ItemType.poster,
        "The abstract of the poster.",
    )
    assert guess_page_kind(text) == "presentation"


def test_page_kinds_are_guessed_from_headings() -> None:
    assert guess_page_kind("Oral Session\nOral 1\nA Title\nAnn Lee · Bo Chen\n") == "session"
    assert (
        guess_page_kind("Workshop\nW\nSat 9:00 a.m.\nA\n(Talk)\n🔗\nSat 10:00 a.m.\nB\n(Talk)\n🔗")
        == "workshop"
    )
    assert guess_page_kind("# A README\n\n- [Paper](https://arxiv.org/abs/2101.00001)\n") is None
