"""store/floats.py: which records hold a float the JSON encoders write differently."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from pipeline.models import (
    ArxivMetadata,
    CardProvenance,
    Enrichment,
    PaperCard,
    TitleCandidate,
)
from pipeline.store.floats import differs, float_check
from pipeline.store.writers import dump_records
from tests.store.test_dump_json import standard_library


class Score(BaseModel):
    value: float


class Nested(BaseModel):
    name: str
    scores: list[Score] = []
    by_source: dict[str, Score] = {}
    best: float | None = None


class Untyped(BaseModel):
    extra: Any = None


class EitherModel(BaseModel):
    either: Score | Nested


class NoFloats(BaseModel):
    name: str
    count: int = 0
    tags: list[str] = []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e-05, True), (-2.5e-07, True), (0.0, False), (0.0001, False), (0.5, False), (1e16, False)],
)
def test_only_floats_below_1e_minus_4_are_written_differently(value: float, expected: bool) -> None:
    assert differs(value) is expected


def test_floats_are_found_in_lists_dicts_and_optional_fields() -> None:
    check = float_check(Nested)
    assert check is not None
    assert not check(Nested(name="a", scores=[Score(value=0.5)], best=None))
    assert check(Nested(name="a", scores=[Score(value=0.5), Score(value=1e-5)]))
    assert check(Nested(name="a", by_source={"x": Score(value=3e-6)}))
    assert check(Nested(name="a", best=1e-9))


def test_fields_that_cannot_be_followed_leave_the_model_unknown() -> None:
    assert float_check(Untyped) is None
    assert float_check(EitherModel) is None


def test_a_model_without_floats_is_never_checked_further() -> None:
    check = float_check(NoFloats)
    assert check is not None and not check(NoFloats(name="a"))


def test_a_card_with_a_tiny_candidate_score_is_written_as_the_standard_encoder_would() -> None:
    candidate = TitleCandidate(
        metadata=ArxivMetadata(arxiv_id="2001.00001", title="T"), score=1e-05
    )
    enrichment = Enrichment(status="ambiguous", reason="two close titles", candidates=[candidate])
    card = PaperCard(
        id="c",
        title="T",
        provenance=CardProvenance(source_id="s"),
        enrichments={"arxiv": enrichment},
    )
    assert float_check(PaperCard) is not None
    written = dump_records(PaperCard, [card])
    assert written == standard_library([card.model_dump(mode="json")])
    assert b"1e-05" in written
