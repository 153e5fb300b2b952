"""Deciding whether an arXiv search result is the paper we have.

A candidate is accepted when its title matches ours (similarity of the comparison keys
>= ``TITLE_THRESHOLD``) and at least one author surname is shared. Two accepted candidates
within ``AMBIGUITY_MARGIN`` of each other are ambiguous: both are kept for a human.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.text import (
    TITLE_MATCH_THRESHOLD,
    normalise_title,
    shared_surnames,
    title_similarity,
)
from pipeline.models import (
    ArxivMetadata,
    Enrichment,
    EnrichmentStatus,
    TitleCandidate,
    TitleMismatch,
)

TITLE_THRESHOLD = TITLE_MATCH_THRESHOLD
AMBIGUITY_MARGIN = 0.02


def score(title: str, authors: Sequence[str], metadata: ArxivMetadata) -> TitleCandidate:
    return TitleCandidate(
        metadata=metadata,
        score=title_similarity(title, metadata.title),
        shared_surnames=shared_surnames(authors, metadata.authors),
    )


def rank(
    title: str, authors: Sequence[str], results: Sequence[ArxivMetadata]
) -> list[TitleCandidate]:
    """Candidates best first (by score, then by shared surnames); one per arXiv id."""
    unique = {meta.arxiv_id: meta for meta in reversed(results)}
    scored = [score(title, authors, meta) for meta in unique.values()]
    return sorted(scored, key=lambda c: (-c.score, -len(c.shared_surnames), c.metadata.arxiv_id))


def title_mismatch(ours: str, metadata: ArxivMetadata) -> TitleMismatch | None:
    """Set when the titles differ after normalisation; None when they agree.

    Spaces are ignored: 'Sharpness Aware' and 'Sharpness-Aware' are the same title.
    """
    if not ours.strip():
        return None
    if normalise_title(ours).replace(" ", "") == normalise_title(metadata.title).replace(" ", ""):
        return None
    return TitleMismatch(ours=ours, arxiv=metadata.title)


def decide(title: str, authors: Sequence[str], results: Sequence[ArxivMetadata]) -> Enrichment:
    """The enrichment a title search gives, from the search's results."""
    ranked = rank(title, authors, results)
    if not ranked:
        return Enrichment(
            status=EnrichmentStatus.no_match,
            reason="arXiv title search returned no candidate",
            method="title",
        )
    accepted = [c for c in ranked if c.score >= TITLE_THRESHOLD and c.shared_surnames]
    if not accepted:
        best = ranked[0]
        if best.score < TITLE_THRESHOLD:
            why = (
                f"best candidate {best.metadata.arxiv_id} scored {best.score:.2f}"
                f" < {TITLE_THRESHOLD}"
            )
        elif not authors:
            why = f"candidate {best.metadata.arxiv_id} not confirmed: we have no authors"
        else:
            why = f"candidate {best.metadata.arxiv_id} shares no author surname"
        return Enrichment(
            status=EnrichmentStatus.no_match, reason=why, method="title", candidates=[best]
        )
    close = [c for c in accepted if c.score >= accepted[0].score - AMBIGUITY_MARGIN]
    if len(close) > 1:
        ids = ", ".join(c.metadata.arxiv_id for c in close)
        return Enrichment(
            status=EnrichmentStatus.ambiguous,
            reason=f"{len(close)} arXiv papers match the title equally well: {ids}",
            method="title",
            candidates=close,
        )
    best = close[0]
    return Enrichment(
        status=EnrichmentStatus.enriched,
        reason=f"title match {best.metadata.arxiv_id} (score {best.score:.2f}, "
        f"shared surnames: {', '.join(best.shared_surnames)})",
        method="title",
        metadata=best.metadata,
        candidates=[best],
        title_mismatch=title_mismatch(title, best.metadata),
    )
