"""dump_json writes with orjson the very bytes the standard library's encoder wrote."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.settings import get_settings
from pipeline.run.refresh import refresh
from pipeline.run.replay import parse_historical
from pipeline.sources.history import read_history
from pipeline.store.writers import dump_json, dump_json_array
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
