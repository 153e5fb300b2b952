"""What a document is, from its own shape: format and source kind."""

from __future__ import annotations

import pytest

from pipeline.models import SourceFormat
from pipeline.parse.detect import detect_format, detect_kind
from tests.conftest import seed_text
from tests.parse.events.virtual_site import (
    Card,
    Row,
    feed_page,
    feed_record,
    listing_page,
    schedule_rows_page,
)


@pytest.mark.parametrize(
    ("text", "fmt", "kind"),
    [
        (feed_page([feed_record(1, "P")]), SourceFormat.json, "feed"),
        (listing_page([Card(1, "T", "Poster", ["Ann Lee"])]), SourceFormat.html, "listing"),
        (schedule_rows_page("W", ["Ann Lee"], [Row("Talk", "Invited Talk", "Fri 9:00 a.m.")]),
         SourceFormat.html, "workshop"),
        ("Oral Session\nOral 1\nA Title\nAnn Lee · Bo Chen\nText.\n", SourceFormat.text, "session"),
        ("Poster\nOne Poster\nAnn Lee · Bo Chen\nText.\n", SourceFormat.text, "session"),
        ("# Awesome\n\n## Papers\n\n- [P](https://arxiv.org/abs/2101.00001)\n",
         SourceFormat.markdown, "readme"),
        ("Just some notes.\nNothing else.\n", SourceFormat.text, "readme"),
    ],
)  # fmt: skip
def test_format_and_kind_come_from_the_document(text: str, fmt: SourceFormat, kind: str) -> None:
    assert detect_format(text) is fmt
    assert detect_kind(text, fmt) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("000_9da80035aa0ccbc3.txt", "session"),
        ("001_dca7463950b001f7.txt", "workshop"),
        ("002_018b3c99b71c7c41.txt", "workshop"),
        ("003_67aa5497667b379c.txt", "readme"),
    ],
)
def test_the_seed_captures_are_recognised(name: str, kind: str) -> None:
    text = seed_text(name)
    assert detect_kind(text, detect_format(text)) == kind
