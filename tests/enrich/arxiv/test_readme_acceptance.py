"""arXiv enrichment of the real README@ad1eb52 cards against a fake arXiv made from them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.enrich import PaperRef, enrich_papers
from pipeline.models import EnrichmentStatus, PaperCard
from pipeline.parse.readme.cards import parse_readme_markdown
from tests.conftest import README_AD1EB52, require
from tests.fake_arxiv import FakeArxiv, FakePaper


@pytest.fixture(scope="module")
def cards() -> list[PaperCard]:
    text = require(README_AD1EB52).read_text(encoding="utf-8")
    return [card for card in parse_readme_markdown(text).items if card.arxiv_id]


def arxiv_title(card: PaperCard, index: int) -> str:
    """arXiv's spelling of the title: every seventh differs a little from the README's."""
    return card.title.upper() if index % 7 == 0 else card.title


@pytest.fixture
def fake(cards: list[PaperCard]) -> Iterator[FakeArxiv]:
    corpus = {
        str(card.arxiv_id): FakePaper(
            arxiv_id=str(card.arxiv_id),
            title=arxiv_title(card, index) if index % 11 else card.title + ": A Study",
            authors=card.authors or ["Anonymous Author"],
            version=(card.arxiv_version or 1) + 1,
        )
        for index, card in enumerate(cards)
    }
    with FakeArxiv(corpus.values()) as server:
        yield server


def test_523_readme_ids_take_at_most_6_requests_cold_and_none_warm(
    cards: list[PaperCard], fake: FakeArxiv, tmp_path: Path
) -> None:
    assert len(cards) == 523
    papers = [
        PaperRef(
            key=card.id,
            title=card.title,
            authors=card.authors,
            arxiv_id=f"{card.arxiv_id}v{card.arxiv_version}"
            if card.arxiv_version
            else card.arxiv_id,
        )
        for card in cards
    ]
    settings = Settings(state_dir=tmp_path, arxiv_api_url=fake.url, arxiv_delay_seconds=0)
    cold = enrich_papers(papers, settings)
    assert cold.requests_made <= 6
    assert cold.status_counts() == {EnrichmentStatus.enriched: 523}
    # arXiv's titles that differ after normalisation are listed for curators
    mismatched = [r for r in cold.results.values() if r.title_mismatch is not None]
    assert mismatched and all(r.title_mismatch.arxiv.endswith(": A Study") for r in mismatched)
    warm = enrich_papers(papers, settings)
    assert warm.requests_made == 0
    assert warm.results == cold.results
