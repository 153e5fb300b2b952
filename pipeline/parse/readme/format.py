"""What a README format is: one way of reading a list of papers, for the registry.

The registry (:data:`pipeline.parse.readme.README_FORMATS`) is an ordered list of these, as
markdown-it chains its rules; :func:`pipeline.parse.readme.read_readme` asks them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.models import ReadmeDocument, SourceFormat


def has_cards(document: ReadmeDocument) -> bool:
    return bool(document.items)


@dataclass(frozen=True)
class ReadmeFormat:
    """One reader of README documents of one snapshot format.

    ``read(text, source_id)`` returns the cards and warnings; ``settles(document)`` says
    whether that reading is convincing enough that later formats need not be asked (by
    default: it found cards). Among the readings asked, the one with most cards wins.
    """

    name: str
    reads: SourceFormat
    read: Callable[[str, str], ReadmeDocument]
    settles: Callable[[ReadmeDocument], bool] = has_cards
