"""The general entry reader: tables of papers, link items, and what is not a paper."""

from __future__ import annotations

import textwrap

import pytest
from markdown_it.token import Token

from pipeline.core.ids import title_key_id
from pipeline.models import Link
from pipeline.parse.readme import blocks
from pipeline.parse.readme.entries import describe_markdown, parse_entries
from pipeline.parse.readme.inline import plain_inline, read_inline
from tests.conftest import SHARED_DIR, require

TABLE = textwrap.dedent(
    """\
    # Awesome Grokking

    ## Theory

    | Title | Authors | Venue | Year | Paper | Code |
    |-------|---------|-------|------|-------|------|
    | Grokking: Generalization Beyond Overfitting | Alethea Power, Yuri Burda and Harri Edwards | ICLR Workshop | 2022 | [arXiv](https://arxiv.org/abs/2201.02177v2) | [![stars](https://img.shields.io/x.svg)](https://github.com/openai/grok) |
    | **Omnigrok**: Grokking Beyond Algorithmic Data | Ziming Liu<br>Eric J. Michaud<br>Max Tegmark | ICLR 2023 | | [pdf](https://arxiv.org/pdf/2210.01117.pdf) | |
    """  # noqa: E501
)


# --------------------------------------------------------------------------- tables


def test_table_rows_become_cards_with_every_column_read() -> None:
    doc = parse_entries(TABLE, source_id="grok")
    assert doc.title == "Awesome Grokking"
    assert doc.warnings == []
    first, second = doc.items
    assert first.title == "Grokking: Generalization Beyond Overfitting"
    assert first.authors == ["Alethea Power", "Yuri Burda", "Harri Edwards"]
    assert (first.venue, first.year) == ("ICLR Workshop", 2022)
    assert first.links == [
        Link(label="arXiv", url="https://arxiv.org/abs/2201.02177v2"),
        Link(label="code", url="https://github.com/openai/grok"),  # a badge: labelled by host
    ]
    assert (first.arxiv_id, first.arxiv_version) == ("2201.02177", 2)
    assert (first.topic, first.section) == ("Theory", "Theory")
    assert first.provenance.source_id == "grok" and first.provenance.line == 7
    assert first.id == title_key_id("card", first.title)
    # bold markup dropped, '<br>' separates names, the year comes from the venue
    assert second.title == "Omnigrok: Grokking Beyond Algorithmic Data"
    assert second.authors == ["Ziming Liu", "Eric J. Michaud", "Max Tegmark"]
    assert (second.venue, second.year, second.arxiv_id) == ("ICLR 2023", 2023, "2210.01117")


def test_a_linked_title_cell_is_the_paper_link_and_notes_become_the_digest() -> None:
    doc = parse_entries(
        "## Papers\n\n| Paper | Date | TL;DR | Tags |\n|---|---|---|---|\n"
        "| [Scaling Laws](https://arxiv.org/abs/2001.08361) | 2020-01 | Bigger is better. "
        "| scaling; LLM, compute |\n"
    )
    (card,) = doc.items
    assert card.title == "Scaling Laws"
    assert card.links == [Link(label="paper", url="https://arxiv.org/abs/2001.08361")]
    assert (card.year, card.digest) == (2020, "Bigger is better.")
    assert card.keywords == ["scaling", "LLM", "compute"]


def test_title_column_wins_over_a_paper_column_which_then_holds_links() -> None:
    doc = parse_entries(
        "| Paper | Title |\n|---|---|\n| [link](https://openreview.net/x) | A Real Title |\n"
    )
    (card,) = doc.items
    assert card.title == "A Real Title"
    assert card.links == [Link(label="paper", url="https://openreview.net/x")]


def test_link_cells_written_as_text_still_give_links_and_arxiv_ids() -> None:
    doc = parse_entries(
        "| Title | arXiv | Code |\n|---|---|---|\n"
        "| One | arXiv:1706.03762 | https://github.com/a/b |\n"
    )
    (card,) = doc.items
    assert card.arxiv_id == "1706.03762"
    assert card.links == [
        Link(label="arxiv", url="https://arxiv.org/abs/1706.03762"),
        Link(label="code", url="https://github.com/a/b"),
    ]


def test_row_without_title_warns_with_its_line_and_empty_rows_are_layout() -> None:
    doc = parse_entries(
        "# L\n\n| Title | Venue |\n|---|---|\n| Kept | NeurIPS |\n|  |  |\n|  | ICML 2020 |\n"
    )
    assert [card.title for card in doc.items] == ["Kept"]
    assert len(doc.warnings) == 1
    assert doc.warnings[0].line == 7 and "no title" in doc.warnings[0].message


def test_tables_without_a_title_column_or_under_excluded_headings_give_no_cards() -> None:
    text = (
        "# Tool\n\n| Option | Meaning |\n|---|---|\n| -v | verbose |\n\n"
        "## Contents\n\n| Title |\n|---|\n| Not a paper |\n"
    )
    doc = parse_entries(text)
    assert doc.items == []
    assert "1 table without a title or paper column (columns: Option | Meaning)" in (
        describe_markdown(text)
    )
    assert "(columns: Option | Meaning)" in doc.warnings[-1].message


# --------------------------------------------------------------------------- link items

LINKS = textwrap.dedent(
    """\
    # Awesome LLM Reading

    - [Surveys](#surveys)
    - [Vision](#vision)

    ## Surveys: 2023

    - [A Survey of Large Language Models](https://arxiv.org/abs/2303.18223) - A long survey. *arXiv 2023*
    * [Attention Is All You Need](https://arxiv.org/abs/1706.03762): the transformer paper.
    - **Language Models are Few-Shot Learners** [[pdf]](https://arxiv.org/pdf/2005.14165.pdf) [[code]](https://github.com/openai/gpt-3)
    - Scaling Laws for Neural Language Models. [pdf](https://openreview.net/forum?id=x)
    - a prose bullet between papers
    - See also [this blog](https://example.org/blog) for more.

    ## Vision

    - Classics
      - [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385) - ResNet.
        - Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun. *CVPR 2016*
        - Key Word: Residual Networks.

    ## Contributing

    - Open a pull request.
    """  # noqa: E501
)


def test_link_items_of_every_common_shape_become_cards() -> None:
    doc = parse_entries(LINKS)
    cards = {card.title: card for card in doc.items}
    assert list(cards) == [
        "A Survey of Large Language Models",
        "Attention Is All You Need",
        "Language Models are Few-Shot Learners",
        "Scaling Laws for Neural Language Models",
        "Deep Residual Learning for Image Recognition",
    ]
    survey = cards["A Survey of Large Language Models"]
    assert survey.links == [Link(label="paper", url="https://arxiv.org/abs/2303.18223")]
    assert (survey.digest, survey.venue) == ("A long survey.", "arXiv 2023")
    assert (survey.topic, survey.section, survey.year) == ("Surveys", "Surveys: 2023", 2023)
    assert cards["Attention Is All You Need"].digest == "the transformer paper."
    gpt3 = cards["Language Models are Few-Shot Learners"]
    assert [link.label for link in gpt3.links] == ["pdf", "code"]
    assert gpt3.arxiv_id == "2005.14165"
    assert cards["Scaling Laws for Neural Language Models"].arxiv_id is None


def test_a_paper_item_sub_list_holds_authors_venue_and_keywords() -> None:
    resnet = parse_entries(LINKS).items[-1]
    assert resnet.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert (resnet.venue, resnet.year) == ("CVPR 2016", 2016)
    assert resnet.keywords == ["Residual Networks"]
    assert (resnet.topic, resnet.digest) == ("Vision", "ResNet.")
    assert resnet.provenance.line == 18


def test_a_linked_bullet_next_to_papers_warns_but_prose_navigation_and_other_lists_do_not() -> None:
    doc = parse_entries(LINKS)
    assert [(w.line, w.message.split(":")[0]) for w in doc.warnings] == [
        (13, "list item has a link but no title"),
    ]


def test_the_same_title_twice_gets_distinct_ids() -> None:
    doc = parse_entries(
        "# L\n\n- [Same](https://arxiv.org/abs/2101.00001) - one\n"
        "- [Same](https://arxiv.org/abs/2101.00002) - two\n"
    )
    first, second = (card.id for card in doc.items)
    assert second == f"{first}-2"


def test_a_document_without_a_paper_list_says_what_it_saw() -> None:
    doc = parse_entries("# Tool\n\nProse.\n\n## Install\n\n- pip install tool\n- run it\n")
    assert doc.items == []
    assert doc.warnings[-1].message == (
        "no paper list recognised: 2 headings, 1 paragraph, "
        "2 list items without paper links, no table"
    )


@pytest.mark.parametrize(
    "item",
    [
        "- [Badge-only ![b](https://img/x.svg)](https://x.org)",
        "- <https://arxiv.org/abs/2101.00001>",
        "- **Bold label** with no link",
        "- [Table of contents](#toc)",
    ],
)
def test_items_that_name_no_paper_are_not_cards(item: str) -> None:
    assert parse_entries(f"# L\n\n## T\n\n{item}\n").items == []


# --------------------------------------------------------------------------- the plain-line path

CORPUS_FILES = [
    "lists/Awesome-Diffusion-Models/README.md",
    "lists/Awesome-Graph-LLM/README.md",
    "lists/Awesome-LLM/README.md",
    "lists/awesome-trustworthy-deep-learning/FULL_LIST.md",
    "awesome-deep-phenomena/README@ad1eb52-2025-01-07.md",
]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_plain_lines_read_without_the_inline_parser_read_as_markdown_it_reads_them(
    name: str,
) -> None:
    text = require(SHARED_DIR / "corpus" / name).read_text(encoding="utf-8")
    taken = 0
    for _, chunk in blocks.chunks(text):
        md = blocks.parser_for(chunk)
        env: dict[str, object] = {}
        for token in md.parse(chunk, env):
            if token.type != "inline" or env.get("references"):
                continue
            fast = plain_inline(token.content)
            if fast is None:
                continue
            taken += 1
            children: list[Token] = []
            md.inline.parse(token.content, md, env, children)
            slow = read_inline(children)
            assert (fast.runs, fast.links, fast.images) == (slow.runs, slow.links, slow.images), (
                token.content
            )
    assert taken >= 100


@pytest.mark.parametrize(
    "line",
    [
        "Title with `code` in it",
        "An &amp; entity",
        "A [reference][ref] link",
        "snake_case_title",
        "a*b*c intraword emphasis",
        "**bold**text glued on",
        "[x](javascript:alert(1))",
        "An <b>HTML</b> tag",
        "Escaped \\* star",
    ],
)
def test_lines_with_other_markup_are_left_to_the_inline_parser(line: str) -> None:
    assert plain_inline(line) is None
