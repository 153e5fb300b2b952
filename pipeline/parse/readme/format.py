"""What a README format is: one way of reading paper entries, section by section.

The registry (:data:`pipeline.parse.readme.README_FORMATS`) is an ordered list of these, as
markdown-it chains its rules. :func:`pipeline.parse.readme.read_as` asks them in order; each
reads the sections the formats before it have not settled and scores its reading of every
section, and the best reading of each section wins. A document may so mix cards, tables
and citations: each section is read by the format that reads it best.

A section is keyed by the 1-based line of the markdown heading that opens it (0 for what
comes before the first heading), so readings by different formats of one text line up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.core.ids import disambiguate, title_key_id
from pipeline.models import PaperCard, ParseWarning, ReadmeDocument, SourceFormat

# The heading lines of the sections a format need not read (settled by an earlier one).
Settled = frozenset[int]


@dataclass(frozen=True)
class SectionReading:
    """One format's reading of one section: its cards, its warnings and how good it is.

    Each card's ``id`` is its title's key (``title_key_id('card', title)``); ids are made
    unique ('-2', '-3') once the sections are chosen, over the whole document.

    ``score`` is the sum of its cards' qualities (:func:`pipeline.parse.readme.quality.
    card_quality`); ``settled`` says the reading is convincing enough that later formats
    need not read the section at all.
    """

    line: int
    cards: tuple[PaperCard, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()
    score: float = 0.0
    settled: bool = False


@dataclass(frozen=True)
class FormatReading:
    """A format's reading of a document: its sections, its title and what it says overall.

    ``warnings`` are about the whole document (why it found nothing); they are kept only
    when no format finds a card anywhere.
    """

    sections: tuple[SectionReading, ...] = ()
    title: str | None = None
    warnings: tuple[ParseWarning, ...] = field(default=())


@dataclass(frozen=True)
class ReadmeFormat:
    """One reader of README documents of one snapshot format.

    ``read(text, source_id, settled)`` reads every section whose heading line is not in
    ``settled``; cards may carry any id (ids are given once the sections are chosen).
    """

    name: str
    reads: SourceFormat
    read: Callable[[str, str, Settled], FormatReading]


def kept_card_at(card: PaperCard, line: int | None) -> PaperCard:
    """A card a format keeps for the next snapshot, handed out at ``line``: a copy whose
    lists and links are its own, so a caller that changes it never changes the kept one."""
    provenance = card.provenance.model_copy(update={"line": line})
    return card.model_copy(
        update={
            "provenance": provenance,
            "authors": [*card.authors],
            "keywords": [*card.keywords],
            "links": [link.model_copy() for link in card.links],
        }
    )


def with_card_ids(cards: Sequence[PaperCard], *, keyed: bool = True) -> list[PaperCard]:
    """Cards with their record ids: the title's key, '-2', '-3'... for repeats, in order.

    ``keyed``: each card's id already is its title's key (as in a SectionReading).
    """
    keys = [card.id if keyed else title_key_id("card", card.title) for card in cards]
    ids = disambiguate(keys)
    return [
        card if card.id == card_id else card.model_copy(update={"id": card_id})
        for card, card_id in zip(cards, ids, strict=True)
    ]


def assemble(
    sections: Sequence[SectionReading],
    title: str | None,
    overall: Sequence[ParseWarning] = (),
) -> ReadmeDocument:
    """One document from section readings (in document order): cards with their ids, the
    sections' warnings by line, and, when no section has a card, ``overall``."""
    cards = with_card_ids([card for section in sections for card in section.cards])
    warnings = sorted(
        (warning for section in sections for warning in section.warnings),
        key=lambda warning: warning.line or 0,
    )
    if not cards:
        warnings.extend(overall)
    return ReadmeDocument(title=title, items=cards, warnings=warnings)
