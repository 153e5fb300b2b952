"""Parse times of event pages, as ratios to lxml's own parse of the same HTML.

Run as ``python tests/benchmarks/bench_schedule_parse.py``. Prints, for each seed capture,
the median time of ``parse_schedule_text``; then, for pages generated here, the median time
of lxml's own parse and of reading the page into records, and their ratio (same process,
same input, each pair run back to back; the goal is at most 5x for the page templates):

* a listing of 5,000 cards (the listing-cards template);
* a workshop schedule of 2,000 rows, most of them '→' posters (the schedule-rows template);
* a ~10 MB workshop page in the older layout (the line grammar: visible lines, then records).

Each also prints the time of validating its finished records again and nothing else: the
floor of any reader that gives pydantic records, whatever it does before.
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

from pipeline.models import ScheduleItem, Source, SourceFormat  # noqa: E402
from pipeline.parse.events import read_event_page  # noqa: E402
from pipeline.parse.events.html_lines import html_lines  # noqa: E402
from pipeline.parse.events.page import HtmlPage  # noqa: E402
from pipeline.parse.events.records import build_document  # noqa: E402
from pipeline.parse.events.schedule import parse_schedule_html, parse_schedule_text  # noqa: E402
from pipeline.parse.events.templates import PAGE_TEMPLATES  # noqa: E402
from tests.parse.events.virtual_site import Card, Row, listing_page, schedule_rows_page  # noqa: E402

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
    """CPU seconds of this process: other work on a shared machine does not count."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
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


def generated_listing(cards: int) -> str:
    kinds = ("Poster", "Spotlight Poster", "Oral")
    return listing_page(
        [
            Card(
                70000 + number,
                f"Paper number {number} on the dynamics of learning in wide networks",
                kinds[number % 3],
                [f"Author{chr(65 + (number + k) % 26)} Name{k}" for k in range(1 + number % 6)],
                time=f"{('Tue', 'Wed', 'Thu')[number % 3]} {12 + number % 3} Dec "
                f"0{1 + number % 9}:45 PM CST",
                room=f"Great Hall & Hall B1+B2 (level 1) #{number % 2000}",
                abstract=" ".join(["We study the dynamics of gradient descent."] * 6),
            )
            for number in range(cards)
        ]
    )


def generated_schedule(rows: int) -> str:
    items = []
    for number in range(rows):
        if number % 20 == 0:
            hour = 1 + (number // 20) % 11
            when = f"Fri {hour}:00 p.m. - {hour}:45 p.m."
            items.append(Row(f"Poster Session {number // 20}", "Poster Session", when,
                             site_id=number))  # fmt: skip
        else:
            authors = [f"Author{chr(65 + (number + k) % 26)} Name{k}" for k in range(3)]
            abstract = " ".join(["We study state space models."] * 6)
            items.append(Row(f"Paper {number} on sequence models", "Poster", authors=authors,
                             abstract=abstract, site_id=number, paper=True))  # fmt: skip
    return schedule_rows_page("Sequence Models", ["Ann Lee", "Bo Chen"], items)


def paired_ratio(
    baseline: Callable[[], object], measured: Callable[[], object], repeats: int
) -> tuple[float, float, float]:
    """Median times of both and the median of their ratios, each pair run back to back.

    On a shared 2-core machine the speed of this process changes by 2x within seconds (the
    other core's work); a ratio of two medians taken minutes apart measures that, a ratio of
    neighbours does not.
    """
    base_times, times, ratios = [], [], []
    for _ in range(repeats):
        base = median_seconds(baseline, 1)
        measure = median_seconds(measured, 1)
        base_times.append(base)
        times.append(measure)
        ratios.append(measure / base)
    return statistics.median(base_times), statistics.median(times), statistics.median(ratios)


def ratio_to_lxml(name: str, page: str, source: Source, repeats: int) -> None:
    """lxml's parse, the whole reading, and the part of it that builds validated records."""
    data = page.encode("utf-8")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

    def lxml_parse() -> object:
        return etree.fromstring(data, parser=parser)

    lxml_s, read_s, read_x = paired_ratio(
        lxml_parse, lambda: read_event_page(page, source, SourceFormat.html), repeats
    )
    doc = read_event_page(page, source, SourceFormat.html)
    readings = (template.read(HtmlPage(page, source.url)) for template in PAGE_TEMPLATES)
    reading = next(reading for reading in readings if reading is not None)
    _, build_s, build_x = paired_ratio(
        lxml_parse, lambda: build_document(source, reading.event, reading.items, []), repeats
    )
    # The floor of any reader that gives validated records: validating them, nothing else.
    dumped = [item.model_dump() for item in doc.items]
    _, floor_s, floor_x = paired_ratio(
        lxml_parse, lambda: [ScheduleItem.model_validate(item) for item in dumped], repeats
    )
    shown = f"{len(data) / 2**20:.1f} MiB, {len(doc.items)} items, {len(doc.warnings)} warnings"
    print(f"{name}: {shown}")
    print(f"  lxml parse (etree.fromstring):  {lxml_s * 1000:8.1f} ms  (1.0x)")
    print(f"  read_event_page (records):      {read_s * 1000:8.1f} ms  ({read_x:.1f}x)")
    print(f"    of which drafts -> records:   {build_s * 1000:8.1f} ms  ({build_x:.1f}x)")
    print(f"  validating the records alone:   {floor_s * 1000:8.1f} ms  ({floor_x:.1f}x)")


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

    listing = Source(
        id="bench-listing",
        kind="listing",
        url="https://neurips.cc/virtual/2023/events/poster",
        year=2023,
    )
    ratio_to_lxml("generated listing of 5,000 cards", generated_listing(5000), listing, 9)
    ratio_to_lxml("generated schedule of 2,000 rows", generated_schedule(2000), SOURCE, 15)

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
