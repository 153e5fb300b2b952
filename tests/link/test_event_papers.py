"""The papers of an event: one record per paper, however many times it was presented."""

from __future__ import annotations

import re
from collections import Counter

from pipeline.core.ids import title_key_id
from pipeline.core.text import normalise_title
from pipeline.link.event_papers import papers_from_event
from pipeline.models import (
    Event,
    EventDocument,
    EventKind,
    ItemType,
    Link,
    Provenance,
    ScheduleItem,
)
from pipeline.parse.events.schedule import parse_schedule_text
from tests.conftest import seed_sources, seed_text

ICML2021 = "001_dca7463950b001f7.txt"
ICML2023 = "002_018b3c99b71c7c41.txt"
SOURCES = {name: s for name, s in seed_sources().items() if s.kind != "readme"}


def seed_doc(name: str, transform: str = "") -> EventDocument:
    text = seed_text(name)
    if transform == "drop-hyphens":
        text = re.sub(r"(?<=\w)-(?=\w)", "", text)
    return parse_schedule_text(text, SOURCES[name])


def item(
    number: int,
    title: str,
    kind: ItemType,
    *,
    authors: list[str] | None = None,
    speakers: list[str] | None = None,
    abstract: str | None = None,
    links: list[Link] | None = None,
    spots: list[str] | None = None,
) -> ScheduleItem:
    return ScheduleItem(
        id=f"ev-{number}",
        event_id="ev",
        title=title,
        type=kind,
        authors=authors or [],
        speakers=speakers or [],
        abstract=abstract,
        links=links or [],
        poster_spots=spots or [],
        provenance=Provenance(source_id="ev", line=number),
    )


def document(*items: ScheduleItem) -> EventDocument:
    event = Event(id="ev", kind=EventKind.workshop, provenance=Provenance(source_id="ev"))
    return EventDocument(kind="workshop", event=event, items=list(items))


# --------------------------------------------------------------------------- seeds


def test_2021_workshop_has_45_papers_8_of_them_presented_twice() -> None:
    doc = seed_doc(ICML2021)
    papers = papers_from_event(doc)
    assert len(papers) == 45
    assert Counter(len(paper.presentations) for paper in papers) == {1: 37, 2: 8}
    twice = [paper for paper in papers if len(paper.presentations) == 2]
    assert all(
        [p.type for p in paper.presentations] == [ItemType.spotlight, ItemType.poster]
        for paper in twice
    )
    # The spotlight slot's time and the poster slot's spot are both kept.
    assert all(paper.presentations[0].start_at is not None for paper in twice)
    assert all(paper.presentations[1].poster_spots for paper in twice)


def test_2021_papers_exclude_talks_remarks_and_discussions() -> None:
    doc = seed_doc(ICML2021)
    presented = {p.item_id for paper in papers_from_event(doc) for p in paper.presentations}
    by_id = {item.id: item for item in doc.items}
    assert {by_id[item_id].type for item_id in presented} == {"poster", "spotlight"}
    assert len(presented) == 45 + 8


def test_paper_ids_come_from_the_title_and_are_unique_and_in_page_order() -> None:
    doc = seed_doc(ICML2021)
    papers = papers_from_event(doc)
    assert [paper.id for paper in papers] == [title_key_id("paper", p.title) for p in papers]
    assert len({paper.id for paper in papers}) == len(papers)
    first_seen: list[str] = []
    for schedule_item in doc.items:
        key = normalise_title(schedule_item.title)
        if schedule_item.type in {"poster", "spotlight"} and key not in first_seen:
            first_seen.append(key)
    assert [normalise_title(paper.title) for paper in papers] == first_seen
    assert all(paper.event_id == doc.event.id for paper in papers)
    assert all(paper.authors and paper.abstract for paper in papers)


def test_paper_ids_survive_a_copy_that_dropped_hyphens() -> None:
    original = [paper.id for paper in papers_from_event(seed_doc(ICML2023))]
    variant = [paper.id for paper in papers_from_event(seed_doc(ICML2023, "drop-hyphens"))]
    assert variant == original


def test_2023_workshop_papers_are_its_posters_and_orals_only() -> None:
    doc = seed_doc(ICML2023)
    papers = papers_from_event(doc)
    assert len(papers) == 50
    kinds = Counter(p.type.value for paper in papers for p in paper.presentations)
    assert kinds == {"poster": 45, "oral": 5}


# --------------------------------------------------------------------------- rules


def test_same_paper_twice_is_one_record_with_two_presentations_matched_without_hyphens() -> None:
    doc = document(
        item(1, "Two-Layer Nets Learn", ItemType.spotlight, authors=["Ann Lee"], abstract="A."),
        item(2, "Keynote", ItemType.invited_talk, speakers=["Bo Chen"]),
        item(3, "TwoLayer nets learn", ItemType.poster, authors=["Ann Lee"], spots=["B2"]),
    )
    (paper,) = papers_from_event(doc)
    assert paper.title == "Two-Layer Nets Learn"  # the first presentation's title
    assert paper.id == title_key_id("paper", "TwoLayer nets learn")
    assert [(p.item_id, p.type, p.poster_spots) for p in paper.presentations] == [
        ("ev-1", ItemType.spotlight, []),
        ("ev-3", ItemType.poster, ["B2"]),
    ]
    assert (paper.authors, paper.abstract) == (["Ann Lee"], "A.")


def test_fields_come_from_the_first_presentation_that_has_them_and_links_merge() -> None:
    review = Link(label="OpenReview", url="https://openreview.net/forum?id=x")
    video = Link(label="SlidesLive Video", url="https://slideslive.com/1")
    doc = document(
        item(1, "A Paper", ItemType.oral, links=[video]),
        item(
            2,
            "A Paper",
            ItemType.poster,
            authors=["Ann Lee"],
            abstract="Ab.",
            links=[review, video],
        ),
    )
    (paper,) = papers_from_event(doc)
    assert paper.authors == ["Ann Lee"]
    assert paper.abstract == "Ab."
    assert paper.links == [video, review]


def test_contributed_talk_is_a_paper_only_with_evidence_of_one() -> None:
    paper_link = Link(label="paper", url="https://openreview.net/forum?id=abc")
    doc = document(
        item(1, "Contributed talks 1", ItemType.contributed_talk, speakers=["Ann Lee", "Bo Chen"]),
        item(2, "Linked Talk", ItemType.contributed_talk, speakers=["Cy Dee"], links=[paper_link]),
        item(3, "Also A Poster", ItemType.contributed_talk, speakers=["Di Eve"]),
        item(4, "Also a poster", ItemType.poster, authors=["Di Eve", "Ed Fox"]),
        item(5, "Lunch", ItemType.break_),
        item(6, "Opening", ItemType.remarks),
    )
    papers = papers_from_event(doc)
    assert [paper.title for paper in papers] == ["Linked Talk", "Also A Poster"]
    assert papers[0].authors == ["Cy Dee"]  # a talk alone: its speakers are the authors
    assert papers[1].authors == ["Di Eve", "Ed Fox"]  # the poster's author line wins
    assert [p.type for p in papers[1].presentations] == ["contributed_talk", "poster"]


def test_an_event_without_papers_gives_an_empty_list() -> None:
    assert papers_from_event(document()) == []
    assert papers_from_event(document(item(1, "Lunch", ItemType.break_))) == []
