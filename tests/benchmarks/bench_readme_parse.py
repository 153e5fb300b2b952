"""Benchmark: README -> PaperCards (read_readme, the one format choice every run makes),
against markdown-it-py's own parse of the same text.

Run as ``python tests/benchmarks/bench_readme_parse.py [README.md ...]``; without arguments
it times README@ad1eb52 (the card format) and Awesome-Diffusion-Models (paragraph entries,
read by the general entry reader) from ../shared. Each pair is timed in this process,
interleaved, and the medians compared; the goal is a ratio of at most 1.5 for each. The card
format caches parsed sections (re-parsing a snapshot is nearly free), so every timed run
starts from an empty cache; the cached figure is printed for information.
Exits 2 when a README is absent (the shared corpus is not beside the project), 1 when a
ratio misses the goal.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.models import SourceFormat
from pipeline.parse.readme import clear_parse_caches, read_readme

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
READMES = [
    CORPUS / "awesome-deep-phenomena" / "README@ad1eb52-2025-01-07.md",
    CORPUS / "lists" / "Awesome-Diffusion-Models" / "README.md",
]
RUNS = 7
GOAL = 1.5


def _seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _read(text: str) -> int:
    return len(read_readme(text, "bench", SourceFormat.markdown).document.items)


def bench(path: Path) -> float:
    """Print the figures for one README and return its ratio."""
    text = path.read_text(encoding="utf-8")
    markdown_it = MarkdownIt()
    cards = _read(text)  # warm-up (imports, regex compilation)
    markdown_it.parse(text)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(RUNS):  # interleaved, so machine load hits both alike
        clear_parse_caches()
        ours.append(_seconds(lambda: _read(text)))
        theirs.append(_seconds(lambda: markdown_it.parse(text)))
    cached = statistics.median(_seconds(lambda: _read(text)) for _ in range(3))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    ratio = ours_median / theirs_median
    print(f"{path.parent.name}/{path.name}: {len(text):,} chars, {cards} cards, median of {RUNS}")
    print(f"  read_readme             {ours_median * 1000:8.1f} ms")
    print(f"  MarkdownIt().parse      {theirs_median * 1000:8.1f} ms")
    print(f"  ratio                   {ratio:8.2f}x  (goal <= {GOAL}x)")
    print(f"  (same text again, card sections cached: {cached * 1000:.1f} ms)")
    return ratio


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv[1:]] or READMES
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(f"{missing[0]} is absent: the shared corpus (../shared) is not beside the project")
        return 2
    ratios = [bench(path) for path in paths]
    return 0 if all(ratio <= GOAL for ratio in ratios) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
