"""People's names as the virtual sites print them: one name, or a list of them.

Lists are separated by a middle dot: ``·`` (U+00B7, to 2024), ``⋅`` (U+22C5, 2025 on) or
``•``. Invisible marks (direction marks, zero-width spaces) that some names carry are not
part of the name. A list may hold names written in lower case ('danah boyd') as long as
most of its names are capitalised; a name on its own must be.
"""

from __future__ import annotations

import re

__all__ = [
    "NAME_SEPARATOR",
    "looks_like_name",
    "looks_like_name_list",
    "split_names",
    "visible",
]

_MARKS = ("·", "•", "⋅")
NAME_SEPARATOR = re.compile(r"\s*[·•⋅]\s*")
# Direction marks and embeddings, zero-width spaces and joiners, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """The text without the invisible marks a copy or the HTML may carry."""
    return _INVISIBLE.sub("", text) if not text.isascii() else text


def _name_shaped(text: str) -> bool:
    """A few words, no digits, no sentence marks: the shape of a name, whatever its case."""
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60 or text[-1] in ".,:;!?":
        return False
    return not any(char.isdigit() for char in text)


def _capitalised(text: str) -> bool:
    words = text.split()
    if not words[0][0].isupper():
        return False
    return sum(any(char.isupper() for char in word) for word in words) * 2 >= len(words)


def looks_like_name(text: str) -> bool:
    """A person's name on its own: a few capitalised words, no sentence marks."""
    text = visible(text).strip()
    return bool(text) and _name_shaped(text) and _capitalised(text)


def looks_like_name_list(text: str) -> bool:
    """'A · B · C': an author line without its '🔗' (session pages, some HTML layouts)."""
    if len(text) > 600 or not any(mark in text for mark in _MARKS):
        return False  # the cheap test first: most lines are no list of names
    names = split_names(text)
    if len(names) < 2 or not all(_name_shaped(name) for name in names):
        return False
    return sum(_capitalised(name) for name in names) * 2 >= len(names)


def split_names(text: str) -> list[str]:
    """The names of a list, in order, without separators or invisible marks."""
    parts = NAME_SEPARATOR.split(text) if any(mark in text for mark in _MARKS) else [text]
    # str.split() collapses white space as collapse_spaces does (NBSP included), cheaper.
    return [name for name in (" ".join(visible(part).split()) for part in parts) if name]
