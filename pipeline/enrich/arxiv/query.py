"""arXiv search queries for title lookups.

arXiv's query syntax reads a hyphen as NOT and a colon as a field separator, which breaks
phrase matching; titles are reduced to plain lower-case words before they are quoted. The
API also fails on some non-ASCII text, so words are folded to ASCII: accents dropped, Greek
letters spelled as arXiv's LaTeX titles spell them ('β' -> 'beta'), anything else left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote_plus

from pipeline.core.text import LATEX_SYMBOLS, surname

_NOT_WORD = re.compile(r"[^\w]+|_+")
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "via",
        "vs",
        "we",
        "what",
        "when",
        "where",
        "which",
        "why",
        "with",
        "without",
        "not",
        "andnot",
        "how",
        "do",
        "does",
        "can",
    }
)
MAX_KEYWORDS = 8
MAX_SURNAMES = 2


_SPELLED = {char: name for name, char in LATEX_SYMBOLS.items() if len(char) == 1 and char != "l"}


def _ascii(word: str) -> str:
    spelled = "".join(_SPELLED.get(char, char) for char in word)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(
        char for char in decomposed if char.isascii() and not unicodedata.combining(char)
    )


def search_words(text: str) -> list[str]:
    """Lower-case ASCII words only: no hyphens, colons, quotes, brackets or LaTeX markup."""
    cleaned = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    return [folded for word in cleaned.split() if (folded := _ascii(word))]


def title_clause(title: str, authors: Sequence[str]) -> str | None:
    """The query for one title; None when nothing searchable is left.

    The exact phrase finds most titles. With authors, an alternative (an author surname
    and any of the title's keywords) also finds titles whose phrase differs from arXiv's:
    hyphens lost in a copy ('Twolayer'), LaTeX ('ℓ2' vs '$\\ell_2$'). Relevance ranking puts
    such matches near the top and ``matching`` decides.
    """
    words = search_words(title)
    if not words:
        return None
    phrase = f'ti:"{" ".join(words)}"'
    surnames = list(dict.fromkeys(s for s in (_search_surname(a) for a in authors) if s))
    keywords = [w for w in dict.fromkeys(words) if len(w) >= 3 and w not in _STOPWORDS]
    keywords = sorted(keywords, key=len, reverse=True)[:MAX_KEYWORDS]
    if not surnames or not keywords:
        return phrase
    by_author = " OR ".join(f"au:{s}" for s in surnames[:MAX_SURNAMES])
    by_keyword = " OR ".join(f"ti:{w}" for w in keywords)
    return f"({phrase} OR (({by_author}) AND ({by_keyword})))"


def _search_surname(name: str) -> str:
    words = search_words(surname(name))
    return words[-1] if words else ""


def batch_query(clauses: Sequence[str]) -> str:
    """Several title clauses in one request."""
    return _OR.join(clauses)


# How long a request URL may be. arXiv's API user manual (3.1, "Calling the API") gives no
# number: GET puts the parameters in the URL, "thus if the parameters list is unusually
# long, a POST request might be preferred". The limit that shows is the server's: an
# id_list of 642 ids (about 8,400 characters encoded) was refused with HTTP 414 Request-URI
# Too Long (lukasschwab/arxiv.py issue #15), the request-line limit of common front ends
# (Apache's LimitRequestLine: 8,190 bytes). 6,000 stays clear of it with room for the
# request line and a longer endpoint.
URL_BUDGET = 6000
# What the arxiv package adds besides search_query (id_list, sortBy, sortOrder, start,
# max_results) and the separators, encoded: less than this.
_OTHER_PARAMETERS = 120
_OR = " OR "


def encoded_length(text: str) -> int:
    """Characters ``text`` takes in a query string (what urlencode makes of it)."""
    return len(quote_plus(text))


def pack_clauses(
    clauses: Sequence[tuple[str, str]],
    endpoint: str,
    budget: int = URL_BUDGET,
    max_clauses: int | None = None,
) -> list[list[str]]:
    """Keys of ``(key, clause)`` pairs grouped into searches whose URL fits ``budget`` (and
    of at most ``max_clauses`` clauses).

    Greedy in order: each search takes clauses while the URL would still fit, so a run
    asks as few searches as the budget allows; a clause too long for any search goes alone.
    """
    room = budget - len(endpoint) - len("?search_query=") - _OTHER_PARAMETERS
    batches: list[list[str]] = []
    used = 0
    for key, clause in clauses:
        size = encoded_length(clause)
        full = max_clauses is not None and batches and len(batches[-1]) >= max_clauses
        if batches and not full and used + encoded_length(_OR) + size <= room:
            batches[-1].append(key)
            used += encoded_length(_OR) + size
        else:
            batches.append([key])
            used = size
    return batches
