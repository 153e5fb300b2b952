"""The README page-text parser: the rendered GitHub page gives the markdown parser's cards."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.core.ids import title_key_id
from pipeline.models import PaperCard
from pipeline.parse.readme.cards import parse_readme_markdown
from pipeline.parse.readme.page_text import parse_readme_text
from tests.conftest import README_AD1EB52, SEEDS_DIR
from tests.conftest import require as _require

SEED_003 = SEEDS_DIR / "003_67aa5497667b379c.txt"

COMPARED = {"id", "title", "authors", "venue", "keywords", "section", "topic", "year", "digest"}

HEADER = """\
Skip to content

Latest commit

History
2941 lines (2285 loc) · 456 KB

README.md

File metadata and controls

2941 lines (2285 loc) · 456 KB

Maintenance PR Welcome  GitHub stars

Awesome Deep Phenomena Awesome

Our understanding of modern neural networks lags behind their practical successes: papers.

Table of Contents

"""


def _page(body: str) -> str:
    return HEADER + textwrap.dedent(body).lstrip("\n")


def _show(card: PaperCard) -> str:
    return card.model_dump_json(include=COMPARED - {"digest"}, indent=1)


@pytest.fixture(scope="module")
def both() -> tuple[list[PaperCard], list[PaperCard]]:
    markdown = parse_readme_markdown(_require(README_AD1EB52).read_text(encoding="utf-8"))
    page = parse_readme_text(_require(SEED_003).read_text(encoding="utf-8"))
    assert page.warnings == []
    return markdown.items, page.items


def test_page_text_gives_the_markdown_cards_card_by_card(
    both: tuple[list[PaperCard], list[PaperCard]],
) -> None:
    markdown, page = both
    assert len(page) == len(markdown) == 543
    for number, (ours, theirs) in enumerate(zip(markdown, page, strict=True), start=1):
        assert ours.model_dump(include=COMPARED) == theirs.model_dump(include=COMPARED), (
            f"card {number} differs\nmarkdown (line {ours.provenance.line}): {_show(ours)}\n"
            f"page text (line {theirs.provenance.line}): {_show(theirs)}"
        )


def test_page_text_cards_have_no_links_and_point_at_their_bullet_line(
    both: tuple[list[PaperCard], list[PaperCard]],
) -> None:
    _, page = both
    seed_lines = _require(SEED_003).read_text(encoding="utf-8").splitlines()
    for card in page:
        assert (card.links, card.arxiv_id, card.arxiv_version) == ([], None, None)
        assert card.provenance.line is not None
        assert seed_lines[card.provenance.line - 1].lstrip().startswith("• ")
    assert page[0].provenance.line == 34


def test_page_text_document_title_without_header_noise() -> None:
    doc = parse_readme_text(_require(SEED_003).read_text(encoding="utf-8"), source_id="seed-003")
    assert doc.title == "Awesome Deep Phenomena"
    assert doc.items[0].provenance.source_id == "seed-003"


def test_a_small_page_reads_title_topics_and_fields() -> None:
    doc = parse_readme_text(
        _page(
            """
            DALLE

            Neural Collapse

            avatar

            Neural Collapse: 2024

              • Collapse Happens. [paper] [code]

                • Ann Smith, Jordan T. Ash. NeurIPS 2023
                • Key Word: Neural Collapse; Features.
                • Digest This paper shows collapse.
              • No Link Card.

                • Bo Li.
                Digest An indented line that lost its bullet.
            """
        )
    )
    assert doc.title == "Awesome Deep Phenomena"
    assert doc.warnings == []
    first, second = doc.items
    assert (first.title, first.authors, first.venue) == (
        "Collapse Happens",
        ["Ann Smith", "Jordan T. Ash"],
        "NeurIPS 2023",
    )
    assert (first.keywords, first.digest) == (
        ["Neural Collapse", "Features"],
        "This paper shows collapse.",
    )
    assert (first.topic, first.year, first.section) == (
        "Neural Collapse",
        2024,
        "Neural Collapse: 2024",
    )
    assert first.id == title_key_id("card", "Collapse Happens")
    assert (second.title, second.authors) == ("No Link Card", ["Bo Li"])
    assert second.digest == "An indented line that lost its bullet."


def test_bare_year_headings_take_the_topic_line_above_them() -> None:
    doc = parse_readme_text(
        _page(
            """
            Empirical Study

            2019

              • A Paper. [paper]
            """
        )
    )
    assert [(c.topic, c.year, c.section) for c in doc.items] == [("Empirical Study", 2019, "2019")]


def test_contributing_template_and_resources_are_not_cards() -> None:
    doc = parse_readme_text(
        _page(
            """
            Others: 2016

              • Real Paper. [paper]

            Related Resources

              • Off the Convex Path Blog

            Contributing

            Welcome to recommend papers that you find interesting and focused on deep phenomena.

            Formatting (The order of the papers is reversed)

              • Paper Title [paper]
                • Authors. Published Conference or Journal
                • Key Word: XXX.
                • Digest XXXXXX
            """
        )
    )
    assert [card.title for card in doc.items] == ["Real Paper"]
    assert doc.warnings == []


def test_bullets_it_cannot_read_give_warnings_with_their_lines() -> None:
    text = _page(
        """
        Others: 2016

            • an orphan sub-item
          • Real Paper. [paper]
          • a note without a link or sub-items
        """
    )
    doc = parse_readme_text(text)
    assert [card.title for card in doc.items] == ["Real Paper"]
    card_line = doc.items[0].provenance.line
    assert card_line is not None
    lines = text.splitlines()
    assert [(w.line, lines[(w.line or 0) - 1].strip()) for w in doc.warnings] == [
        (card_line - 1, "• an orphan sub-item"),
        (card_line + 1, "• a note without a link or sub-items"),
    ]
    assert "sub-item without a card" in doc.warnings[0].message
    assert "not a card" in doc.warnings[1].message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no '•' bullet lines"),
        ("Just a letter.\n\nDear reader, nothing here.\n", "no '•' bullet lines"),
        ("\x00\x01\ufffd\x7fELF\x02garbage •\n\x89PNG\r\n", "no '•' bullet lines"),
        ("Some Title\n\n  • a bullet\n  • another\n", "no section headings"),
        (HEADER + "Topic: 2020\n\n  • just words\n", "looks like a card"),
    ],
)
def test_a_file_that_is_not_such_a_readme_gives_no_items_and_says_why(
    text: str, reason: str
) -> None:
    doc = parse_readme_text(text)
    assert doc.items == []
    assert doc.warnings and reason in doc.warnings[-1].message


def test_the_markdown_source_read_as_page_text_gives_no_cards_and_a_warning() -> None:
    markdown = _require(README_AD1EB52).read_text(encoding="utf-8")
    doc = parse_readme_text(markdown)
    assert doc.items == []
    assert "no paper cards found" in doc.warnings[-1].message
