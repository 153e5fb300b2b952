"""Every format the paper lists people write, read through the one format choice (read_readme).

Each fixture in ``fixtures/`` is written for this project in the shape of a format seen in
real lists (none is copied from one); each test states what a person reading the rendered
list sees: title, first author, 'et al.', venue, year, arXiv id and links.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from pipeline.models import PaperCard, ReadmeDocument, SourceFormat
from pipeline.parse.readme import read_readme

FIXTURES = Path(__file__).parent / "fixtures"


class Seen(NamedTuple):
    title: str
    first_author: str | None
    et_al: bool
    venue: str | None
    year: int | None
    arxiv_id: str | None
    links: tuple[str, ...]


def seen(card: PaperCard) -> Seen:
    return Seen(
        card.title,
        card.authors[0] if card.authors else None,
        card.authors_et_al,
        card.venue,
        card.year,
        card.arxiv_id,
        tuple(link.label for link in card.links),
    )


def read(name: str) -> ReadmeDocument:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return read_readme(text, "fixture", SourceFormat.markdown).document


# fmt: off
CASES = {
    # | Title | Venue | Date | Code | Demo |, [**Title**](url) cells, star badges, <br>
    "table_title_venue_date.md": [
        Seen("Make-A-Video: Text-to-Video Generation without Text-Video Data", "Uriel Singer", False, "ICLR 2023", 2022, "2209.14792", ("paper", "code", "demo")),  # noqa: E501
        Seen("Imagen Video: High Definition Video Generation with Diffusion Models", None, False, "arXiv", 2022, "2210.02303", ("paper", "Demo")),  # noqa: E501
    ],
    # | Title & Authors | Introduction | Links |, Title<br>Authors, venue badges
    "table_title_and_authors.md": [
        Seen("ReAct: Synergizing Reasoning and Acting in Language Models", "Shunyu Yao", True, "ICLR 2023", 2023, None, ("paper", "code")),  # noqa: E501
        Seen("Reflexion: Language Agents with Verbal Reinforcement Learning", "Noah Shinn", False, "NeurIPS 2023", 2023, "2303.11366", ("paper",)),  # noqa: E501
    ],
    # | Paper | Published in | Code |
    "table_published_in.md": [
        Seen("Certified Adversarial Robustness via Randomized Smoothing", None, False, "ICML 2019", 2019, "1902.02918", ("paper", "Code")),  # noqa: E501
        Seen("Provably Robust Deep Learning via Adversarially Trained Smoothed Classifiers", None, False, "NeurIPS 2019", 2019, "1906.04584", ("paper",)),  # noqa: E501
    ],
    # weekly | Paper | Links |, cells 'N) **Title** - a summary'
    "table_weekly.md": [
        Seen("Llama 2", None, False, None, None, "2307.09288", ("Paper", "Tweet")),
        Seen("How is ChatGPT’s Behavior Changing Over Time?", None, False, None, None, "2307.09009", ("Paper", "Tweet")),  # noqa: E501
    ],
    # a table inside <details>, its year from a Date column
    "table_in_details.md": [
        Seen("Attention Is All You Need", None, False, None, 2017, "1706.03762", ("paper",)),
        Seen("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", None, False, None, 2018, None, ("paper",)),  # noqa: E501
    ],
    # | Name | Paper |: a dataset read as the paper it names
    "table_datasets.md": [
        Seen("ImageNet: A Large-Scale Hierarchical Image Database", None, False, None, None, None, ("paper",)),  # noqa: E501
        Seen("Microsoft COCO: Common Objects in Context", None, False, None, None, "1405.0312", ("paper",)),  # noqa: E501
    ],
    # - **Title** (Year), Authors [[pdf]](url), and the same without bold
    "items_title_year_authors.md": [
        Seen("Adam: A Method for Stochastic Optimization", "D. Kingma", False, None, 2014, "1412.6980", ("pdf",)),  # noqa: E501
        Seen("Dropout: A Simple Way to Prevent Neural Networks from Overfitting", "N. Srivastava", True, None, 2014, None, ("pdf",)),  # noqa: E501
    ],
    # - (YYYY-MM) **Title** [paper](url) | [code](url)
    "items_date_bold_title.md": [
        Seen("Chain of Thought Prompting Elicits Reasoning in Large Language Models", None, False, None, 2022, "2201.11903", ("paper", "code")),  # noqa: E501
        Seen("Self-Consistency Improves Chain of Thought Reasoning in Language Models", None, False, None, 2022, "2203.11171", ("paper",)),  # noqa: E501
    ],
    # 1. <u>Model</u>: **"Title"**. *Authors et al.* Venue Year. [[Paper](url)]
    "items_model_quoted_title.md": [
        Seen("Chain of Thought Prompting Elicits Reasoning in Large Language Models", "Jason Wei", True, "NeurIPS 2022", 2022, "2201.11903", ("Paper",)),  # noqa: E501
        Seen("Tree of Thoughts: Deliberate Problem Solving with Large Language Models", "Shunyu Yao", True, "NeurIPS 2023", 2023, "2305.10601", ("Paper", "Code")),  # noqa: E501
    ],
    # 1. Title. Authors. Venue Year [[code]][ref], reference links or none at all
    "items_plain_citations.md": [
        Seen("Learning Representations by Back-propagating Errors", "David E. Rumelhart", False, "Nature 1986", 1986, None, ()),  # noqa: E501
        Seen("Deep Residual Learning for Image Recognition", "Kaiming He", False, "CVPR 2016", 2016, None, ("code",)),  # noqa: E501
    ],
    # - (*Venue'YY*) Title [[paper](url)][[code](url)]
    "items_venue_tag_parens.md": [
        Seen("StructGPT: A General Framework for Large Language Model to Reason over Structured Data", None, False, "EMNLP'23", 2023, "2305.09645", ("paper", "code")),  # noqa: E501
        Seen("Boosting Logical Reasoning in Large Language Models through a New Framework: The Graph of Thought", None, False, "arXiv 2023.08", 2023, "2308.08614", ("paper",)),  # noqa: E501
    ],
    # * [Venue Year] Title [[Paper](url)]
    "items_venue_tag_brackets.md": [
        Seen("The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks", None, False, "ICLR 2019", 2019, "1803.03635", ("Paper",)),  # noqa: E501
        Seen("Deconstructing Lottery Tickets: Zeros, Signs, and the Supermask", None, False, "NeurIPS 2019", 2019, "1905.01067", ("Paper", "Code")),  # noqa: E501
    ],
    # - Title | **[Venue' YY]** | [pdf](url)
    "items_pipes_bold_venue.md": [
        Seen("Up or Down? Adaptive Rounding for Post-Training Quantization", None, False, "ICML' 20", 2020, "2004.10568", ("pdf",)),  # noqa: E501
        Seen("Data-Free Quantization Through Weight Equalization and Bias Correction", None, False, "ICCV' 19", 2019, "1906.04721", ("pdf", "code")),  # noqa: E501
    ],
    # **[n]** Authors. "**Title**." Venue (Year). [[pdf]](url)
    "paragraphs_citations.md": [
        Seen("Axiomatic Attribution for Deep Networks", "Mukund Sundararajan", False, "ICML", 2017, "1703.01365", ("pdf",)),  # noqa: E501
        Seen('"Why Should I Trust You?": Explaining the Predictions of Any Classifier', "Marco Tulio Ribeiro", False, "KDD", 2016, "1602.04938", ("pdf",)),  # noqa: E501
    ],
    # a bold title line, an italic authors line, a venue line, a date, lines ending in '\'
    "paragraphs_title_authors_venue.md": [
        Seen("Denoising Diffusion Probabilistic Models", "Jonathan Ho", False, "NeurIPS 2020", 2020, "2006.11239", ("Paper", "Github")),  # noqa: E501
        Seen("Score-Based Generative Modeling through Stochastic Differential Equations", "Yang Song", False, "ICLR 2021 (Oral)", 2020, "2011.13456", ("Paper",)),  # noqa: E501
    ],
    # cards like this project's seed, the author line reading 'Names. Venue Year.'
    "cards_names_venue_year.md": [
        Seen("Trustworthy AI: From Principles to Practices", "Bo Li", False, "ACM Computing Surveys 2023", 2023, "2110.01167", ("paper",)),  # noqa: E501
    ],
}
# fmt: on


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_format_reads_as_a_reader_sees_it(name: str) -> None:
    document = read(name)
    assert [seen(card) for card in document.items] == CASES[name]
    assert document.warnings == []


def test_every_fixture_is_checked() -> None:
    names = {path.name for path in FIXTURES.glob("*.md")} - {"not_papers.md"}
    assert names == set(CASES)


def test_a_section_gives_topic_and_section_and_each_card_its_line() -> None:
    card = read("paragraphs_title_authors_venue.md").items[1]
    assert (card.topic, card.section, card.provenance.line) == ("Generation", "Generation", 10)
    assert card.authors[-1] == "Ben Poole" and len(card.authors) == 6


def test_a_plain_citation_without_a_link_is_still_a_paper() -> None:
    first = read("items_plain_citations.md").items[0]
    assert first.links == [] and first.authors[-1] == "Ronald J. Williams"


# --------------------------------------------------------------------------- not papers


def test_contents_tools_courses_blogs_news_citation_contact_and_anchors_give_no_cards() -> None:
    document = read("not_papers.md")
    assert [card.title for card in document.items] == ["Attention Is All You Need"]


def test_what_carries_a_link_in_a_paper_section_but_gives_no_card_is_a_warning() -> None:
    document = read("not_papers.md")
    assert [(w.line, w.message.split(":")[0]) for w in document.warnings] == [
        (25, "list item has a link but no title"),
        (26, "entry links to code, a post or a page, not a paper"),
        (28, "paragraph with paper links gives no entry"),
    ]


@pytest.mark.parametrize(
    "heading",
    ["Contents", "Table of Content", "Menu", "Quick Links", "📑 Table of Contents :bookmark:"],
)
def test_a_table_of_contents_under_any_name_is_navigation(heading: str) -> None:
    text = f"# L\n\n## {heading}\n\n- [A paper list](https://arxiv.org/abs/2101.00001)\n"
    assert read_readme(text, "x", SourceFormat.markdown).document.items == []


@pytest.mark.parametrize(
    "heading",
    [
        *("Tools", "Toolboxes", "Libraries", "Frameworks", "Courses", "Blogs", "Workshops"),
        *("News", "Star History", "Citation", "Contact", "Contributing", "LLM Training Frameworks"),
    ],
)
def test_sections_that_are_no_papers_give_no_cards_and_no_warnings(heading: str) -> None:
    text = (
        f"# L\n\n## {heading}\n\n- A Real Looking Title. [[paper]](https://arxiv.org/abs/2101.00001)\n"
        "  - Ada Lovelace, Alan Turing.\n\n### Sub-section\n\n"
        "- [Another Title](https://arxiv.org/abs/2101.00002) - a note\n"
    )
    document = read_readme(text, "x", SourceFormat.markdown).document
    assert document.items == []
    assert all(warning.line is None for warning in document.warnings)


def test_a_section_of_tool_links_whose_heading_does_not_say_so_gives_no_cards() -> None:
    tools = "".join(
        f"- [tool-{n}](https://github.com/x/tool-{n}) - does thing {n}.\n" for n in range(6)
    )
    text = f"# L\n\n## Trending\n\n{tools}- [Model-7B](https://arxiv.org/abs/2101.00001)\n"
    document = read_readme(text, "x", SourceFormat.markdown).document
    assert document.items == []
    assert [w.message.split(":")[0] for w in document.warnings if w.line] == [
        "1 paper-like entries left out of a list of 6 resources (code, models, posts)"
    ]
