"""Parse times of workshop/session pages.

Run as ``python tests/benchmarks/bench_schedule_parse.py``. Prints, for each seed capture,
the median time of ``parse_schedule_text``; then, for a ~10 MB HTML workshop page built
here, the median times of lxml's own parse, of the visible-line pass and of
``parse_schedule_html``, and their ratio to lxml's parse (same process, same input).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.models import Source  # noqa: E402
from pipeline.parse.events.html_lines import html_lines  # noqa: E402
from pipeline.parse.events.schedule import parse_schedule_html, parse_schedule_text  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
CAPTURES = ("000_9da80035aa0ccbc3.txt", "001_dca7463950b001f7.txt", "002_018b3c99b71c7c41.txt")
SOURCE = Source(
    id="bench",
    kind="workshop",
    url="https://icml.cc/virtual/2023/workshop/1",
    date=date(2023, 7, 28),
    timezone="America/Los_Angeles",
)
TARGET_BYTES = 10 * 1024 * 1024


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def workshop_page(target_bytes: int) -> str:
    """A workshop page in the virtual site's structure: timed talks, then many posters."""
    head = (
        "<!DOCTYPE html><html><head><title>Workshop</title>"
        "<script>window.config = {slots: ['Fri 9:00 a.m.']};</script>"
        "<style>td{padding:0}</style></head><body><nav><ul><li><a href='/'>Home</a></li>"
        "</ul></nav><main class='container'><div class='abstract'><p>A workshop about "
        "learning dynamics.</p></div><table class='table'><tbody>\n"
    )
    tail = "</tbody></table></main><footer>© conference</footer></body></html>\n"
    abstract = " ".join(["We study the dynamics of gradient descent in high dimensions."] * 8)
    rows: list[str] = []
    size = len(head) + len(tail)
    number = 0
    while size < target_bytes:
        number += 1
        if number % 50 == 1:
            hour = 9 + (number // 50) % 8
            time_cell = f"Fri {hour}:00 a.m. - {hour}:45 a.m."
            kind = "Invited Talk"
        else:
            time_cell, kind = "-", "Poster"
        authors = " · ".join(
            f"<span class='author'>Author{chr(65 + (number + k) % 26)} Name{k}</span>"
            for k in range(4)
        )
        row = (
            f"<tr><td class='time-cell'><nobr>{escape(time_cell)}</nobr></td><td><div "
            f"class='d-flex flex-column'><div class='title'><strong><a href="
            f"'https://openreview.net/forum?id=p{number}'>Paper number {number} on learning "
            f"dynamics</a></strong></div><div>(<span class='badge'>{kind}</span>)</div>"
            f"<div class='abstract'><a href='https://slideslive.com/{number}'>SlidesLive "
            f"Video</a> » {abstract}</div><div class='authors'>{authors} <a href="
            f"'/virtual/2023/poster/{number}' title='permalink'>🔗</a></div></div></td></tr>\n"
        )
        rows.append(row)
        size += len(row.encode("utf-8"))
    return head + "".join(rows) + tail


def main() -> None:
    print("captures (parse_schedule_text, median of 9):")
    for name in CAPTURES:
        path = SEEDS / name
        if not path.is_file():
            print(f"  {name}: absent, skipped")
            continue
        text = path.read_text(encoding="utf-8")
        seconds = median_seconds(lambda: parse_schedule_text(text, SOURCE), 9)  # noqa: B023
        items = len(parse_schedule_text(text, SOURCE).items)
        print(f"  {name}: {len(text) / 1024:7.1f} KiB, {items:3d} items, {seconds * 1000:7.2f} ms")

    page = workshop_page(TARGET_BYTES)
    data = page.encode("utf-8")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    repeats = 5
    lxml_s = median_seconds(lambda: etree.fromstring(data, parser=parser), repeats)
    lines_s = median_seconds(lambda: html_lines(page), repeats)
    parse_s = median_seconds(lambda: parse_schedule_html(page, SOURCE), repeats)
    items = len(parse_schedule_html(page, SOURCE).items)
    print(f"generated HTML workshop page: {len(data) / 2**20:.1f} MiB, {items} items")
    print(f"  lxml parse (etree.fromstring):  {lxml_s * 1000:8.1f} ms  (1.0x)")
    print(f"  html_lines (visible lines):     {lines_s * 1000:8.1f} ms  ({lines_s / lxml_s:.1f}x)")
    print(f"  parse_schedule_html (records):  {parse_s * 1000:8.1f} ms  ({parse_s / lxml_s:.1f}x)")


if __name__ == "__main__":
    main()
