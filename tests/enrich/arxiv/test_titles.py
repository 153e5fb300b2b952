"""arXiv enrichment by title: batched searches, query cleaning and the hard matching cases."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from pipeline.enrich import PaperRef, enrich_papers
from pipeline.enrich.arxiv.query import URL_BUDGET, title_clause
from pipeline.models import Enrichment, EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, FakePaper, parse_query, synthetic_papers

TWO_LAYER = FakePaper(
    "2201.00001",
    "Two-Layer Neural Networks Provably Learn Sparse Parities: A Mean-Field View",
    ["Ada Lovelace", "Alan Turing"],
)
SAM = FakePaper(
    "2010.01412",
    "Sharpness-Aware Minimization for Efficiently Improving Generalization",
    ["Pierre Foret", "Ariel Kleiner"],
)
DOUBLE_DESCENT = FakePaper(
    "1912.02292",
    "Deep Double Descent: Where Bigger Models and More Data Hurt",
    ["Preetum Nakkiran", "Gal Kaplun"],
)
LATEX = FakePaper("2106.00001", r"Implicit $\ell_2$ Bias of Gradient Flow", ["Emmy Noether"])
NTK_A = FakePaper("2301.00001", "Neural Tangent Kernels Convergence", ["Mei Chen", "Ravi Patel"])
NTK_B = FakePaper("2301.00002", "Neural Tangent Kernel Convergences", ["Mei Chen"])
ZHANG_2016 = FakePaper(
    "1611.03530",
    "Understanding deep learning requires rethinking generalization",
    ["Chiyuan Zhang", "Samy Bengio"],
)
ZHANG_2021 = FakePaper(
    "2109.00001",
    "Understanding deep learning (still) requires rethinking generalization",
    ["Chiyuan Zhang", "Samy Bengio"],
)
ATTENTION_OTHER = FakePaper("1706.99999", "Attention Is All You Need", ["Somebody Else"])
ATTENTION = FakePaper("1706.03762", "Attention is all you need", ["Ashish Vaswani", "Noam Shazeer"])
HARD_CASES = [
    TWO_LAYER,
    SAM,
    DOUBLE_DESCENT,
    LATEX,
    NTK_A,
    NTK_B,
    ZHANG_2016,
    ZHANG_2021,
    ATTENTION_OTHER,
    ATTENTION,
]
NOISE = synthetic_papers(200, seed=3)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv([*NOISE, *HARD_CASES]) as server:
        yield server


def enrich_one(fake: FakeArxiv, tmp_path: Path, title: str, authors: list[str]) -> Enrichment:
    """One title looked up alone: exactly one search request."""
    paper = PaperRef(key="p", title=title, authors=authors)
    report = enrich_papers([paper], fake.settings(tmp_path))
    assert report.requests_made == 1
    return report.results["p"]


# ---------------------------------------------------------------------- batching


def test_titles_share_searches_as_full_as_the_url_budget_allows(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    papers = [PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors[:1]) for p in NOISE[:23]]
    report = enrich_papers(papers, fake.settings(tmp_path))

    assert report.requests_made == len(fake.api_requests()) < math.ceil(23 / 5) / 2
    for request in fake.api_requests():
        assert request.id_list == []
        assert len(fake.url) + 1 + len(urlencode(request.args)) <= URL_BUDGET
    assert report.status_counts() == {EnrichmentStatus.enriched: 23}
    for paper in NOISE[:23]:
        result = report.results[paper.arxiv_id]
        assert result.method == "title"
        assert result.metadata is not None and result.metadata.arxiv_id == paper.arxiv_id

    fake.reset_requests()
    assert enrich_papers(papers, fake.settings(tmp_path)).requests_made == 0


def test_page_holds_candidates_for_every_title_of_a_batch(tmp_path: Path) -> None:
    # Each title is a phrase inside nine longer titles that outrank or tie with it.
    stems = ["Alpha Beta Gamma", "Delta Epsilon Zeta", "Eta Theta Iota", "Kappa Mu Nu", "Xi Pi Rho"]
    corpus = []
    for n, stem in enumerate(stems):
        corpus += [
            FakePaper(f"2302.{n:02d}{k + 1:03d}", f"{stem} Part {k}", ["Someone Else"])
            for k in range(9)
        ]
        corpus.append(FakePaper(f"2303.{n + 1:05d}", stem, ["Grace Hopper"]))
    papers = [PaperRef(key=stem, title=stem, authors=["G. Hopper"]) for stem in stems]

    with FakeArxiv(corpus) as fake:
        report = enrich_papers(papers, fake.settings(tmp_path))
        assert report.requests_made == 1
        assert int(fake.api_requests()[0].args["max_results"]) >= 50
    assert report.status_counts() == {EnrichmentStatus.enriched: 5}


# ---------------------------------------------------------------------- query cleaning


def test_query_has_no_hyphen_colon_or_quote_inside_phrases() -> None:
    clause = title_clause('Sharpness-Aware "Minimization": $\\ell_2$ (Efficient)', ["P. Foret"])
    assert clause is not None
    phrase = clause.split('ti:"')[1].split('"')[0]
    assert phrase == "sharpness aware minimization ell 2 efficient"
    assert "-" not in clause and '"' not in phrase
    parse_query(clause)  # the fake's parser reads it: balanced, valid syntax


def test_hyphenated_title_with_colon_is_found_by_phrase(fake: FakeArxiv, tmp_path: Path) -> None:
    # No authors: only the phrase can find it (the fake breaks phrases with - or :).
    result = enrich_one(fake, tmp_path, SAM.title, [])
    assert result.candidates and result.candidates[0].metadata.arxiv_id == SAM.arxiv_id
    assert result.candidates[0].score == 1.0
    # ... but without a shared surname it is not accepted.
    assert result.status is EnrichmentStatus.no_match
    assert "no authors" in result.reason


# ---------------------------------------------------------------------- hard cases


def test_hyphens_lost_in_a_capture_still_match(fake: FakeArxiv, tmp_path: Path) -> None:
    title = "Twolayer Neural Networks Provably Learn Sparse Parities: A MeanField View"
    result = enrich_one(fake, tmp_path, title, ["A. Turing"])
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == TWO_LAYER.arxiv_id
    assert result.title_mismatch is None  # the same title once hyphens are ignored


def test_missing_subtitle_is_no_match_with_best_candidate_and_score(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    result = enrich_one(fake, tmp_path, "Deep Double Descent", ["Preetum Nakkiran"])
    assert result.status is EnrichmentStatus.no_match
    assert result.metadata is None
    [best] = result.candidates
    assert best.metadata.arxiv_id == DOUBLE_DESCENT.arxiv_id
    assert best.score < 0.93 and best.shared_surnames == ["nakkiran"]
    assert f"{best.score:.2f}" in result.reason


@pytest.mark.parametrize(
    "ours", ["Implicit ℓ2 Bias of Gradient Flow", "Implicit l2 bias of gradient flow"]
)
def test_latex_title_matches_its_rendered_form(fake: FakeArxiv, tmp_path: Path, ours: str) -> None:
    result = enrich_one(fake, tmp_path, ours, ["Emmy Noether"])
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == LATEX.arxiv_id
    assert result.title_mismatch is None


def test_two_near_identical_arxiv_titles_are_ambiguous_and_both_kept(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    result = enrich_one(fake, tmp_path, "Neural Tangent Kernel Convergence", ["Mei Chen"])
    assert result.status is EnrichmentStatus.ambiguous
    assert result.metadata is None
    assert {c.metadata.arxiv_id for c in result.candidates} == {NTK_A.arxiv_id, NTK_B.arxiv_id}
    assert NTK_A.arxiv_id in result.reason and NTK_B.arxiv_id in result.reason


def test_exact_title_beats_a_close_variant_by_the_same_authors(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    title = "Understanding Deep Learning Requires Rethinking Generalization"
    result = enrich_one(fake, tmp_path, title, ["Chiyuan Zhang"])
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == ZHANG_2016.arxiv_id


def test_shared_surname_picks_between_identical_titles(fake: FakeArxiv, tmp_path: Path) -> None:
    result = enrich_one(fake, tmp_path, "Attention Is All You Need", ["Ashish Vaswani"])
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == ATTENTION.arxiv_id


def test_identical_title_without_a_shared_surname_is_no_match(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    result = enrich_one(fake, tmp_path, TWO_LAYER.title, ["Nobody Known"])
    assert result.status is EnrichmentStatus.no_match
    assert result.candidates[0].metadata.arxiv_id == TWO_LAYER.arxiv_id
    assert result.candidates[0].score == 1.0 and result.candidates[0].shared_surnames == []
    assert "surname" in result.reason


def test_accepted_fuzzy_match_records_the_title_mismatch(fake: FakeArxiv, tmp_path: Path) -> None:
    ours = "Understanding deep learning still requires rethinking generalisation"
    result = enrich_one(fake, tmp_path, ours, ["Samy Bengio"])
    assert result.status is EnrichmentStatus.enriched
    assert result.metadata is not None and result.metadata.arxiv_id == ZHANG_2021.arxiv_id
    assert result.title_mismatch is not None
    assert result.title_mismatch.ours == ours
    assert result.title_mismatch.arxiv == ZHANG_2021.title


def test_title_nobody_has_is_no_match_without_candidates(fake: FakeArxiv, tmp_path: Path) -> None:
    result = enrich_one(fake, tmp_path, "Completely Unrelated Words Here", [])
    assert result.status is EnrichmentStatus.no_match and result.candidates == []


def test_paper_without_id_or_title_is_no_match_without_a_request(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    report = enrich_papers([PaperRef(key="p", title=" : ", authors=[])], fake.settings(tmp_path))
    assert report.requests_made == 0
    assert report.results["p"].status is EnrichmentStatus.no_match
