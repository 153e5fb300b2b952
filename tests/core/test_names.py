"""One name check for every dataset, source and file name; arXiv's own identifier rules."""

from __future__ import annotations

import pytest

from pipeline.core.errors import PipelineError
from pipeline.core.ids import MAX_NAME_LENGTH, check_name, parse_arxiv_id, slugify

HOSTILE_NAMES = [
    "../../x",
    "/etc/passwd",
    "a/b",
    "x\n",  # '$' would match before the newline
    "x\x00y",
    "papers",  # the linked papers dataset
    "latest",
    "LATEST",
    "con",
    "Ｐａｐｅｒｓ",  # full-width look-alikes
    "pаpers",  # a Cyrillic 'а'
    "x" * (MAX_NAME_LENGTH + 1),
    "x" * 300,
    "",
    "-x",
    ".hidden",
    "a b",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:20] for n in HOSTILE_NAMES])
def test_a_hostile_name_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(PipelineError) as refused:
        check_name(name, "--name")
    message = str(refused.value)
    assert message.startswith("--name ") and "\n" not in message and len(message) < 200


@pytest.mark.parametrize("name", ["awesome-deep-phenomena", "x", "icml-2021-x", "a" * 64])
def test_a_slug_within_the_limit_passes(name: str) -> None:
    assert check_name(name) == name


def test_slugify_stays_within_the_limit() -> None:
    assert len(slugify("word " * 100)) <= MAX_NAME_LENGTH
    assert not slugify("word " * 100).endswith("-")


@pytest.mark.parametrize(
    "text",
    [
        "hep-th/9913001",  # month 13
        "cs/9901001v0",  # version 0
        "1501.00000",  # number 0
        "0703.0001",  # new style starts in 2007-04
        "1412.12345",  # five digits only from 2015
        "1501.1234",  # four digits only until 2014
        "2013.00001",  # month 13
        "foo/9901001",  # not an archive of the old scheme
        "math/0704001",  # the old scheme ended in 2007-03
        "hep-th/9107001",  # and began in 1991-08
        "hep-th/9901000",  # number 0
        "2101.00001v",
    ],
)
def test_ids_arxiv_rejects_are_rejected(text: str) -> None:
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("hep-th/9901001", "hep-th/9901001", None),
        ("math.GT/0309136v2", "math.GT/0309136", 2),
        ("cond-mat/0703001", "cond-mat/0703001", None),
        ("0704.0001", "0704.0001", None),
        ("1412.9999v3", "1412.9999", 3),
        ("2012.03107v2", "2012.03107", 2),
    ],
)
def test_ids_arxiv_accepts_are_accepted(text: str, base: str, version: int | None) -> None:
    parsed = parse_arxiv_id(text)
    assert parsed is not None and (parsed.base, parsed.version) == (base, version)
