"""Benchmark: README@ad1eb52 -> PaperCards, against markdown-it-py's own parse of the same text.

Run as ``python tests/benchmarks/bench_readme_parse.py [README.md]``. Both are timed in this
process, interleaved, and the medians compared; the goal is a ratio of at most 1.5. The parser
caches parsed sections (re-parsing a snapshot is nearly free), so every timed run starts from
an empty cache; the cached figure is printed for information.
Exits 2 when the README is absent (the shared corpus is not beside the project), 1 when the
ratio misses the goal.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.parse.readme.cards import clear_parse_cache, parse_readme_markdown

README = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "corpus"
    / "awesome-deep-phenomena"
    / "README@ad1eb52-2025-01-07.md"
)
RUNS = 9
GOAL = 1.5


def _seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else README
    if not path.exists():
        print(f"{path} is absent: the shared corpus (../shared) is not beside the project")
        return 2
    text = path.read_text(encoding="utf-8")
    markdown_it = MarkdownIt()
    cards = len(parse_readme_markdown(text).items)  # warm-up (imports, regex compilation)
    markdown_it.parse(text)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(RUNS):  # interleaved, so machine load hits both alike
        clear_parse_cache()
        ours.append(_seconds(lambda: parse_readme_markdown(text)))
        theirs.append(_seconds(lambda: markdown_it.parse(text)))
    cached = statistics.median(_seconds(lambda: parse_readme_markdown(text)) for _ in range(RUNS))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    ratio = ours_median / theirs_median
    print(f"{path.name}: {len(text):,} chars, {cards} cards, median of {RUNS} runs")
    print(f"  parse_readme_markdown   {ours_median * 1000:8.1f} ms")
    print(f"  MarkdownIt().parse      {theirs_median * 1000:8.1f} ms")
    print(f"  ratio                   {ratio:8.2f}x  (goal <= {GOAL}x)")
    print(f"  (same text again, from the section cache: {cached * 1000:.1f} ms)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
