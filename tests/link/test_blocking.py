"""Candidate blocking finds what comparing every pair finds, at bounded cost per title."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import process

from pipeline.core.settings import Settings
from pipeline.core.text import normalise_title
from pipeline.kinds import kind_of
from pipeline.link import blocking
from pipeline.link.blocking import all_pairs, blocked_pairs
from pipeline.link.papers import LinkResult, Mention, link_papers
from pipeline.models import Appearance, AppearanceKind
from pipeline.run import steps
from pipeline.run.replay import parse_historical
from pipeline.sources.config import load_sources
from pipeline.sources.history import read_history
from tests.benchmarks.synthetic import synthetic_papers
from tests.conftest import HISTORY_TARBALL, PROJECT_DIR, require

CUTOFF = 80.0  # the fuzzy pass's: NEAR_MISS_SCORE * 100 - 5


def embedded_mentions(tmp_path: Path) -> list[Mention]:
    settings = Settings(
        sources_file=PROJECT_DIR / "sources.toml",
        raw_dir=PROJECT_DIR / "raw",
        processed_dir=tmp_path / "processed",
        state_dir=tmp_path / "state",
        offline=True,
    )
    bundles = [
        steps.parse_snapshot(snapshot)
        for snapshot in (
            steps.take_snapshot(s, settings) for s in load_sources(PROJECT_DIR / "sources.toml")
        )
        if not isinstance(snapshot, str)
    ]
    return [mention for bundle in bundles for mention in kind_of(bundle).mentions(bundle)]


def card_mention(source: str, record_id: str, title: str, authors: list[str]) -> Mention:
    appearance = Appearance(
        source_id=source, record_id=record_id, kind=AppearanceKind.readme_card, title=title
    )
    return Mention(appearance=appearance, title=title, authors=authors)


def dumped(result: LinkResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        [paper.model_dump() for paper in result.papers],
        [miss.model_dump() for miss in result.near_misses],
    )


def distinct_titles(mentions: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(key for key in (normalise_title(m.title) for m in mentions) if key))


def test_the_embedded_default_links_exactly_as_comparing_every_pair(tmp_path: Path) -> None:
    mentions = embedded_mentions(tmp_path)
    titles = distinct_titles(mentions)
    assert blocked_pairs(titles, CUTOFF) == all_pairs(titles, CUTOFF)
    blocked, reference = link_papers(mentions), link_papers(mentions, all_pairs)
    assert dumped(blocked) == dumped(reference)
    assert reference.near_misses  # the comparison covers near misses, not only merges


def test_a_sample_of_the_readme_history_links_exactly_as_comparing_every_pair() -> None:
    # Every 38th of the 380 versions as a source of its own: the history's title edits,
    # typo fixes and reworded cards are the near-identical titles linking must get right.
    mentions = [
        card_mention(f"v{position:04d}", card.id, card.title, card.authors)
        for position, version in enumerate(
            islice(read_history(require(HISTORY_TARBALL)), 0, None, 38)
        )
        for card in parse_historical(version, "history").items
    ]
    assert len(mentions) > 2500
    titles = distinct_titles(mentions)
    assert blocked_pairs(titles, CUTOFF) == all_pairs(titles, CUTOFF)
    assert dumped(link_papers(mentions)) == dumped(link_papers(mentions, all_pairs))


def test_synthetic_titles_with_many_near_identical_siblings_give_the_same_pairs() -> None:
    readmes, workshops = synthetic_papers(4, seed=3)
    rng = random.Random(5)
    titles = [paper.title for cards in readmes + workshops for paper in cards]
    # Ten times the real rate of near-identical titles: a word changed, dropped or added.
    for title in rng.sample(titles, 300):
        words = title.split()
        position = rng.randrange(len(words))
        edit = rng.randrange(3)
        if edit == 0:
            words[position] = rng.choice(titles).split()[0]
        elif edit == 1 and len(words) > 3:
            del words[position]
        else:
            words.insert(position, "novel")
        titles.append(" ".join(words))
    keys = distinct_titles([card_mention("s", str(i), t, []) for i, t in enumerate(titles)])
    reference = all_pairs(keys, CUTOFF)
    assert len(reference) > 200
    assert blocked_pairs(keys, CUTOFF) == reference


def test_titles_one_word_apart_meet_even_when_all_their_words_are_common() -> None:
    # 'learning', 'deep', 'neural', 'networks' are held by every title: no probe there.
    titles = [f"deep learning {i} neural networks" for i in range(400)]
    titles += ["deep learning theory neural networks", "deep learning theories neural networks"]
    titles += ["grokking", "grokkin"]  # one word: compared by length, not by tokens
    found = {(titles[a], titles[b]) for a, b, _ in blocked_pairs(titles, CUTOFF)}
    assert (
        "deep learning theory neural networks",
        "deep learning theories neural networks",
    ) in found
    assert ("grokking", "grokkin") in found
    assert blocked_pairs(titles, CUTOFF) == all_pairs(titles, CUTOFF)


def test_candidates_per_title_stay_bounded_however_many_titles_share_a_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(3000)]
    titles = [" ".join(["learning", *rng.sample(vocabulary, 6)]) for _ in range(3000)]
    compared: dict[str, int] = {}
    extract = process.extract

    def counting(query: str, choices: Sequence[str], **kwargs: Any) -> Any:
        compared[query] = compared.get(query, 0) + len(choices)
        return extract(query, choices, **kwargs)

    monkeypatch.setattr(blocking.process, "extract", counting)
    blocked_pairs(titles, CUTOFF)
    bound = blocking.PROBES * blocking.COMMON_TOKEN_TITLES
    # Titles with too few shared rare tokens are compared by length instead: a few only.
    beyond = [count for count in compared.values() if count > bound]
    assert len(beyond) <= len(titles) // 100
    assert sum(compared.values()) < len(titles) ** 2 / 20
