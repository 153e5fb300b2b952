"""Deciding whether an arXiv search result is the paper we have.

A candidate is accepted when its title matches ours (similarity of the comparison keys
>= ``TITLE_THRESHOLD``) and at least one author surname is shared. Two accepted candidates
within ``AMBIGUITY_MARGIN`` of each other are ambiguous: both are kept for a human.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

from pipeline.models import (
    ArxivMetadata,
    Enrichment,
    EnrichmentStatus,
    TitleCandidate,
    TitleMismatch,
)
from pipeline.text import normalise_title, surname

TITLE_THRESHOLD = 0.93
AMBIGUITY_MARGIN = 0.02

# LaTeX that arXiv titles carry and copied titles render: '$\ell_2$' is 'ℓ2' on a page.
_LATEX_SYMBOLS = {
    "ell": "l",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "infty": "∞",
}
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")
_LATEX_ACCENT = re.compile(r"\\(?:[`'^\"~=.]\{?([A-Za-z])\}?|[uvHck]\{([A-Za-z])\})")
_MATH_MARKUP = re.compile(r"[${}^_]")
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def _delatex(title: str) -> str:
    text = _LATEX_ACCENT.sub(lambda m: m.group(1) or m.group(2), title)
    # Formatting commands (\mathcal, \textit...) vanish, symbols become their character.
    text = _LATEX_COMMAND.sub(lambda m: _LATEX_SYMBOLS.get(m.group(1), ""), text)
    # Math markup is dropped without a space, so '\ell_2' and 'ℓ2' both give 'l2'.
    return _MATH_MARKUP.sub("", text)


def title_key(title: str) -> str:
    """The comparison key: ``normalise_title`` after folding LaTeX to plain text, unaccented.

    Accents go because arXiv titles spell them in TeX ('Erd\\H{o}s') or not at all.
    """
    return _fold(normalise_title(_delatex(title)))


def title_similarity(ours: str, theirs: str) -> float:
    """0..1; the better of the plain and the space-free comparison.

    Space-free because removed hyphens and LaTeX leave words joined on one side only
    ('two layer' vs 'twolayer').
    """
    a, b = title_key(ours), title_key(theirs)
    if a == b:
        return 1.0
    spaced = fuzz.ratio(a, b)
    joined = fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))
    return round(max(spaced, joined) / 100.0, 4)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def surname_key(name: str) -> str:
    """The surname, accent-folded, skipping suffixes: 'Erdoğdu Jr.' -> 'erdogdu'."""
    words = [w for w in _fold(normalise_title(name)).split() if w not in _NAME_SUFFIXES]
    return words[-1] if words else _fold(surname(name))


def shared_surnames(ours: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Surnames present on both author lists, in our order."""
    their_keys = {surname_key(name) for name in theirs} - {""}
    shared = [key for key in (surname_key(name) for name in ours) if key in their_keys]
    return list(dict.fromkeys(shared))


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
    if title_key(ours).replace(" ", "") == title_key(metadata.title).replace(" ", ""):
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
