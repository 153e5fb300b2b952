"""Units of the enrichment package: title similarity, surnames, query words, retry timing."""

from __future__ import annotations

import pytest

from pipeline.core.text import normalise_title, shared_surnames, surname, title_similarity
from pipeline.enrich.arxiv.client import canonical_base_id
from pipeline.enrich.arxiv.matching import TITLE_THRESHOLD, decide
from pipeline.enrich.arxiv.query import search_words, title_clause
from pipeline.models import ArxivMetadata, EnrichmentStatus


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Twolayer Networks", "Two-layer Networks"),
        ("Two layer networks", "Two-Layer Networks"),
        ("Implicit ℓ2 Bias", r"Implicit $\ell_2$ Bias"),
        ("Implicit l2 Bias", r"Implicit $\ell_{2}$ Bias"),
        ("On Erdős Problems", r"On Erd\H{o}s Problems"),
        ("A \\textit{Deep} Look", "A Deep Look"),
    ],
)
def test_titles_equal_up_to_hyphens_spaces_and_latex(ours: str, theirs: str) -> None:
    assert title_similarity(ours, theirs) == 1.0


def test_missing_subtitle_scores_below_the_threshold() -> None:
    full = "Deep Double Descent: Where Bigger Models and More Data Hurt"
    assert title_similarity("Deep Double Descent", full) < TITLE_THRESHOLD


def test_latex_key_folds_math_markup_without_inserting_spaces() -> None:
    assert (
        normalise_title(r"$\ell_2$ margins and $\alpha$-stability") == "l2 margins and αstability"
    )


def test_surnames_fold_accents_and_skip_suffixes() -> None:
    assert surname("Murat A. Erdoğdu") == "erdogdu"
    assert surname("Martin Luther King Jr.") == "king"
    assert shared_surnames(["M. Erdogdu", "A. Nobody"], ["Murat A. Erdoğdu"]) == ["erdogdu"]


def meta(arxiv_id: str, title: str, authors: list[str]) -> ArxivMetadata:
    return ArxivMetadata(arxiv_id=arxiv_id, version=1, title=title, authors=authors)


def test_decide_keeps_all_close_accepted_candidates_when_ambiguous() -> None:
    results = [
        meta("1", "Scaling Laws for Neural Language Model", ["J. Kaplan"]),
        meta("2", "Scaling Laws for Neural Languages Models", ["J. Kaplan"]),
        meta("3", "Something else entirely", ["J. Kaplan"]),
    ]
    result = decide("Scaling Laws for Neural Language Models", ["Jared Kaplan"], results)
    assert result.status is EnrichmentStatus.ambiguous
    assert {c.metadata.arxiv_id for c in result.candidates} == {"1", "2"}


def test_decide_without_results_is_no_match() -> None:
    result = decide("Anything", ["A. B"], [])
    assert result.status is EnrichmentStatus.no_match and result.candidates == []


def test_search_words_drop_operators_punctuation_and_latex_marks() -> None:
    assert search_words('Sharpness-Aware "SAM": $\\ell_2$ (v2)') == [
        "sharpness",
        "aware",
        "sam",
        "ell",
        "2",
        "v2",
    ]


def test_title_clause_without_authors_is_the_phrase_alone() -> None:
    assert title_clause("Deep Double-Descent: Bigger Models", []) == (
        'ti:"deep double descent bigger models"'
    )
    assert title_clause("?!", ["A. B"]) is None


def test_title_clause_with_authors_adds_surname_and_keywords() -> None:
    clause = title_clause("Twolayer Networks Learn", ["Alan Turing", "Ada Lovelace"])
    assert clause == (
        '(ti:"twolayer networks learn" OR ((au:turing OR au:lovelace) AND '
        "(ti:twolayer OR ti:networks OR ti:learn)))"
    )


def test_old_style_ids_lose_their_subject_class() -> None:
    assert canonical_base_id("math.GT/0309136") == "math/0309136"
    assert canonical_base_id("hep-th/9901001") == "hep-th/9901001"
    assert canonical_base_id("2101.00001") == "2101.00001"
