"""dump_json writes with orjson the very bytes the standard library's encoder wrote."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.settings import get_settings
from pipeline.models import NearMiss, PaperCard
from pipeline.run.refresh import refresh
from pipeline.run.replay import parse_historical
from pipeline.sources.history import read_history
from pipeline.store.writers import ARRAY_BATCH, dump_json, dump_json_array, dump_records
from tests.conftest import HISTORY_TARBALL, require


def standard_library(data: Any) -> bytes:
    """What every version was written with before orjson."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def test_every_file_of_a_refresh_is_what_the_standard_encoder_writes(project_copy: Path) -> None:
    refresh(get_settings())
    written = sorted((project_copy / "processed").glob("*/*/*.json"))
    assert len(written) > 20
    for path in written:
        data = path.read_bytes()
        assert standard_library(json.loads(data)) == data, path
        assert dump_json(json.loads(data)) == data, path
    # The outputs hold what could differ: accented names and float scores.
    everything = b"".join(path.read_bytes() for path in written)
    assert "é".encode() in everything and b'"score": 0.' in everything


def test_historical_readme_tables_encode_identically() -> None:
    history = read_history(require(HISTORY_TARBALL))
    for version in islice(history, 0, None, 60):
        cards = [card.model_dump(mode="json") for card in parse_historical(version, "h").items]
        assert dump_json(cards) == standard_library(cards)


@pytest.mark.parametrize(
    "data",
    [
        {"score": 1e-05, "tiny": [2.5e-07, -3e-9, 0.00001234]},  # orjson: '1e-5', '0.00001'
        {"text": "a learning rate of 1e-4,", "id": "2001.00001"},  # look alike, are strings
        {"big": 2**70, 3: "integer key"},  # orjson refuses both
        {"é": '\u001b\x7f\u2028 漢字 😀 \\ " /', "empty": [[], {}], "n": [True, None, -0.0]},
        [0.0001, 1e16, 1.5e300, 0.9333, 12.0],
    ],
)
def test_values_where_orjson_differs_or_refuses_take_the_standard_encoder(data: Any) -> None:
    assert dump_json(data) == standard_library(data)
    items = data if isinstance(data, list) else [data, data]
    assert dump_json_array(iter(items)) == standard_library(items)  # one item at a time


def test_an_empty_table_is_an_empty_array() -> None:
    assert dump_json_array([]) == standard_library([]) == b"[]\n"


def test_records_encoded_straight_from_the_models_are_the_standard_encoders_bytes() -> None:
    history = read_history(require(HISTORY_TARBALL))
    for version in islice(history, 0, None, 45):
        cards = parse_historical(version, "h").items
        expected = standard_library([card.model_dump(mode="json") for card in cards])
        assert dump_records(PaperCard, cards) == expected


def near_miss(score: float, reason: str = "different years") -> NearMiss:
    return NearMiss(id="a~b", paper_ids=["a", "b"], titles=["A", "B"], score=score, reason=reason)


@pytest.mark.parametrize(
    "records",
    [
        [near_miss(0.9333), near_miss(1e-05), near_miss(2.5e-07)],  # small floats: slow way
        [near_miss(0.5, '\u001b\x7f\u2028 漢字 😀 \\ " /'), near_miss(1e16)],
        [near_miss(0.25)] * (ARRAY_BATCH + 3),  # more than one batch
        [],
    ],
)
def test_records_where_pydantic_could_differ_are_written_as_the_standard_encoder_would(
    records: list[NearMiss],
) -> None:
    expected = standard_library([record.model_dump(mode="json") for record in records])
    assert dump_records(NearMiss, records) == expected


def test_a_record_of_a_subclass_keeps_its_own_fields() -> None:
    class Annotated(NearMiss):
        note: str = "kept"

    records = [near_miss(0.5), Annotated(**near_miss(0.75).model_dump())]
    written = dump_records(NearMiss, records)
    assert written == standard_library([record.model_dump(mode="json") for record in records])
    assert b'"note": "kept"' in written
