"""Text normalisation shared by parsers, linking and enrichment.

``normalise_title`` is the one definition of "the same title": Unicode NFKC, case-folded,
hyphens removed (a browser copy drops them: 'U-Shaped' ~ 'UShaped'), LaTeX markup and
punctuation reduced to spaces.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_HYPHENS = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2212\u00ad]")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


def collapse_spaces(text: str) -> str:
    """Single spaces, no leading or trailing white space (NBSP included)."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def normalise_title(title: str) -> str:
    """The comparison key of a title: case, hyphen, punctuation and LaTeX insensitive."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = _LATEX_COMMAND.sub(r"\1", text)  # '$\ell_2$' -> 'ell_2'
    text = _HYPHENS.sub("", text)
    text = text.replace("_", " ")
    text = _NON_WORD.sub(" ", text)
    return collapse_spaces(text)


def short_hash(*parts: str, length: int = 12) -> str:
    """A stable hex digest of the parts (used for record ids)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def title_key_id(prefix: str, title: str) -> str:
    """A record id derived from the normalised title: survives lost hyphens and re-runs."""
    return f"{prefix}-{short_hash(normalise_title(title))}"


def strip_accents(text: str) -> str:
    """'Peyré' -> 'Peyre': sources disagree on diacritics in names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def surname(name: str) -> str:
    """The last word of a person's name, normalised ('Murat A. Erdogdu' -> 'erdogdu')."""
    words = normalise_title(strip_accents(name)).split()
    return words[-1] if words else ""


def disambiguate(ids: list[str]) -> list[str]:
    """Make ids unique in order: the second 'x' becomes 'x-2', the third 'x-3'."""
    seen: dict[str, int] = {}
    result = []
    for record_id in ids:
        seen[record_id] = seen.get(record_id, 0) + 1
        result.append(record_id if seen[record_id] == 1 else f"{record_id}-{seen[record_id]}")
    return result
