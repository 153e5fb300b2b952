"""Text normalisation shared by parsers, linking and enrichment.

``normalise_title`` is the one definition of "the same title": LaTeX folded to plain text
('$\\ell_2$' ~ 'ℓ2'), Unicode NFKC, case-folded, accents dropped, hyphens removed (a browser
copy drops them: 'U-Shaped' ~ 'UShaped'), punctuation reduced to spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

_HYPHENS = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2212\u00ad]")
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")

# LaTeX that arXiv titles carry and copied titles render: '$\ell_2$' is 'ℓ2' on a page.
LATEX_SYMBOLS = {
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
    text = _LATEX_COMMAND.sub(lambda m: LATEX_SYMBOLS.get(m.group(1), ""), text)
    # Math markup is dropped without a space, so '\ell_2' and 'ℓ2' both give 'l2'.
    return _MATH_MARKUP.sub("", text)


def collapse_spaces(text: str) -> str:
    """Single spaces, no leading or trailing white space (NBSP included)."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def normalise_title(title: str) -> str:
    """The comparison key of a title: LaTeX, case, accent, hyphen and punctuation insensitive."""
    text = unicodedata.normalize("NFKC", _delatex(title)).casefold()
    text = _HYPHENS.sub("", text)
    text = _NON_WORD.sub(" ", text.replace("_", " "))
    return strip_accents(collapse_spaces(text))


# Titles at least this similar (and sharing an author surname) are the same paper.
TITLE_MATCH_THRESHOLD = 0.93


def title_similarity(ours: str, theirs: str) -> float:
    """0..1: the better of the plain and the space-free ratio of the normalised titles.

    Space-free because removed hyphens and LaTeX leave words joined on one side only
    ('two layer' vs 'twolayer').
    """
    a, b = normalise_title(ours), normalise_title(theirs)
    if a == b:
        return 1.0
    spaced = fuzz.ratio(a, b)
    joined = fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))
    return round(max(spaced, joined) / 100.0, 4)


def strip_accents(text: str) -> str:
    """'Peyré' -> 'Peyre': sources disagree on diacritics in names."""
    if text.isascii():
        return text  # nothing to strip: the common case, without a pass per character
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def surname(name: str) -> str:
    """The surname, normalised, skipping suffixes: 'Murat A. Erdoğdu Jr.' -> 'erdogdu'."""
    words = normalise_title(name).split()
    kept = [word for word in words if word not in _NAME_SUFFIXES]
    return (kept or words or [""])[-1]


def shared_surnames(ours: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Surnames present on both author lists, in our order."""
    their_keys = {surname(name) for name in theirs} - {""}
    shared = [key for key in (surname(name) for name in ours) if key in their_keys]
    return list(dict.fromkeys(shared))
