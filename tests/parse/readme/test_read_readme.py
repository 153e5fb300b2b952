"""read_readme: one format choice for every README (refresh, ingest, replay), over the
ordered registry of README formats."""

from __future__ import annotations

import sys
import tarfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.models import PaperCard, Provenance, SourceFormat
from pipeline.parse import readme
from pipeline.parse.readme import (
    README_FORMATS,
    FormatReading,
    ReadmeFormat,
    SectionReading,
    blocks,
    read_as,
    read_readme,
)
from pipeline.parse.readme.cards import parse_readme_markdown
from tests.conftest import HISTORY_TARBALL, require
from tests.parse.readme.test_entries import LINKS

CARD = "# L\n\n## T: 2020\n\n- Card. [[paper]](https://arxiv.org/abs/2001.00001)\n  - Ada.\n"


def test_a_link_list_the_card_format_cannot_read_is_read_as_entries() -> None:
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


def _toy_card(source_id: str, title: str = "A Toy Paper") -> PaperCard:
    return PaperCard(id="card-toy", title=title, provenance=Provenance(source_id=source_id, line=1))


MIXED = textwrap.dedent(
    """\
    # Awesome Mixed

    ## Cards: 2020

    - Deep Double Descent. [[paper]](https://arxiv.org/abs/1912.02292)
      - Preetum Nakkiran, Gal Kaplun. *ICLR 2020*

    ## Tables

    | Title | Venue |
    |---|---|
    | [Grokking](https://arxiv.org/abs/2201.02177) | ICLR 2022 Workshop |

    ## Classics

    **[1]** Ada Lovelace, Alan Turing. "**On Computable Numbers**." Proceedings (1936). [[pdf]](https://example.org/a.pdf)
    """
)


def test_each_section_is_read_by_the_format_that_reads_it_best() -> None:
    doc = read_readme(MIXED, "mixed", SourceFormat.markdown).document
    assert [(card.section, card.title) for card in doc.items] == [
        ("Cards: 2020", "Deep Double Descent"),
        ("Tables", "Grokking"),
        ("Classics", "On Computable Numbers"),
    ]
    cards_card = parse_readme_markdown(MIXED, source_id="mixed").items[0]
    assert doc.items[0] == cards_card  # the card format's own reading of its section
    assert [card.year for card in doc.items] == [2020, 2022, 1936]
    assert doc.items[2].authors == ["Ada Lovelace", "Alan Turing"]
    assert doc.warnings == []


def test_card_ids_are_given_over_the_chosen_sections_in_order() -> None:
    text = MIXED.replace("[Grokking]", "[Deep Double Descent]")
    doc = read_readme(text, "mixed", SourceFormat.markdown).document
    first, second = doc.items[0].id, doc.items[1].id
    assert second == f"{first}-2"


def test_a_registered_format_is_asked_for_unsettled_sections_and_wins_where_it_scores_best(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[frozenset[int]] = []

    def read(text: str, source_id: str, settled: frozenset[int]) -> FormatReading:
        asked.append(settled)
        toy = (_toy_card(source_id, "Toy One"), _toy_card(source_id, "Toy Two"))
        sections = tuple(
            SectionReading(line=line, cards=toy, score=2.0)
            for line in (8, 14)  # 'Tables' and 'Classics'
            if line not in settled
        )
        return FormatReading(sections=sections)

    toy = ReadmeFormat(name="toy", reads=SourceFormat.markdown, read=read)
    monkeypatch.setattr(readme, "README_FORMATS", [*README_FORMATS[:1], toy, *README_FORMATS[1:]])
    doc = read_as(SourceFormat.markdown, MIXED, "x")
    # the card format settled its section (line 3): the toy was told so, and was not read
    # there; it read 'Tables' and 'Classics' better (score 2) than the entry reader (1)
    assert 3 in asked[0]
    assert [card.title for card in doc.items] == [
        "Deep Double Descent",
        "Toy One",
        "Toy Two",
        "Toy One",
        "Toy Two",
    ]


def test_a_format_nobody_reads_is_a_warning_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readme, "README_FORMATS", [])
    document = read_as(SourceFormat.text, "anything", "x")
    assert document.items == [] and "no README format reads text" in document.warnings[0].message


@pytest.mark.slow
def test_every_history_version_reads_as_the_card_format_reads_it() -> None:
    """The per-section choice keeps the card format's reading of the README history; where
    the card format left a block with a warning, another format may read one more paper
    (version 0036 writes '-Title' for a bullet: a paragraph the entry reader reads)."""
    differing: list[str] = []
    with tarfile.open(require(HISTORY_TARBALL)) as tar:
        for member in (m for m in tar.getmembers() if m.isfile()):
            extracted = tar.extractfile(member)
            assert extracted is not None
            text = extracted.read().decode("utf-8")
            chosen = read_readme(text, "adp", SourceFormat.markdown).document
            card_format = parse_readme_markdown(text, source_id="adp")
            if chosen.items == card_format.items:
                continue
            differing.append(Path(member.name).name[:4])
            assert card_format.warnings, member.name  # only where the card format gave up
            kept = [card.id for card in card_format.items]
            assert [card.id for card in chosen.items if card.id in kept] == kept
            assert all(card.links for card in chosen.items if card.id not in kept)
    assert len(differing) < 5


def test_documents_read_in_threads_read_as_they_do_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs parse sources in threads; the kept chunk parses are shared and evicted safely."""
    monkeypatch.setattr(blocks, "_KEPT_CHARS", 20_000)  # a few documents' worth: evictions
    sections = "".join(
        f"## Topic {n}\n\n- Paper {n}. [[paper]](https://x.org/{n})\n\n" for n in range(60)
    )
    texts = [f"# List {n}\n\n{sections}" for n in range(40)]
    alone = [read_readme(text, "x", SourceFormat.markdown).document for text in texts]
    blocks.forget_parsed_chunks()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            threaded = list(
                pool.map(lambda t: read_readme(t, "x", SourceFormat.markdown).document, texts)
            )
    finally:
        sys.setswitchinterval(interval)
    assert threaded == alone
