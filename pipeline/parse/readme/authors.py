"""Author lists: the one way a README's author text becomes names.

Rules, in order: the text is cut at ``,`` ``;`` ``&`` ``and`` (and line breaks, which a
caller turns into commas); ``et al.`` is a flag, not a name; surname-first forms
(``Vaswani, A., Shazeer, N.`` and ``Smith, John and Doe, Jane``) are turned round. Nothing
here knows about markdown.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NAME_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+and\s+|\s*&\s*")
_GROUP_SEPARATORS = re.compile(r"\s*;\s*|\s+and\s+|\s*&\s*")
_ET_AL = re.compile(r"^(?:and\s+)?et\.?\s*al\.?$", re.IGNORECASE)
_TRAILING_ET_AL = re.compile(r"[\s,]+et\.?\s*al\.?\s*$", re.IGNORECASE)
_HAS_WORD_CHAR = re.compile(r"\w")
# 'J.', 'J. R.', 'J.-P.', 'JR' (initials written without periods, as citation styles do)
_INITIALS = re.compile(r"^(?:[A-Z]\.?(?:\s*-\s*[A-Z]\.?)?\s*){1,4}$")
_CAPITALISED = re.compile(r"^[A-Z][\w'’\-]*$")


class Names(NamedTuple):
    """The names of an author list and whether it ended in 'et al.' (more authors)."""

    names: list[str]
    et_al: bool = False


def is_initial(token: str) -> bool:
    """'T', 'C.Y', 'J.-P' are initials (so the '. ' after them is not a sentence end)."""
    letters = [ch for ch in token if ch not in ".-"]
    if not letters or not all(ch.isalpha() and ch.isupper() for ch in letters):
        return False
    return len(letters) == 1 or (len(letters) <= 3 and ("." in token or "-" in token))


def _strip_final_period(body: str) -> str:
    """'A, B.' -> 'A, B'; a final initial keeps its period ('Weinan E.' stays)."""
    if body.endswith(".") and not is_initial(body[:-1].rsplit(None, 1)[-1] if body[:-1] else ""):
        return body[:-1]
    return body


def _turned(surname: str, given: str) -> str:
    return f"{given.strip()} {surname.strip()}"


def _surname_first(body: str) -> list[str] | None:
    """Names written surname first, turned round; None when the text is not so written.

    'Vaswani, A., Shazeer, N.' (every second part initials) and 'Smith, John and Doe, Jane'
    (groups joined by 'and' / ';' / '&', each 'Surname, Given'). A lone 'Smith, John' stays
    two names: it cannot be told from 'Ann Smith, Bo Li'.
    """
    parts = [part.strip() for part in body.split(",")]
    if len(parts) >= 2 and len(parts) % 2 == 0:
        pairs = list(zip(parts[::2], parts[1::2], strict=True))
        if all(
            _INITIALS.match(given) and _CAPITALISED.match(surname.split()[-1] if surname else "")
            for surname, given in pairs
        ):
            return [_turned(surname, given) for surname, given in pairs]
    if len(parts) >= 4 and len(parts) % 2 == 0 and all(_CAPITALISED.match(p) for p in parts):
        # 'Chen, Haoxing, Xu, Zhuoer': one word each, surname then given name
        return [
            _turned(surname, given) for surname, given in zip(parts[::2], parts[1::2], strict=True)
        ]
    groups = [group for group in _GROUP_SEPARATORS.split(body) if group.strip()]
    if len(groups) >= 2 and all(group.count(",") == 1 for group in groups):
        turned = [group.split(",") for group in groups]
        if all(
            surname.strip() and given.strip() and len(surname.split()) <= 3
            for surname, given in turned
        ):
            return [_turned(surname, given) for surname, given in turned]
    return None


def split_names(text: str) -> Names:
    """'A, B and C et al.' -> Names(['A', 'B', 'C'], et_al=True)."""
    body = _strip_final_period(" ".join(text.split()))
    et_al = False
    trailing = _TRAILING_ET_AL.search(body)
    if trailing is not None:
        body, et_al = body[: trailing.start()], True
    turned = _surname_first(body) if "," in body else None
    if turned is not None:
        return Names(turned, et_al)
    names = []
    for part in _NAME_SEPARATORS.split(body):
        name = part.strip().strip(",;").strip()
        if not name or not _HAS_WORD_CHAR.search(name):
            continue
        if _ET_AL.match(name):
            et_al = True
            continue
        names.append(name)
    return Names(names, et_al)
