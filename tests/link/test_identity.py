"""Paper ids for life: carry_ids keeps the last version's ids and records aliases."""

from __future__ import annotations

from pipeline.link.identity import KnownPaper, carry_ids, known_papers
from pipeline.link.papers import LinkResult
from pipeline.models import Appearance, AppearanceKind, NearMiss, Paper


def _paper(paper_id: str, title: str, *records: str, arxiv_id: str | None = None) -> Paper:
    return Paper(
        id=paper_id,
        title=title,
        arxiv_id=arxiv_id,
        appearances=[
            Appearance(
                source_id="s", record_id=record, kind=AppearanceKind.readme_card, title=title
            )
            for record in records
        ],
    )


def _known(paper: Paper) -> KnownPaper:
    (known,) = known_papers([paper.model_dump(mode="json")])
    return known


def _result(*papers: Paper, near: list[NearMiss] | None = None) -> LinkResult:
    paper_of = {(a.source_id, a.record_id): p.id for p in papers for a in p.appearances}
    return LinkResult(papers=list(papers), near_misses=near or [], paper_of=paper_of)


def test_a_paper_that_gains_an_arxiv_id_keeps_its_title_id() -> None:
    before = _paper("paper-aaa", "Grokking", "card-1")
    now = _paper("arxiv:2201.02177", "Grokking", "card-1", arxiv_id="2201.02177")
    (carried,) = carry_ids(_result(now), [_known(before)]).papers
    assert carried.id == "paper-aaa"
    assert carried.arxiv_id == "2201.02177" and carried.previous_ids == []


def test_two_papers_merged_keep_one_id_and_alias_the_other() -> None:
    first = _paper("paper-aaa", "Grokking", "card-1", "card-2")
    second = _paper("arxiv:2201.02177", "Grokking: generalization", "item-9", arxiv_id="2201.02177")
    merged = _paper("arxiv:2201.02177", "Grokking", "card-1", "card-2", "item-9")
    (carried,) = carry_ids(_result(merged), [_known(first), _known(second)]).papers
    assert carried.id == "paper-aaa"  # two shared appearances against one
    assert carried.previous_ids == ["arxiv:2201.02177"]


def test_aliases_are_kept_across_versions() -> None:
    before = _paper("paper-aaa", "Grokking", "card-1").model_copy(
        update={"previous_ids": ["paper-old"]}
    )
    now = _paper("paper-bbb", "Grokking, again", "card-1")
    (carried,) = carry_ids(_result(now), [_known(before)]).papers
    assert (carried.id, carried.previous_ids) == ("paper-aaa", ["paper-old"])


def test_a_split_paper_keeps_its_id_on_the_side_with_most_appearances() -> None:
    before = _paper("paper-aaa", "Grokking", "card-1", "card-2", "card-3")
    big = _paper("paper-aaa", "Grokking", "card-1", "card-2")
    small = _paper("paper-aaa", "Grokking", "card-3")  # linking gave both the same hash id
    papers = carry_ids(_result(big, small), [_known(before)]).papers
    assert [p.id for p in papers] == ["paper-aaa", "paper-aaa-2"]


def test_a_new_paper_matched_by_arxiv_id_or_title_alone_continues_the_old_one() -> None:
    by_arxiv = _paper("arxiv:1", "Old title", "card-1", arxiv_id="1111.11111")
    by_title = _paper("paper-x", "Deep Double Descent", "card-2")
    now_arxiv = _paper("arxiv:1111.11111", "New title", "item-1", arxiv_id="1111.11111")
    now_title = _paper("paper-y", "Deep double descent.", "item-2")
    papers = carry_ids(_result(now_arxiv, now_title), [_known(by_arxiv), _known(by_title)]).papers
    assert [p.id for p in papers] == ["arxiv:1", "paper-x"]


def test_a_paper_nobody_continues_keeps_its_own_id() -> None:
    gone = _paper("paper-gone", "Something else entirely", "card-7")
    new = _paper("paper-new", "Brand new", "card-8")
    (carried,) = carry_ids(_result(new), [_known(gone)]).papers
    assert (carried.id, carried.previous_ids) == ("paper-new", [])


def test_paper_of_and_near_misses_follow_the_carried_ids() -> None:
    before = _paper("paper-aaa", "Grokking", "card-1")
    now = _paper("arxiv:2", "Grokking", "card-1", arxiv_id="2")
    other = _paper("paper-000", "Grokkin", "card-2")
    miss = NearMiss(
        id="arxiv:2~paper-000",
        paper_ids=["arxiv:2", "paper-000"],
        titles=["Grokking", "Grokkin"],
        score=0.9,
        reason="no shared author surname",
    )
    result = carry_ids(_result(now, other, near=[miss]), [_known(before)])
    assert result.paper_of[("s", "card-1")] == "paper-aaa"
    (moved,) = result.near_misses
    assert moved.paper_ids == ["paper-000", "paper-aaa"]
    assert moved.titles == ["Grokkin", "Grokking"] and moved.id == "paper-000~paper-aaa"


def test_known_papers_read_rows_of_the_first_schema_too() -> None:
    row = {
        "id": "paper-aaa",
        "title": "Grokking",
        "appearances": [{"source_id": "s", "record_id": "card-1"}],
        "enrichment": None,  # schema 1's single enrichment
    }
    (known,) = known_papers([row, {"title": "no id"}])
    assert known.appearances == frozenset({("s", "card-1")}) and known.previous_ids == ()
