"""--where filters: dotted fields, list fields, and fields of the records in a list."""

from __future__ import annotations

import pytest

from pipeline.core.errors import PipelineError
from pipeline.models import Appearance, AppearanceKind, LinkKind, Paper, PaperLink
from pipeline.store.filters import apply_filters, parse_filter


def _paper(paper_id: str, *kinds: LinkKind, year: int | None = None) -> Paper:
    return Paper(
        id=paper_id,
        title=paper_id,
        year=year,
        links=[PaperLink(kind=kind, url=f"https://x.org/{kind.value}") for kind in kinds],
        appearances=[
            Appearance(
                source_id="s", record_id=paper_id, kind=AppearanceKind.readme_card, title="t"
            )
        ],
    )


PAPERS = [
    _paper("with-code", LinkKind.arxiv, LinkKind.code, year=2023),
    _paper("arxiv-only", LinkKind.arxiv, year=2021),
    _paper("no-links"),
]


def _ids(*where: str) -> list[str]:
    kept = apply_filters(PAPERS, [parse_filter(text) for text in where])
    return [paper.id for paper in kept if isinstance(paper, Paper)]


def test_a_field_of_the_records_in_a_list_matches_when_any_record_does() -> None:
    assert _ids("links.kind=code") == ["with-code"]
    assert _ids("links.kind=arxiv", "year<2022") == ["arxiv-only"]
    assert _ids("links.url~/arxiv") == ["with-code", "arxiv-only"]


def test_not_equal_through_a_list_means_no_record_has_it() -> None:
    assert _ids("links.kind!=code") == ["arxiv-only", "no-links"]


def test_a_subfield_no_record_has_is_a_one_line_error() -> None:
    with pytest.raises(PipelineError, match=r"no field 'links\.colour'"):
        _ids("links.colour=red")
