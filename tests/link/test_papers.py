"""Linking papers across sources: one paper, one record, never two papers merged."""

from __future__ import annotations

import random

from pipeline.link.papers import Mention, link_papers
from pipeline.models import Appearance, AppearanceKind, MatchRule


def mention(
    record_id: str,
    title: str,
    authors: list[str],
    *,
    source: str = "readme",
    arxiv_id: str | None = None,
    kind: AppearanceKind = AppearanceKind.readme_card,
) -> Mention:
    return Mention(
        appearance=Appearance(source_id=source, record_id=record_id, kind=kind, title=title),
        title=title,
        authors=authors,
        arxiv_id=arxiv_id,
        rank=0 if kind is AppearanceKind.readme_card else 1,
    )


def test_lost_hyphens_link_a_poster_to_its_readme_card_and_arxiv_id() -> None:
    card = mention(
        "card-1",
        "Increasing Depth Leads to U-Shaped Test Risk in Over-parameterized Convolutional Networks",
        ["Eshaan Nichani", "Adityanarayanan Radhakrishnan", "Caroline Uhler"],
        arxiv_id="2010.09610",
    )
    poster = mention(
        "poster-1",
        "Increasing Depth Leads to UShaped Test Risk in Overparameterized Convolutional Networks",
        ["Eshaan Nichani", "Adityanarayanan Radhakrishnan", "Caroline Uhler"],
        source="workshop",
        kind=AppearanceKind.poster,
    )
    (paper,) = link_papers([poster, card]).papers
    assert paper.id == "arxiv:2010.09610"
    assert paper.title.startswith("Increasing Depth Leads to U-Shaped")
    assert [a.kind for a in paper.appearances] == [
        AppearanceKind.readme_card,
        AppearanceKind.poster,
    ]
    assert [e.rule for e in paper.evidence] == [MatchRule.first, MatchRule.title_key]


def test_similar_titles_with_a_shared_author_merge_with_their_score() -> None:
    a = mention(
        "c1", "A Universal Law of Robustness via Isoperimetry", ["Sébastien Bubeck", "Mark Sellke"]
    )
    b = mention(
        "p1",
        "A Universal Law of Robustness via Isoperimetry.",
        ["Sebastien Bubeck"],
        source="ws",
        kind=AppearanceKind.spotlight,
    )
    c = mention(
        "p2",
        "A universal law of robustness via isoperimetrie",
        ["Mark Sellke"],
        source="ws",
        kind=AppearanceKind.poster,
    )
    result = link_papers([a, b, c])
    (paper,) = result.papers
    fuzzy = [e for e in paper.evidence if e.rule is MatchRule.fuzzy_title]
    assert len(fuzzy) == 1 and fuzzy[0].score is not None and fuzzy[0].score >= 0.93
    assert fuzzy[0].shared_surnames == ["sellke"]


def test_near_identical_titles_of_different_papers_are_never_merged() -> None:
    mentions = [
        mention("c1", "Neural Collapse Under MSE Loss: Part 1", ["Alice Smith"]),
        mention("c2", "Neural Collapse Under MSE Loss: Part 2", ["Alice Smith"]),
        mention("c3", "On the Implicit Bias of Adam", ["Bob Jones"]),
        mention("c4", "On the Implicit Bias of Adan", ["Carol White"]),
        mention("c5", "Deep Double Descent", ["Dan Brown"], arxiv_id="1912.02292"),
        mention("c6", "Deep Double Descent.", ["Dan Brown"], arxiv_id="2003.01897"),
    ]
    result = link_papers(mentions)
    assert len(result.papers) == 6
    reasons = {tuple(n.titles): n.reason for n in result.near_misses}
    assert any("number" in reason for reason in reasons.values())
    assert any("no shared author" in reason for reason in reasons.values())
    assert any("different arXiv ids" in reason for reason in reasons.values())


def test_same_arxiv_id_links_cards_whose_titles_changed() -> None:
    old = mention(
        "c1",
        "Grokking: Generalization Beyond Overfitting",
        ["Alethea Power"],
        arxiv_id="2201.02177",
    )
    new = mention("c2", "Grokking", ["A. Power"], source="other-readme", arxiv_id="2201.02177")
    (paper,) = link_papers([old, new]).papers
    assert paper.evidence[1].rule is MatchRule.arxiv_id


def test_linking_is_deterministic_in_any_input_order() -> None:
    mentions = [
        mention(f"c{i}", f"Paper number {i} about {word}", [f"Author {word}"])
        for i, word in enumerate(["sharpness", "flatness", "collapse", "tickets", "kernels"])
    ]
    mentions.append(
        mention(
            "p0",
            "Paper number 0 about sharpness",
            ["Author sharpness"],
            source="ws",
            kind=AppearanceKind.poster,
        )
    )
    expected = link_papers(mentions)
    shuffled = list(mentions)
    random.Random(7).shuffle(shuffled)
    again = link_papers(shuffled)
    assert [p.model_dump() for p in again.papers] == [p.model_dump() for p in expected.papers]
    assert len(expected.papers) == 5


def with_forum(item: Mention, forum: str | None) -> Mention:
    item.openreview_id = forum
    return item


def test_the_same_openreview_forum_links_titles_that_differ() -> None:
    feed = with_forum(
        mention("feed-1", "Paper One", ["Ann Lee"], source="feed", kind=AppearanceKind.oral),
        "forum1",
    )
    card = with_forum(mention("card-1", "Another Name For Paper One", []), "forum1")
    (paper,) = link_papers([feed, card]).papers
    assert paper.openreview_ids == ["forum1"]
    assert [e.rule for e in paper.evidence] == [MatchRule.first, MatchRule.openreview_id]


def test_different_forums_never_keep_the_same_title_apart() -> None:
    # A workshop version of a paper has a forum of its own: the title still links them.
    main = with_forum(
        mention("feed-1", "Paper One", ["Ann Lee"], source="feed", kind=AppearanceKind.poster),
        "main",
    )
    workshop = with_forum(
        mention("ws-1", "Paper One", ["Ann Lee"], source="ws", kind=AppearanceKind.poster),
        "workshop",
    )
    (paper,) = link_papers([main, workshop]).papers
    assert paper.openreview_ids == ["main", "workshop"]


def test_a_paper_carries_years_venues_links_and_arxiv_facts_of_its_appearances() -> None:
    from datetime import UTC, datetime

    from pipeline.models import ArxivMetadata, Enrichment, EnrichmentStatus, Link, LinkKind

    card = mention("card-1", "Grokking", ["Alethea Power"], arxiv_id="2201.02177")
    card.venue, card.year, card.arxiv_version = "ICLR Workshop 2021", 2021, 1
    card.links = [
        Link(label="paper", url="https://arxiv.org/abs/2201.02177v1"),
        Link(label="code", url="https://github.com/openai/grok"),
    ]
    poster = mention(
        "item-1", "Grokking", ["Alethea Power"], source="hild", kind=AppearanceKind.poster
    )
    poster.venue, poster.year = "ICML 2023", 2023
    metadata = ArxivMetadata(
        arxiv_id="2201.02177",
        version=2,
        title="Grokking: Generalization Beyond Overfitting",
        published=datetime(2022, 1, 6, tzinfo=UTC),
        categories=["cs.LG", "cs.AI"],
        primary_category="cs.LG",
        doi="10.1/grok",
        abs_url="https://arxiv.org/abs/2201.02177v2",
        pdf_url="https://arxiv.org/pdf/2201.02177v2",
    )
    poster.enrichments = {
        "arxiv": Enrichment(status=EnrichmentStatus.enriched, reason="by id", metadata=metadata)
    }
    (paper,) = link_papers([card, poster]).papers
    assert paper.year == 2021  # the earliest its sources give, not arXiv's 2022
    assert paper.venues == ["ICLR Workshop 2021", "ICML 2023"]
    assert (paper.arxiv_version, paper.categories, paper.doi) == (
        2,
        ["cs.LG", "cs.AI"],
        "10.1/grok",
    )
    assert [(link.kind, link.url) for link in paper.links] == [
        (LinkKind.arxiv, "https://arxiv.org/abs/2201.02177v1"),
        (LinkKind.code, "https://github.com/openai/grok"),
        (LinkKind.pdf, "https://arxiv.org/pdf/2201.02177v2"),
    ]
    assert paper.enrichments["arxiv"].metadata == metadata


def test_without_a_year_from_any_source_the_year_is_arxivs_first_version() -> None:
    from datetime import UTC, datetime

    from pipeline.models import ArxivMetadata, Enrichment, EnrichmentStatus

    card = mention("card-1", "Grokking", [])
    metadata = ArxivMetadata(
        arxiv_id="2201.02177", title="Grokking", published=datetime(2022, 1, 6, tzinfo=UTC)
    )
    card.enrichments = {
        "arxiv": Enrichment(status=EnrichmentStatus.enriched, reason="by id", metadata=metadata)
    }
    (paper,) = link_papers([card]).papers
    assert (paper.year, paper.venues) == (2022, [])
