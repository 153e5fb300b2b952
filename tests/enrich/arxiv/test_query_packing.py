"""Title searches packed to the URL budget; cached answers expiring over days, not at once."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from pipeline.enrich.arxiv import cache as cache_module
from pipeline.enrich.arxiv.cache import EXPIRY_SPREAD, ArxivCache
from pipeline.enrich.arxiv.query import URL_BUDGET, batch_query, pack_clauses, title_clause
from pipeline.models import ArxivMetadata
from tests.fake_arxiv import synthetic_papers

ENDPOINT = "https://export.arxiv.org/api/query"


def test_searches_take_as_many_titles_as_fit_the_url_budget() -> None:
    papers = synthetic_papers(120, seed=3)
    clauses = [(p.arxiv_id, title_clause(p.title, p.authors) or "") for p in papers]
    batches = pack_clauses(clauses, ENDPOINT)
    assert [key for batch in batches for key in batch] == [key for key, _ in clauses]
    clause_of = dict(clauses)
    for batch in batches:
        query = batch_query([clause_of[key] for key in batch])
        url = (
            ENDPOINT
            + "?"
            + urlencode(
                {
                    "search_query": query,
                    "id_list": "",
                    "sortBy": "relevance",
                    "sortOrder": "descending",
                    "start": 0,
                    "max_results": 10 * len(batch),
                }
            )
        )
        assert len(url) <= URL_BUDGET
    # Full: no search could have taken the next title too.
    for batch, following in itertools.pairwise(batches):
        longer = batch_query([clause_of[key] for key in [*batch, following[0]]])
        assert len(ENDPOINT) + len(urlencode({"search_query": longer})) + 120 > URL_BUDGET
    assert len(batches) <= len(clauses) / 10


def test_a_clause_too_long_for_any_search_goes_alone_and_the_cap_holds() -> None:
    clauses = [("a", "x" * 100), ("huge", "y" * 10_000), ("b", "z" * 100), ("c", "w" * 100)]
    assert pack_clauses(clauses, ENDPOINT) == [["a"], ["huge"], ["b", "c"]]
    assert pack_clauses(clauses[2:], ENDPOINT, max_clauses=1) == [["b"], ["c"]]


def test_entries_cached_together_expire_over_the_last_fifth_of_the_ttl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ArxivCache(tmp_path / "cache.sqlite", ttl_days=30)
    ids = [f"2401.{n:05d}" for n in range(400)]
    cache.put_ids({i: ArxivMetadata(arxiv_id=i, title=f"Paper {i}") for i in ids})
    cache.put_titles({f"title {i}": [] for i in ids})
    now = time.time()

    def fresh_after(days: float) -> tuple[int, int]:
        monkeypatch.setattr(cache_module.time, "time", lambda: now + days * 86400)
        return len(cache.get_ids(ids)), len(cache.get_titles(f"title {i}" for i in ids))

    assert fresh_after(30 * (1 - EXPIRY_SPREAD) - 0.01) == (400, 400)  # day 24: all fresh
    assert fresh_after(30.01) == (0, 0)  # day 30: all expired
    halfway = fresh_after(30 * (1 - EXPIRY_SPREAD / 2))  # day 27: about half
    assert all(120 < count < 280 for count in halfway)
    # Spread by key, the same in every run: the same entries expire first.
    assert fresh_after(27) == fresh_after(27)
    cache.close()
