"""Candidate blocking for the fuzzy title pass: similar titles without comparing every pair.

Comparing every pair of distinct titles costs n² (43,520 mentions: 95 s). Two titles similar
enough to be one paper, or a near miss, share the words that make them distinctive, so each
title is only compared with the titles that hold one of its rarest tokens:

- a title's *tokens* are its words cut to ``STEM_LENGTH`` characters (so inflections and
  spelling variants meet: 'theory' / 'theories', 'generalization' / 'generalisation') and
  each pair of adjacent stems (rarer than either stem: 'deep learn', 'learn theor');
- its *probes* are its ``PROBES`` rarest tokens that another title holds too, leaving out
  the tokens more than ``COMMON_TOKEN_TITLES`` titles hold: they say little, and would make
  a title's candidates grow with the corpus;
- its candidates are the titles holding one of its probes, so candidates per title are
  bounded (``PROBES * COMMON_TOKEN_TITLES``). A word changed, added or dropped removes at
  most one stem and two stem pairs of a title from the other, so a title with two stem
  probes, or three pair probes, always finds a title one word away (and is found by it);
- the other, *weak* titles (one or two words, or only the most common ones) may miss each
  other through their probes, so each weak title is also compared with every weak title
  of a length that can reach the cutoff.

The cost is the index (linear in the words), the candidates and the sorted pairs: near
n log n. :func:`all_pairs` is the exhaustive reference: tests check that both find the
same pairs, merges and near misses on the embedded default and the README's history.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import pairwise

from rapidfuzz import fuzz, process

STEM_LENGTH = 5
PROBES = 4
COMMON_TOKEN_TITLES = 200

# (row, other, ratio) with row < other, sorted: what the fuzzy pass walks, in this order.
SimilarPairs = list[tuple[int, int, float]]
PairFinder = Callable[[Sequence[str], float], SimilarPairs]


def title_tokens(title: str) -> set[str]:
    """What a normalised title is indexed under: its word stems and adjacent stem pairs."""
    stems = [word[:STEM_LENGTH] for word in title.split()]
    return {*stems, *(f"{a} {b}" for a, b in pairwise(stems))}


def blocked_pairs(titles: Sequence[str], cutoff: float) -> SimilarPairs:
    """Pairs of titles whose ``fuzz.ratio`` is at least ``cutoff``: the same pairs as
    :func:`all_pairs`, comparing each title with its candidates only."""
    tokens = [title_tokens(title) for title in titles]
    holders: dict[str, list[int]] = defaultdict(list)
    for index, own in enumerate(tokens):
        for token in own:
            holders[token].append(index)
    found: set[tuple[int, int, float]] = set()

    def compare(index: int, choices: list[str], positions: Sequence[int]) -> None:
        hits = process.extract(
            titles[index], choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        for _, score, at in hits:
            other = positions[at]
            if other != index:
                found.add((index, other, score) if index < other else (other, index, score))

    held = {token: len(indexes) for token, indexes in holders.items()}
    weak = []
    for index, own in enumerate(tokens):
        probes = _probes(own, held)
        if not _survives_an_edit(probes):
            weak.append(index)
        if probes:
            # One C++ call per title over all its candidates: rapidfuzz's per-call cost is
            # what a call per probe would multiply.
            candidates = list(set().union(*(holders[token] for token in probes)))
            compare(index, list(map(titles.__getitem__, candidates)), candidates)
    # Two weak titles one word apart may miss each other through their probes; a weak and
    # a strong one meet through the strong one's. So weak titles meet every weak title of
    # a length that can reach the cutoff.
    weak.sort(key=lambda index: len(titles[index]))
    lengths = [len(titles[index]) for index in weak]
    weak_titles = [titles[index] for index in weak]
    for index in weak:
        low, high = _length_window(lengths, len(titles[index]), cutoff)
        compare(index, weak_titles[low:high], weak[low:high])
    return sorted(found)


def _probes(own: set[str], held: dict[str, int]) -> list[str]:
    """A title's rarest tokens that another title holds too, common ones left out."""
    ranked = sorted((held[token], token) for token in own if 1 < held[token] <= COMMON_TOKEN_TITLES)
    return [token for _, token in ranked[:PROBES]]


def _survives_an_edit(probes: list[str]) -> bool:
    """Whether a word changed, added or dropped leaves one of the probes in the other title.

    An edit removes at most one stem and two stem pairs: two stems, or three pairs, survive.
    """
    pairs = sum(1 for token in probes if " " in token)
    return len(probes) - pairs >= 2 or pairs >= 3


def _length_window(lengths: list[int], length: int, cutoff: float) -> tuple[int, int]:
    """Positions in ``lengths`` (sorted) of the titles whose length allows the cutoff.

    ``fuzz.ratio`` is 2·LCS / (a + b) and LCS <= the shorter length, so a ratio of c needs
    the shorter title at least c / (2 - c) of the longer.
    """
    share = cutoff / 100 / (2 - cutoff / 100)
    low = math.ceil(length * share - 1e-9)
    high = math.floor(length / share + 1e-9) if share else max(lengths, default=0)
    return bisect.bisect_left(lengths, low), bisect.bisect_right(lengths, high)


def all_pairs(titles: Sequence[str], cutoff: float) -> SimilarPairs:
    """The reference: every pair compared (rapidfuzz's C++ over each row's later titles)."""
    found: SimilarPairs = []
    for row, title in enumerate(titles):
        hits = process.extract(
            title, titles[row + 1 :], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        found.extend((row, row + 1 + offset, score) for _, score, offset in hits)
    return sorted(found)


class RememberedPairs:
    """A pair finder that remembers its last answer.

    The pairs depend on the titles only, and a refresh links the same titles twice (before
    enrichment, and after it, since arXiv may show two titles are one paper): passing one
    instance to both links finds the pairs once.
    """

    def __init__(self, find: PairFinder = blocked_pairs) -> None:
        self.find = find
        self.searches = 0
        self._last: tuple[list[str], float, SimilarPairs] | None = None

    def __call__(self, titles: Sequence[str], cutoff: float) -> SimilarPairs:
        if self._last is not None and self._last[1] == cutoff and self._last[0] == titles:
            return self._last[2]
        self.searches += 1
        pairs = self.find(titles, cutoff)
        self._last = (list(titles), cutoff, pairs)
        return pairs
