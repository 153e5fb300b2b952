"""The awesome-deep-phenomena README parser (markdown): real snapshots, full history, edge cases."""

from __future__ import annotations

import re
import tarfile
import textwrap
from pathlib import Path

import pytest

from pipeline.core.ids import title_key_id
from pipeline.models import PaperCard
from pipeline.parse.readme import blocks
from pipeline.parse.readme import cards as rm
from pipeline.parse.readme import fields as card_fields
from pipeline.parse.readme.cards import parse_readme_markdown
from tests.conftest import HISTORY_TARBALL as HISTORY
from tests.conftest import README_AD1EB52
from tests.conftest import require as _require


def _md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture(scope="module")
def ad1eb52_text() -> str:
    return _require(README_AD1EB52).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the real README


def test_ad1eb52_gives_543_cards_in_63_sections_523_with_an_arxiv_id(ad1eb52_text: str) -> None:
    doc = parse_readme_markdown(ad1eb52_text, source_id="adp")
    assert doc.title == "Awesome Deep Phenomena"
    assert len(doc.items) == 543
    assert len({card.section for card in doc.items}) == 63
    assert sum(card.arxiv_id is not None for card in doc.items) == 523
    assert doc.warnings == []


def test_ad1eb52_first_card_has_every_field(ad1eb52_text: str) -> None:
    card = parse_readme_markdown(ad1eb52_text, source_id="adp").items[0]
    assert card.title == (
        "Rethinking Conventional Wisdom in Machine Learning: From Generalization to Scaling"
    )
    assert card.id == title_key_id("card", card.title)
    assert card.authors == ["Lechao Xiao"]
    assert card.venue is None
    assert card.keywords == ["Regularization", "Generalization", "Neural Scaling Law"]
    assert card.digest is not None and card.digest.startswith("This paper explores the shift")
    assert "<" not in card.digest and "Digest" not in card.digest[:10]
    assert [(link.label, link.url) for link in card.links] == [
        ("paper", "https://arxiv.org/abs/2409.15156")
    ]
    assert (card.arxiv_id, card.arxiv_version) == ("2409.15156", None)
    assert (card.topic, card.year, card.section) == (
        "Empirical Study",
        2024,
        "Empirical Study: 2024",
    )
    assert (card.provenance.source_id, card.provenance.line) == ("adp", 35)


def test_ad1eb52_ids_are_unique_and_every_card_has_topic_year_title(ad1eb52_text: str) -> None:
    cards = parse_readme_markdown(ad1eb52_text).items
    assert len({card.id for card in cards}) == len(cards)
    for card in cards:
        assert card.id.startswith(title_key_id("card", card.title))
        assert card.title and not card.title.endswith(".")
        assert card.topic and card.year and card.section


def test_ad1eb52_italic_venue_hint_and_text_rules_agree(
    ad1eb52_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page text has no italics: the text-only split must give what the hint gives."""
    split = card_fields.split_authors_venue
    differences: list[tuple[str, object, object]] = []

    def both(text: str, italic_venue: str | None = None) -> tuple[list[str], str | None]:
        hinted, plain = split(text, italic_venue), split(text, None)
        if hinted != plain:
            differences.append((text, hinted, plain))
        return hinted

    monkeypatch.setattr(card_fields, "split_authors_venue", both)
    cards = parse_readme_markdown(ad1eb52_text).items
    assert differences == []
    # every author line ending in *Venue* (the Contributing template aside) has one
    assert sum(card.venue is not None for card in cards) == 261


def test_plain_line_shortcuts_read_every_ad1eb52_line_as_markdown_it_does(
    ad1eb52_text: str,
) -> None:
    md = blocks.block_parser()
    env: dict[str, object] = {}
    tokens = md.parse(ad1eb52_text, env)
    inline = rm._Inline(md, env)
    shortcuts = 0
    for token in tokens:
        if token.type != "inline":
            continue
        simple = rm._simple_segments(token.content)
        if simple is not None:
            shortcuts += 1
            fast, slow = rm._TitleLine(), rm._TitleLine()
            rm._read_title_line(simple, fast)
            rm._read_title_line(rm._token_segments(inline.children(token)), slow)
            assert fast == slow, token.content
        if rm._SIMPLE_ITALIC_END.match(token.content):
            shortcuts += 1
            children = inline.children(token)
            item = rm._sub_item(token, inline)
            expected_text = " ".join("".join(rm._texts(children)).split())
            assert (item.text, item.italic_venue) == (
                expected_text,
                rm._trailing_italic(children),
            ), token.content
    assert shortcuts > 700


def test_parsing_in_sections_gives_the_same_document_as_one_parse(
    ad1eb52_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(blocks.chunks(ad1eb52_text)) > 60
    rm.clear_parse_cache()
    in_sections = parse_readme_markdown(ad1eb52_text)
    monkeypatch.setattr(rm, "chunks", lambda text: [(0, text)])
    assert parse_readme_markdown(ad1eb52_text) == in_sections


def test_skipped_block_rules_change_no_token_of_the_real_readme(ad1eb52_text: str) -> None:
    pruned = blocks.parser_for(ad1eb52_text)
    assert pruned is not blocks.block_parser()  # some rules were skipped
    full = [token.as_dict() for token in blocks.block_parser().parse(ad1eb52_text, {})]
    assert [token.as_dict() for token in pruned.parse(ad1eb52_text, {})] == full


@pytest.mark.parametrize(
    "markdown",
    [
        "# T\n## A\n```\n# not a heading\n- [[paper]](u)\n```\n- Card. [[paper]](https://x.org)\n",
        "# T\n## A\n> quoted\n> - Card. [[paper]](https://x.org)\n\n- B. [[paper]](https://y.org)\n",
        "# T\n## A\n- Card. [[paper]](https://x.org)\n\n***\n- B [[paper]](https://y.org)\n",
        "# T\nTopic\n-----\n- Card. [[paper]](https://x.org)\n",
        "# T\n## A\n- Card. [paper][p]\n\n[p]: https://arxiv.org/abs/2001.00001\n",
        "# T\n## A\n<!--\n\n# hidden\n\n-->\n- Card. [[paper]](https://x.org)\n",
        "# T\r\n## A\r\n- Card. [[paper]](https://x.org)\r\n\r\n## B\r\n- C [[paper]](u)\r\n",
    ],
    ids=["fence", "blockquote", "hr", "setext", "reference", "html-comment", "crlf"],
)
def test_shortcuts_keep_every_construct_that_could_change_the_parse(markdown: str) -> None:
    """Rules are skipped and the text cut in sections only where that cannot change a token."""
    pruned = [t.as_dict() for t in blocks.parser_for(markdown).parse(markdown, {})]
    assert pruned == [t.as_dict() for t in blocks.block_parser().parse(markdown, {})]
    assert len(blocks.chunks(markdown)) == 1


def test_reference_links_and_setext_topics_are_read() -> None:
    doc = parse_readme_markdown(
        "# T\nTopic\n-----\n- Card. [paper][p]\n  - Ann Smith.\n\n[p]: https://arxiv.org/abs/2001.00001\n"
    )
    assert [(c.title, c.topic, c.arxiv_id) for c in doc.items] == [("Card", "Topic", "2001.00001")]


def test_cached_sections_are_not_changed_through_returned_cards(ad1eb52_text: str) -> None:
    first = parse_readme_markdown(ad1eb52_text)
    pristine = first.model_copy(deep=True)
    first.items[0].authors.append("Someone Else")
    first.items[0].links[0].url = "https://changed.example"
    first.items[0].keywords.clear()
    assert parse_readme_markdown(ad1eb52_text) == pristine


# --------------------------------------------------------------------------- the whole history

_ITEM = re.compile(r"^[-*+] ")
_SUB_ITEM = re.compile(r"^ {2,}[-*+] ")
_HEADING = re.compile(r"^(#{1,6}) +(.*)$")
_PAPER_LINK = re.compile(r"\[\[?paper\]?\]\(", re.IGNORECASE)
_NOT_TOPICS = {"table of contents", "resources", "related resources", "contributing"}


def independent_card_count(text: str) -> int:
    """Cards by a line scan, written apart from the parser: a column-0 list item under any
    heading but the '#' title, Table of Contents, (Related) Resources and Contributing, with a
    [paper] link on its first lines or an indented sub-list."""
    count = 0
    heading: str | None = None
    seen_title = False
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        heading_match = _HEADING.match(line)
        if heading_match:
            if heading_match.group(1) == "#" and not seen_title:
                seen_title, heading = True, None
            else:
                heading = heading_match.group(2).strip().lower()
            continue
        if not _ITEM.match(line):
            continue
        block = [line]
        while index < len(lines) and lines[index].strip() and not _ITEM.match(lines[index]):
            if _HEADING.match(lines[index]):
                break
            block.append(lines[index])
            index += 1
        has_sub_list = any(_SUB_ITEM.match(entry) for entry in block[1:])
        head = [entry for entry in block if not _SUB_ITEM.match(entry)]
        has_paper = any(_PAPER_LINK.search(entry) for entry in head)
        if heading is not None and heading not in _NOT_TOPICS and (has_sub_list or has_paper):
            count += 1
    return count


@pytest.mark.slow
def test_every_history_version_parses_to_the_independently_counted_cards() -> None:
    failures: list[tuple[str, int, int]] = []
    counts: dict[str, int] = {}
    with tarfile.open(_require(HISTORY)) as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        assert len(members) == 380
        for member in members:
            extracted = tar.extractfile(member)
            assert extracted is not None
            text = extracted.read().decode("utf-8")
            cards = len(parse_readme_markdown(text, source_id=member.name).items)
            expected = independent_card_count(text)
            counts[Path(member.name).name[:4]] = cards
            if cards != expected:
                failures.append((member.name, cards, expected))
    assert failures == [], f"(version, parsed, counted) that disagree: {failures[:10]}"
    assert (counts["0011"], counts["0077"], counts["0380"]) == (4, 43, 543)


def test_version_0077_with_year_headings_at_level_two() -> None:
    with tarfile.open(_require(HISTORY)) as tar:
        member = next(m for m in tar.getmembers() if Path(m.name).name.startswith("0077-"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        text = extracted.read().decode("utf-8")
    cards = parse_readme_markdown(text).items
    assert len(cards) == 43
    assert {card.section for card in cards} == {str(year) for year in range(2016, 2022)}
    assert all(card.topic is None and card.year == int(card.section or 0) for card in cards)


# --------------------------------------------------------------------------- fields, inline


def _one_card(markdown: str) -> PaperCard:
    doc = parse_readme_markdown(_md(markdown))
    assert len(doc.items) == 1, doc
    return doc.items[0]


def test_authors_are_split_from_an_italic_venue() -> None:
    card = _one_card(
        """
        # List
        ## Topic
        ### Topic: 2020
        - A Paper. [[paper]](https://arxiv.org/abs/2001.00001)
          - Ada Lovelace, Jordan T. Ash and Stephanie C.Y. Chan. *ICLR 2020*
        """
    )
    assert card.authors == ["Ada Lovelace", "Jordan T. Ash", "Stephanie C.Y. Chan"]
    assert card.venue == "ICLR 2020"


@pytest.mark.parametrize(
    ("line", "authors", "venue"),
    [
        ("Ilia Shumailov, Yarin Gal. Nature", ["Ilia Shumailov", "Yarin Gal"], "Nature"),
        ("A. B. Smith, Felix Hill. NeurIPS 2023", ["A. B. Smith", "Felix Hill"], "NeurIPS 2023"),
        (
            "Jonathan Frankle, Michael Carbin *ICLR 2019*",
            ["Jonathan Frankle", "Michael Carbin"],
            "ICLR 2019",
        ),
        (
            "Jonathan Frankle, Michael Carbin ICLR 2019",
            ["Jonathan Frankle", "Michael Carbin"],
            "ICLR 2019",
        ),
        ("Qianxiao Li, Weinan E. *JMLR*", ["Qianxiao Li", "Weinan E"], "JMLR"),
        (
            "Daniel A. Roberts, Sho Yaida, Boris Hanin.",
            ["Daniel A. Roberts", "Sho Yaida", "Boris Hanin"],
            None,
        ),
        (
            "Pratyusha Sharma, Jordan T. Ash, Dipendra Misra",
            ["Pratyusha Sharma", "Jordan T. Ash", "Dipendra Misra"],
            None,
        ),
        ("Ann Smith, Bo Li, et al. *ICML 2021*", ["Ann Smith", "Bo Li"], "ICML 2021"),
        ("Martin Wattenberg. **", ["Martin Wattenberg"], None),
    ],
)
def test_authors_and_venue_italic_or_plain(
    line: str, authors: list[str], venue: str | None
) -> None:
    card = _one_card(f"# L\n## T\n- Title. [[paper]](https://x.org)\n  - {line}\n")
    assert (card.authors, card.venue) == (authors, venue)


def test_keywords_are_split_on_semicolons_and_cleaned() -> None:
    card = _one_card(
        """
        # L
        ## T
        - Title. [[paper]](https://x.org)
          - Ann Smith.
          - Key Wrod: Lottery Ticket;  Pruning. ; Sparse Training.
        """
    )
    assert card.keywords == ["Lottery Ticket", "Pruning", "Sparse Training"]


def test_missing_keywords_and_digest_stay_empty() -> None:
    card = _one_card("# L\n## T\n- Title. [[paper]](https://x.org)\n  - Ann Smith.\n")
    assert (card.keywords, card.digest) == ([], None)


def test_details_digest_loses_its_html_and_label() -> None:
    card = _one_card(
        """
        # L
        ## T
        - Title. [[paper]](https://x.org)
          - Ann Smith.
          - <details><summary>Digest</summary> We show &amp; prove <b>this</b>. </details>
        """
    )
    assert card.digest == "We show & prove this."


def test_plain_digest_keeps_link_text_without_markup() -> None:
    card = _one_card(
        """
        # L
        ## T
        - Title. [[paper]](https://x.org)
          - Ann Smith. *ICLR 2019*
          - Digest: [Previous work](https://y.org) studied the *Information Plane*.
        """
    )
    assert card.digest == "Previous work studied the Information Plane."


def test_author_list_in_details_is_read_as_authors() -> None:
    card = _one_card(
        """
        # L
        ## T
        - Title. [[paper]](https://x.org)
          - <details><summary>Author List</summary> Ann Smith, Bo Li. *Nature Neuroscience*
          - Key Word: Neuroscience.
        """
    )
    assert (card.authors, card.venue) == (["Ann Smith", "Bo Li"], "Nature Neuroscience")
    assert card.digest is None


def test_unlabelled_second_sub_item_is_the_digest() -> None:
    card = _one_card(
        "# L\n## T\n- Title.\n  [paper](https://x.org)\n  - Ann Smith. *ICLR 2020*\n"
        "  - We show that bigger models hurt.\n"
    )
    assert card.digest == "We show that bigger models hurt."
    assert card.links[0].label == "paper"


@pytest.mark.parametrize(
    ("url", "arxiv_id", "version"),
    [
        ("https://arxiv.org/abs/2409.15156", "2409.15156", None),
        ("https://arxiv.org/abs/2012.03107v2", "2012.03107", 2),
        ("https://arxiv.org/pdf/1803.03635", "1803.03635", None),
        ("https://arxiv.org/pdf/1803.03635v5.pdf", "1803.03635", 5),
        ("http://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
        ("https://arxiv.org/abs/math.GT/0309136v1", "math.GT/0309136", 1),
    ],
)
def test_arxiv_id_and_version_come_from_the_paper_link(
    url: str, arxiv_id: str, version: int | None
) -> None:
    card = _one_card(f"# L\n## T\n- Title. [[paper]]({url}) [[code]](https://github.com/a/b)\n")
    assert (card.arxiv_id, card.arxiv_version) == (arxiv_id, version)
    assert [link.label for link in card.links] == ["paper", "code"]
    assert card.links[0].url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://openreview.net/forum?id=ry_WPG-A-",
        "https://www.nature.com/articles/s41586-024-07566-y?utm_medium=Social&utm_campaign=x",
        "http://proceedings.mlr.press/v97/zhang19a.html",
    ],
)
def test_non_arxiv_links_keep_arxiv_id_none(url: str) -> None:
    card = _one_card(f"# L\n## T\n- Title. [[paper]]({url})\n  - Ann Smith.\n")
    assert (card.arxiv_id, card.arxiv_version) == (None, None)
    assert card.links[0].url == url


def test_first_arxiv_link_wins_over_earlier_other_links() -> None:
    card = _one_card(
        "# L\n## T\n- Title. [[paper]](https://openreview.net/forum?id=x) "
        "[[arXiv]](https://arxiv.org/abs/2001.00001v3) [[code]](https://arxiv.org/abs/2002.00002)\n"
    )
    assert (card.arxiv_id, card.arxiv_version) == ("2001.00001", 3)
    assert [link.label for link in card.links] == ["paper", "arXiv", "code"]


def test_paper_link_on_the_lines_after_the_title() -> None:
    card = _one_card(
        """
        # L
        ## Empirical Study
        #### 2019
        - Are All Layers Created Equal?
          [[paper]](https://arxiv.org/abs/1902.01996)
          [[code]](https://github.com/a/b)
          - Chiyuan Zhang, Samy Bengio, Yoram Singer. *ICML 2019 Workshop*
          - Digest: We show that the layers can be categorized.
        """
    )
    assert card.title == "Are All Layers Created Equal?"
    assert [link.label for link in card.links] == ["paper", "code"]
    assert (card.topic, card.year, card.section) == ("Empirical Study", 2019, "2019")
    assert card.venue == "ICML 2019 Workshop"
    assert card.provenance.line == 4


def test_card_without_a_link_is_still_a_card() -> None:
    card = _one_card(
        """
        # L
        ## Lottery Ticket Hypothesis
        ### Lottery Ticket Hypothesis: 2024
        - On the Sparsity of the Strong Lottery Ticket Hypothesis.
          - Emanuele Natale, Davide Ferré.
          - Key Word: Strong Lottery Ticket Hypothesis.
        """
    )
    assert card.title == "On the Sparsity of the Strong Lottery Ticket Hypothesis"
    assert (card.links, card.arxiv_id) == ([], None)
    assert card.keywords == ["Strong Lottery Ticket Hypothesis"]


@pytest.mark.parametrize(
    ("headings", "topic", "year", "section"),
    [
        (
            "## Empirical Study\n### Empirical Study: 2024\n",
            "Empirical Study",
            2024,
            "Empirical Study: 2024",
        ),
        ("## Empirical Study\n### 2019\n", "Empirical Study", 2019, "2019"),
        ("## Empirical Study\n#### 2019\n", "Empirical Study", 2019, "2019"),
        ("## 2021\n", None, 2021, "2021"),
        (
            "## Deep Double Descent\n### Deep Double Descent 2022\n",
            "Deep Double Descent",
            2022,
            "Deep Double Descent 2022",
        ),
        (
            "## Information Bottleneck\n## Information Bottleneck: 2022\n",
            "Information Bottleneck",
            2022,
            "Information Bottleneck: 2022",
        ),
        ("## Others\n", "Others", None, "Others"),
    ],
)
def test_topic_year_and_section_from_each_heading_style(
    headings: str, topic: str | None, year: int | None, section: str
) -> None:
    card = _one_card(f"# Awesome X\n{headings}\n- Title. [[paper]](https://x.org)\n")
    assert (card.topic, card.year, card.section) == (topic, year, section)


def test_repeated_titles_get_disambiguated_ids_in_order() -> None:
    doc = parse_readme_markdown(
        "# L\n## A\n- Same Title. [[paper]](https://x.org)\n## B\n- Same title [[paper]](https://y.org)\n"
    )
    base = title_key_id("card", "Same Title")
    assert [card.id for card in doc.items] == [base, f"{base}-2"]


# --------------------------------------------------------------------------- not cards


def test_navigation_resources_badges_and_contributing_give_no_cards() -> None:
    doc = parse_readme_markdown(
        _md(
            """
            [![Maintenance](https://img.shields.io/badge/x.svg)](https://github.com/x)
            # Awesome Deep Phenomena [![Awesome](https://cdn/badge.svg)](https://github.com/a)

            # Table of Contents

            <img width="35%" src="img/x.png" />

            - [Empirical Study](#empirical-study)
            - [Resources](#related-resources)

            ## Empirical Study

            ![avatar](https://x.org/a.png)

            ### Empirical Study: 2024

            - Real Paper. [[paper]](https://arxiv.org/abs/2409.15156)
              - Ann Smith.

            ## Related Resources

            - [Off the Convex Path Blog](https://www.offconvex.org/)

            # Contributing

            Formatting
            - Paper Title [[paper]](https://arxiv.org/abs/xxxx.xxxx)
              - Authors. *Published Conference or Journal*
              - Key Word: XXX.
              - <details><summary>Digest</summary> XXXXXX
            """
        )
    )
    assert doc.title == "Awesome Deep Phenomena"
    assert [card.title for card in doc.items] == ["Real Paper"]
    assert doc.warnings == []


def test_non_card_list_item_under_a_topic_gives_a_warning_with_its_line() -> None:
    doc = parse_readme_markdown(
        "# L\n\n## Topic\n\n- Real. [[paper]](https://x.org)\n- just a note, no link\n"
    )
    assert [card.title for card in doc.items] == ["Real"]
    assert len(doc.warnings) == 1
    assert doc.warnings[0].line == 6
    assert "not a card" in doc.warnings[0].message and "just a note" in doc.warnings[0].message


def test_sub_items_that_fell_to_column_zero_warn_instead_of_vanishing() -> None:
    doc = parse_readme_markdown(
        "# L\n## 2016\n-  Synthesizing inputs. [[paper]](https://arxiv.org/abs/1605.09304)\n"
        "  - Anh Nguyen, Jeff Clune. *NeurIPS 2016*\n  - Digest:  Here we improve.\n"
    )
    assert [card.title for card in doc.items] == ["Synthesizing inputs"]
    assert [warning.line for warning in doc.warnings] == [4, 5]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not an awesome-list README"),
        ("\x00\x01\ufffd\x7fELF\x02\x01garbage\n\x89PNG\r\n", "not an awesome-list README"),
        ("# Just a title\n\nSome prose.\n", "no list under a topic heading"),
        ("# T\n## Topic\n- a note\n- another\n", "looks like a card"),
    ],
)
def test_input_without_cards_gives_zero_items_and_a_warning(text: str, reason: str) -> None:
    doc = parse_readme_markdown(text)
    assert doc.items == []
    assert doc.warnings and reason in doc.warnings[-1].message


def test_binary_garbage_never_raises() -> None:
    garbage = bytes(range(256)).decode("latin-1") * 50 + "\n- [[paper]](\n# \n## \n  - *\n"
    doc = parse_readme_markdown(garbage)
    assert doc.items or doc.warnings
