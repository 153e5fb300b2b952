"""How good a reading is: titles that look like titles, authors that look like names.

Every README format scores its reading of a section with :func:`card_quality` summed over
its cards, so readings by different formats compare: a reading whose titles still carry a
venue tag, a bracket or markup, or whose 'authors' are a sentence, loses to one that got
them right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pipeline.models import PaperCard
from pipeline.parse.readme.venues import is_venue_tag, looks_like_leading_tag

MAX_TITLE_CHARS = 400
MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 6

_HAS_LETTER = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = re.compile(r"\d|@|://")
_ELIDED_PARTICLE = re.compile(r"^[a-z]{1,2}['’][A-Z]")  # d'Ascoli, l'Huillier
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# A '(NeurIPS'21) ', '[ICML 2020] ' left in front of the title, or after it.
_LEADING_BRACKET = re.compile(r"^[\(\[](?P<tag>[^\)\]]{1,60})[\)\]]\s")
_TRAILING_BRACKET = re.compile(r"[\(\[](?P<tag>[^\(\)\[\]]{1,60})[\)\]]$")
_LEADING_NUMBER = re.compile(r"^(?:\d{1,4}[.)]\s|\[\d{1,4}\])")
_MARKUP_LEFT = re.compile(r"\*\*|__|\[\[|\]\]|\]\(|</?[a-zA-Z][^<>]*>|:[a-z0-9_+\-]+:|&[a-z]+;")
# What a citation's other fields leave in a title: 'et al.', '"Title". Authors'.
_CITATION_LEFT = re.compile(r"\bet\.?\s+al\b|[\"”]\.\s|\.[\"”]\s", re.IGNORECASE)
_OPEN_END = re.compile(r"[\-–—|:,;(\[/]$")
_LINK_LABELS = frozenset(
    {"paper", "pdf", "code", "link", "arxiv", "project", "website", "github", "html", "doi"}
)
# Capitalised words of titles and tool descriptions that are no one's name (lower-case words
# are refused anyway, particles such as 'van' or 'de' aside).
_NOT_NAME_WORDS = frozenset(
    {"learning", "model", "models", "network", "networks", "neural", "paper", "survey"}
    | {"toolbox", "library", "framework", "benchmark", "benchmarks", "dataset", "datasets"}
    | {"official", "implementation", "analysis", "language", "towards", "using", "via", "the"}
    | {"image", "images", "video", "videos", "text", "graph", "graphs", "data", "attention"}
    | {"transformer", "transformers", "diffusion", "generative", "adversarial", "robust"}
    | {"training", "inference", "vision", "visual", "segmentation", "detection", "synthesis"}
    | {"classification", "generation", "editing", "reasoning", "agent", "agents", "large"}
    | {"efficient", "scalable", "beyond", "unified", "universal", "zero", "shot", "multi"}
    | {"multimodal", "knowledge", "question", "answering", "retrieval", "prompt", "tuning"}
    | {"understanding", "evaluation", "system", "systems", "method", "methods", "approach"}
    | {"theory", "study", "review", "overview", "introduction", "tutorial", "federated"}
    | {"privacy", "fairness", "interpretability", "explainable", "causal", "bayesian"}
    | {"stochastic", "gradient", "descent", "kernel", "tangent", "energy", "matching"}
    | {"sampling", "autoencoder", "autoencoders", "encoder", "decoder", "motion", "speech"}
    | {"audio", "music", "medical", "molecular", "protein", "scene", "object", "objects"}
    | {"pose", "control", "guidance", "aware", "based", "driven", "guided", "deep", "and"}
)
# Word endings of English nouns and adjectives that no name has (words of 7 letters or more).
_NOT_NAME_ENDINGS = (
    *("tion", "tions", "sion", "ness", "ity", "ities"),
    *("ology", "ization", "izations", "ative", "ables", "ically"),
)
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "dos"}
    | {"das", "bin", "ibn", "al", "el", "y", "zu", "ter", "ten", "af", "e", "st", "des", "do"}
    | {"dei", "degli", "delle", "van't", "ter", "op", "het"}
)


def looks_like_title(title: str) -> bool:
    """A paper title, not a venue tag, a numbering, a link label, markup or a URL."""
    text = title.strip()
    if not 2 <= len(text) <= MAX_TITLE_CHARS or not _HAS_LETTER.search(text):
        return False
    if _BARE_URL.match(text) or text.casefold() in _LINK_LABELS:
        return False
    if _LEADING_NUMBER.match(text):
        return False
    leading = _LEADING_BRACKET.match(text)
    if leading is not None and looks_like_leading_tag(leading.group("tag")):
        return False
    trailing = _TRAILING_BRACKET.search(text)
    if trailing is not None and is_venue_tag(trailing.group("tag")):
        return False
    if _MARKUP_LEFT.search(text) or _OPEN_END.search(text) or _CITATION_LEFT.search(text):
        return False
    return not text.startswith(("*", "_", "#", "|", ">", "!"))


@lru_cache(maxsize=65536)
def looks_like_name(name: str) -> bool:
    """'Jordan T. Ash', 'Stephanie C.Y. Chan', 'Ludwig van Beethoven', '王小明'."""
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or len(name) > MAX_NAME_CHARS:
        return False
    if _NOT_IN_NAMES.search(name):
        return False
    for word in words:
        bare = word.strip(".,()'’\"")
        if not bare:
            continue
        lowered = bare.casefold()
        if len(bare) > 1 and lowered in _NOT_NAME_WORDS:
            return False
        if len(bare) >= 7 and lowered.endswith(_NOT_NAME_ENDINGS):
            return False
        first = bare[0]
        if (
            first.isalpha()
            and first.islower()
            and lowered not in _PARTICLES
            and not _ELIDED_PARTICLE.match(bare)
        ):
            return False
    return True


def looks_like_names(names: Sequence[str], *, share: float = 0.8) -> bool:
    """Most of an author list looks like names (by default one odd entry in five is
    forgiven; a line set apart as authors, in italics, may ask for less)."""
    if not names:
        return False
    good = sum(looks_like_name(name) for name in names)
    return good >= share * len(names)


def card_quality(card: PaperCard) -> float:
    """1 for a title-like title with name-like authors (or none), 0.5 with odd authors, 0
    for a title that is not one."""
    return _quality(card.title, tuple(card.authors))


@lru_cache(maxsize=16384)  # every section of every snapshot is scored by each format
def _quality(title: str, authors: tuple[str, ...]) -> float:
    if not looks_like_title(title):
        return 0.0
    if authors and not looks_like_names(authors):
        return 0.5
    return 1.0


def reading_score(cards: Sequence[PaperCard]) -> float:
    """The score of a section's reading: its cards' qualities, summed."""
    return sum(card_quality(card) for card in cards)
