"""read_readme: one format choice for every README (refresh, ingest, replay), over the
ordered registry of README formats."""

from __future__ import annotations

import pytest

from pipeline.models import PaperCard, Provenance, ReadmeDocument, SourceFormat
from pipeline.parse import readme
from pipeline.parse.readme import README_FORMATS, ReadmeFormat, read_as, read_readme
from pipeline.parse.readme.cards import parse_readme_markdown
from tests.parse.readme.test_paper_list import LINKS

CARD = "# L\n\n## T: 2020\n\n- Card. [[paper]](https://arxiv.org/abs/2001.00001)\n  - Ada.\n"


def test_a_link_list_the_card_format_cannot_read_is_read_as_a_paper_list() -> None:
    assert parse_readme_markdown(LINKS).items[0].title == "Classics"  # a linkless 'card'
    doc = read_readme(LINKS, "list", SourceFormat.markdown).document
    assert len(doc.items) == 5 and doc.items[0].title == "A Survey of Large Language Models"


def test_a_card_format_readme_keeps_the_card_reading() -> None:
    reading = read_readme(CARD, "list", SourceFormat.markdown)
    assert reading.document == parse_readme_markdown(CARD, source_id="list")
    assert reading.format is SourceFormat.markdown


def test_without_any_paper_list_every_reader_says_why() -> None:
    text = "# Tool\n\n## Install\n\n- pip install tool\n"
    reading = read_readme(text, "list", SourceFormat.markdown)
    assert reading.document.items == []
    messages = [w.message for w in reading.document.warnings if w.line is None]
    assert messages[0].startswith("no paper cards found")
    assert messages[1].startswith("no paper list recognised: 2 headings")
    # markdown and page text were both tried, markdown's reasons are the answer
    assert list(reading.readings) == [SourceFormat.markdown, SourceFormat.text]


def test_markdown_declared_as_page_text_is_still_read_as_markdown() -> None:
    reading = read_readme(CARD, "list", SourceFormat.text)
    assert reading.format is SourceFormat.markdown
    assert [card.title for card in reading.document.items] == ["Card"]


def test_html_is_read_as_its_page_text_and_says_so() -> None:
    reading = read_readme("<html><body><p>nothing here</p></body></html>", "x")
    assert reading.format is SourceFormat.html and list(reading.readings) == [SourceFormat.html]
    assert reading.document.warnings[0].message == "README given as HTML: read as page text"


def _toy_card(source_id: str) -> PaperCard:
    return PaperCard(
        id="card-toy", title="A Toy Paper", provenance=Provenance(source_id=source_id, line=1)
    )


def test_a_registered_format_is_asked_in_its_place_and_wins_with_more_cards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def read(text: str, source_id: str) -> ReadmeDocument:
        asked.append(text)
        return ReadmeDocument(items=[_toy_card(source_id)] * 2 if "TOY" in text else [])

    toy = ReadmeFormat(name="toy", reads=SourceFormat.markdown, read=read)
    monkeypatch.setattr(readme, "README_FORMATS", [*README_FORMATS[:1], toy, *README_FORMATS[1:]])
    # a card-format README settles at the first format: the toy is never asked
    assert read_as(SourceFormat.markdown, CARD, "x").items[0].title == "Card"
    assert asked == []
    # a document the card format cannot read asks the toy, whose two cards win
    document = read_as(SourceFormat.markdown, "# TOY\n\ntext\n", "x")
    assert [card.title for card in document.items] == ["A Toy Paper", "A Toy Paper"]
    assert len(asked) == 1


def test_a_format_nobody_reads_is_a_warning_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readme, "README_FORMATS", [])
    document = read_as(SourceFormat.text, "anything", "x")
    assert document.items == [] and "no README format reads text" in document.warnings[0].message
