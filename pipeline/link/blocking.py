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
  most three of a title's tokens (its stem and two pairs) from the other title, so with
  ``MIN_PROBES`` (4) probes a title always finds a title one word away; a pair is found
  from either side;
- a title with fewer probes (one or two words, or only the most common ones) is compared
  with every title of a length that can reach the cutoff instead.

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
PROBES = 6
MIN_PROBES = 6
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
    by_length = sorted(range(len(titles)), key=lambda index: len(titles[index]))
    lengths = [len(titles[index]) for index in by_length]
    titles_by_length = [titles[index] for index in by_length]
    blocks: dict[str, list[str]] = {}  # a probed token's titles, for rapidfuzz's C++ loop
    found: set[tuple[int, int, float]] = set()

    def compare(index: int, choices: list[str], positions: Sequence[int]) -> None:
        hits = process.extract(
            titles[index], choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        for _, score, at in hits:
            other = positions[at]
            if other != index:
                found.add((index, other, score) if index < other else (other, index, score))

    for index, own in enumerate(tokens):
        probes = sorted(
            (len(holders[token]), token)
            for token in own
            if 1 < len(holders[token]) <= COMMON_TOKEN_TITLES
        )[:PROBES]
        if len(probes) < MIN_PROBES:
            low, high = _length_window(lengths, len(titles[index]), cutoff)
            compare(index, titles_by_length[low:high], by_length[low:high])
            continue
        for _, token in probes:
            if token not in blocks:
                blocks[token] = [titles[other] for other in holders[token]]
            compare(index, blocks[token], holders[token])
    return sorted(found)


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
