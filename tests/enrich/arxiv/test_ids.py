"""arXiv enrichment by id: batching, local validation, not found, mapping, cache."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.enrich import PaperRef, enrich_papers
from pipeline.models import EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, FakePaper, synthetic_papers

CORPUS = synthetic_papers(600)
RICH = FakePaper(
    arxiv_id="2012.03107",
    title="Rich   Metadata\n  Paper",
    authors=["Murat A. Erdogdu", "Grace Hopper"],
    version=3,
    abstract="First line\n   second line.",
    published=datetime(2020, 12, 5, 10, 0, tzinfo=UTC),
    updated=datetime(2021, 3, 1, 8, 30, tzinfo=UTC),
    categories=["stat.ML", "cs.LG"],
    doi="10.1000/xyz123",
    journal_ref="NeurIPS 2021",
    comment="30 pages, 4 figures",
)
OLD_STYLE = FakePaper(arxiv_id="math/0309136", title="An Old Paper", authors=["Kurt Godel"])


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv([*CORPUS, RICH, OLD_STYLE]) as server:
        yield server


def ref(paper: FakePaper, key: str | None = None, arxiv_id: str | None = None) -> PaperRef:
    return PaperRef(
        key=key or paper.arxiv_id,
        title=paper.title,
        authors=paper.authors,
        arxiv_id=arxiv_id or paper.arxiv_id,
    )


def test_523_ids_cold_take_at_most_6_requests_and_warm_none(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    papers = [ref(p, arxiv_id=f"{p.arxiv_id}v1") for p in CORPUS[:523]]
    settings = fake.settings(tmp_path)

    cold = enrich_papers(papers, settings)
    assert cold.requests_made == len(fake.api_requests()) <= math.ceil(523 / 100) == 6
    assert cold.status_counts() == {EnrichmentStatus.enriched: 523}

    fake.reset_requests()
    warm = enrich_papers(papers, settings)
    assert warm.requests_made == 0 and fake.api_requests() == []
    assert warm.results == cold.results


def test_duplicate_ids_and_versions_are_asked_once(fake: FakeArxiv, tmp_path: Path) -> None:
    paper = CORPUS[0]
    papers = [ref(paper, "a"), ref(paper, "b", f"{paper.arxiv_id}v1"), ref(paper, "c")]
    report = enrich_papers(papers, fake.settings(tmp_path))
    assert fake.ids_requested() == [paper.arxiv_id]
    assert {r.status for r in report.results.values()} == {EnrichmentStatus.enriched}


def test_malformed_id_is_never_sent_and_gets_invalid_id(fake: FakeArxiv, tmp_path: Path) -> None:
    bad_ids = ["2013.12345", "1501.1234", "not-an-id", "2101.00001v", "arXiv:2101.0001"]
    papers = [
        PaperRef(key=f"bad{n}", title="t", authors=[], arxiv_id=bad)
        for n, bad in enumerate(bad_ids)
    ]
    papers.append(ref(CORPUS[1]))
    report = enrich_papers(papers, fake.settings(tmp_path))

    assert fake.ids_requested() == [CORPUS[1].arxiv_id]
    assert report.requests_made == 1
    for n, bad in enumerate(bad_ids):
        result = report.results[f"bad{n}"]
        assert result.status is EnrichmentStatus.invalid_id
        assert bad in result.reason
    assert report.results[CORPUS[1].arxiv_id].status is EnrichmentStatus.enriched


def test_unknown_id_in_mixed_batch_is_not_found_and_the_others_enrich(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    unknown = PaperRef(key="ghost", title="Ghost", authors=[], arxiv_id="2105.99999")
    papers = [ref(CORPUS[2]), unknown, ref(CORPUS[3])]
    report = enrich_papers(papers, fake.settings(tmp_path))

    # A full answer that leaves an id out is arXiv saying it does not know it.
    assert report.requests_made == 1
    assert report.results["ghost"].status is EnrichmentStatus.not_found
    assert "2105.99999" in report.results["ghost"].reason
    for paper in (CORPUS[2], CORPUS[3]):
        assert report.results[paper.arxiv_id].status is EnrichmentStatus.enriched


def test_entries_are_keyed_by_base_id_whatever_order_arxiv_answers_in(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    papers = [ref(p) for p in CORPUS[:80]]
    report = enrich_papers(papers, fake.settings(tmp_path))
    for paper in CORPUS[:80]:
        result = report.results[paper.arxiv_id]
        assert result.metadata is not None
        assert result.metadata.arxiv_id == paper.arxiv_id
        assert result.metadata.title == paper.title


def test_arxiv_result_maps_to_metadata(fake: FakeArxiv, tmp_path: Path) -> None:
    papers = [PaperRef(key="r", title="Rich Metadata Paper", authors=[], arxiv_id="2012.03107v1")]
    result = enrich_papers(papers, fake.settings(tmp_path)).results["r"]
    meta = result.metadata
    assert result.method == "id" and meta is not None
    assert meta.arxiv_id == "2012.03107" and meta.version == 3  # the latest version
    assert meta.title == "Rich Metadata Paper"
    assert meta.authors == ["Murat A. Erdogdu", "Grace Hopper"]
    assert meta.abstract == "First line second line."
    assert meta.published == datetime(2020, 12, 5, 10, 0, tzinfo=UTC)
    assert meta.updated == datetime(2021, 3, 1, 8, 30, tzinfo=UTC)
    assert meta.categories == ["stat.ML", "cs.LG"] and meta.primary_category == "stat.ML"
    assert meta.doi == "10.1000/xyz123" and meta.journal_ref == "NeurIPS 2021"
    assert meta.comment == "30 pages, 4 figures"
    assert meta.abs_url == "http://arxiv.org/abs/2012.03107v3"
    assert meta.pdf_url == "http://arxiv.org/pdf/2012.03107v3"
    assert result.title_mismatch is None


def test_old_style_id_with_subject_class_is_found(fake: FakeArxiv, tmp_path: Path) -> None:
    papers = [PaperRef(key="o", title="An Old Paper", authors=[], arxiv_id="math.GT/0309136v1")]
    result = enrich_papers(papers, fake.settings(tmp_path)).results["o"]
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == "math/0309136"


def test_id_lookup_flags_a_title_that_differs_after_normalisation(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    paper = CORPUS[4]
    papers = [
        PaperRef(key="same", title=paper.title.upper(), authors=[], arxiv_id=paper.arxiv_id),
        PaperRef(key="other", title="Something Else", authors=[], arxiv_id=paper.arxiv_id),
    ]
    report = enrich_papers(papers, fake.settings(tmp_path))
    assert report.results["same"].title_mismatch is None
    mismatch = report.results["other"].title_mismatch
    assert mismatch is not None
    assert (mismatch.ours, mismatch.arxiv) == ("Something Else", paper.title)


def test_every_request_carries_the_configured_user_agent(fake: FakeArxiv, tmp_path: Path) -> None:
    settings = fake.settings(tmp_path, user_agent="test-agent/1.0 (mailto:t@example.org)")
    enrich_papers([ref(p) for p in CORPUS[:150]], settings)
    agents = {r.headers.get("User-Agent") for r in fake.api_requests()}
    assert agents == {"test-agent/1.0 (mailto:t@example.org)"}


def test_not_found_is_cached_so_a_warm_run_asks_nothing(fake: FakeArxiv, tmp_path: Path) -> None:
    papers = [PaperRef(key="ghost", title="Ghost", authors=[], arxiv_id="2105.99999")]
    settings = fake.settings(tmp_path)
    enrich_papers(papers, settings)
    fake.reset_requests()
    report = enrich_papers(papers, settings)
    assert report.requests_made == 0
    assert report.results["ghost"].status is EnrichmentStatus.not_found


def test_second_run_asks_only_about_new_and_expired_ids(fake: FakeArxiv, tmp_path: Path) -> None:
    settings = fake.settings(tmp_path)
    first = [ref(p) for p in CORPUS[:150]]
    enrich_papers(first, settings)

    expired = [p.arxiv_id for p in CORPUS[:3]]
    with sqlite3.connect(tmp_path / "arxiv-cache.sqlite") as db:
        db.executemany("UPDATE ids SET fetched_at = 0 WHERE base_id = ?", [(i,) for i in expired])
    db.close()
    new = [ref(p) for p in CORPUS[150:160]]
    fake.reset_requests()
    report = enrich_papers(first + new, settings)

    assert report.requests_made == 1
    assert sorted(fake.ids_requested()) == sorted(expired + [p.arxiv_id for p in CORPUS[150:160]])
    assert report.status_counts() == {EnrichmentStatus.enriched: 160}


def test_zero_ttl_and_refresh_both_refetch(fake: FakeArxiv, tmp_path: Path) -> None:
    papers = [ref(p) for p in CORPUS[:5]]
    enrich_papers(papers, fake.settings(tmp_path))

    fake.reset_requests()
    assert enrich_papers(papers, fake.settings(tmp_path), refresh=True).requests_made == 1
    fake.reset_requests()
    assert enrich_papers(papers, fake.settings(tmp_path, arxiv_cache_ttl_days=0)).requests_made == 1
    assert enrich_papers(papers, fake.settings(tmp_path)).requests_made == 0


def test_unreadable_cache_file_is_set_aside_with_a_warning(fake: FakeArxiv, tmp_path: Path) -> None:
    (tmp_path / "arxiv-cache.sqlite").write_bytes(b"this is not a database" * 100)
    report = enrich_papers([ref(CORPUS[0])], fake.settings(tmp_path))
    assert report.results[CORPUS[0].arxiv_id].status is EnrichmentStatus.enriched
    assert any("unreadable" in w for w in report.warnings)
    assert enrich_papers([ref(CORPUS[0])], fake.settings(tmp_path)).requests_made == 0


def test_garbled_cache_row_is_a_miss_not_a_failure(fake: FakeArxiv, tmp_path: Path) -> None:
    enrich_papers([ref(CORPUS[0])], fake.settings(tmp_path))
    with sqlite3.connect(tmp_path / "arxiv-cache.sqlite") as db:
        db.execute("UPDATE ids SET metadata = '{not json'")
    db.close()
    report = enrich_papers([ref(CORPUS[0])], fake.settings(tmp_path))
    assert report.requests_made == 1
    assert report.results[CORPUS[0].arxiv_id].status is EnrichmentStatus.enriched
    assert any("read failed" in w for w in report.warnings)
