"""Synthetic sources at any scale, with the real README's rate of near-identical titles.

Scale ``s``: ``s`` awesome-list READMEs of 500 cards (the awesome-deep-phenomena card format)
and ``3s`` workshop pages of 60 posters (the ICML page-text format). Titles are drawn from
the embedded README's own words (Zipf-ranked as they occur there) plus invented words
whose number grows with the corpus (Heaps' law), so rare words stay rare as at scale.
Papers recur the way the embedded default shows: a workshop poster is a README card
(hyphens lost in the page copy) about one time in six, READMEs share papers, and about
``NEAR_IDENTICAL_RATE`` of titles have a near-identical sibling (a changed word, a typo, a
dropped word) that is another paper or the same one by the same authors.

Deterministic for a given scale and seed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
EMBEDDED_README = PROJECT / "raw" / "003_67aa5497667b379c.txt"
CARDS_PER_README = 500
POSTERS_PER_WORKSHOP = 60
WORKSHOPS_PER_README = 3
# The embedded default: 2 pairs of distinct titles at similarity >= 0.85 among 631
# (the near misses it reports); siblings are made at that rate.
NEAR_IDENTICAL_RATE = 2 / 631
POSTER_IS_CARD = 18 / 106  # workshop mentions that are README cards in the embedded default
SHARED_CARD = 0.2  # a README card another README also lists


@dataclass
class SyntheticPaper:
    title: str
    authors: list[str]
    arxiv_id: str | None


def _words() -> list[str]:
    text = EMBEDDED_README.read_text(encoding="utf-8") if EMBEDDED_README.exists() else ""
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z][a-z]{2,}", text))
    return [word for word, _ in counts.most_common()] or ["learning", "neural", "deep"]


class _Vocabulary:
    def __init__(self, rng: random.Random, papers: int) -> None:
        real = _words()
        invented_count = int(3 * papers**0.6)
        syllables = ["ka", "lo", "mi", "ne", "ra", "tu", "vi", "zo", "ber", "dan", "gor", "pel"]
        invented = {
            "".join(rng.choice(syllables) for _ in range(rng.randint(3, 5)))
            for _ in range(invented_count)
        }
        self.words = real + sorted(invented - set(real))
        # Zipf: the r-th word is drawn with weight 1/r.
        self.cumulative = list(accumulate(1.0 / rank for rank in range(1, len(self.words) + 1)))
        self.rng = rng

    def title(self) -> str:
        count = self.rng.randint(4, 12)
        words: list[str] = []
        while len(words) < count:  # distinct words, as titles have
            word = self.rng.choices(self.words, cum_weights=self.cumulative)[0]
            if word not in words:
                words.append(word)
        return " ".join(words).capitalize()


def _sibling(title: str, rng: random.Random, vocabulary: _Vocabulary) -> str:
    words = title.split()
    change = rng.randrange(3)
    position = rng.randrange(len(words))
    if change == 0:  # a word changed
        words[position] = rng.choice(vocabulary.words[:2000])
    elif change == 1 and len(words[position]) > 3:  # a typo
        word = words[position]
        cut = rng.randrange(1, len(word) - 1)
        words[position] = word[:cut] + word[cut + 1 :]
    elif len(words) > 4:  # a word dropped
        del words[position]
    return " ".join(words)


def _authors(rng: random.Random) -> list[str]:
    first = ["Ana", "Bo", "Chen", "Dana", "Eli", "Femi", "Gita", "Hiro", "Ines", "Jon", "Kai"]
    return [
        f"{rng.choice(first)} {rng.choice('BCDFGHKLMNPRST')}{rng.randrange(10**6):06d}"
        for _ in range(rng.randint(1, 5))
    ]


def synthetic_papers(
    scale: int, seed: int = 14
) -> tuple[list[list[SyntheticPaper]], list[list[SyntheticPaper]]]:
    """(README card lists, workshop poster lists) for ``scale``."""
    rng = random.Random(seed * 1000 + scale)
    total = scale * CARDS_PER_README
    vocabulary = _Vocabulary(rng, total)
    pool: list[SyntheticPaper] = []
    readmes: list[list[SyntheticPaper]] = []
    for _ in range(scale):
        cards: list[SyntheticPaper] = []
        while len(cards) < CARDS_PER_README:
            if pool and rng.random() < SHARED_CARD:
                paper = rng.choice(pool)
            else:
                arxiv = f"{rng.randint(15, 24)}{rng.randint(1, 12):02d}.{rng.randrange(10**5):05d}"
                paper = SyntheticPaper(
                    vocabulary.title(), _authors(rng), arxiv if rng.random() < 0.7 else None
                )
                pool.append(paper)
                if rng.random() < NEAR_IDENTICAL_RATE:
                    same_authors = rng.random() < 0.5
                    sibling = SyntheticPaper(
                        _sibling(paper.title, rng, vocabulary),
                        paper.authors if same_authors else _authors(rng),
                        None,
                    )
                    pool.append(sibling)
            if all(paper.title != card.title for card in cards[-50:]):
                cards.append(paper)
        readmes.append(cards)
    workshops: list[list[SyntheticPaper]] = []
    for _ in range(WORKSHOPS_PER_README * scale):
        posters = []
        for _ in range(POSTERS_PER_WORKSHOP):
            if rng.random() < POSTER_IS_CARD:
                card = rng.choice(pool)
                posters.append(SyntheticPaper(card.title.replace("-", ""), card.authors, None))
            else:
                posters.append(SyntheticPaper(vocabulary.title(), _authors(rng), None))
        workshops.append(posters)
    return readmes, workshops


def readme_markdown(cards: list[SyntheticPaper], index: int) -> str:
    lines = [f"# Awesome Synthetic Papers {index}", "", "## Empirical Study", ""]
    for number, card in enumerate(cards):
        if number % 100 == 0:
            lines += [f"### Empirical Study: {2024 - number // 100}", ""]
        link = (
            f"https://arxiv.org/abs/{card.arxiv_id}" if card.arxiv_id else "https://example.org/p"
        )
        lines += [
            f"- {card.title}. [[paper]]({link})",
            f"  - {', '.join(card.authors)}.",
            "  - Key Word: Synthetic; Benchmark.",
            "  - <details><summary>Digest</summary> A synthetic digest for scale benchmarks.",
            "",
        ]
    return "\n".join(lines) + "\n"


def workshop_text(posters: list[SyntheticPaper]) -> str:
    lines = ["A synthetic workshop for scale benchmarks.", "Sat 9:00 a.m.  9:05 a.m.", ""]
    lines += ["Opening Remarks", "(opening)", "SlidesLive Video » ", "🔗 "]
    for number, poster in enumerate(posters):
        lines += [
            "",
            "",
            poster.title,
            "(Poster)",
            f"[ Visit Poster at Spot A{number} in Virtual World ]",
            "We study a synthetic question and answer it. ",
            f"{' · '.join(poster.authors)} 🔗 ",
        ]
    return "\n".join(lines) + "\n"


def write_sources(folder: Path, scale: int, seed: int = 14) -> int:
    """raw/ and sources.toml for ``scale`` in ``folder``; returns the number of documents."""
    readmes, workshops = synthetic_papers(scale, seed)
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, cards in enumerate(readmes):
        name = f"readme-{index:03d}.md"
        (raw / name).write_text(readme_markdown(cards, index), encoding="utf-8")
        entries.append(
            f'[[source]]\nid = "readme-{index:03d}"\nkind = "readme"\n'
            f'url = "https://example.org/readme-{index:03d}"\nsnapshot = "{name}"\n'
            'format = "markdown"\n'
        )
    for index, posters in enumerate(workshops):
        name = f"workshop-{index:03d}.txt"
        (raw / name).write_text(workshop_text(posters), encoding="utf-8")
        entries.append(
            f'[[source]]\nid = "workshop-{index:03d}"\nkind = "workshop"\n'
            f'url = "https://example.org/workshop-{index:03d}"\nsnapshot = "{name}"\n'
            f'format = "text"\ntitle = "Synthetic Workshop {index}"\nvenue = "ICML 2024"\n'
            'year = 2024\ndate = 2024-07-26\ntimezone = "America/Los_Angeles"\n'
        )
    (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
    return len(entries)
