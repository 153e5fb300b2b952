"""A report as Markdown and as one static HTML page with inline SVG charts.

The HTML needs no server and no network: charts are SVG drawn here; a few lines of script
mark each chart ``data-drawn="true"`` once the browser has laid out every mark with a
non-zero size, so a headless browser can prove the page rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pipeline.report import Report

_LIMIT = 25  # rows of a table shown before "... and N more"


def _top(counts: dict[str, int], limit: int = 20) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _years(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (item[0] == "unknown", item[0]))


# --------------------------------------------------------------------------- Markdown


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["None.", ""]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for row in rows[:_LIMIT]:
        cells = [str(cell).replace("|", "\\|").replace("\n", " ") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > _LIMIT:
        lines.append(f"| ... and {len(rows) - _LIMIT} more |" + " |" * (len(header) - 1))
    return [*lines, ""]


@dataclass(frozen=True)
class Section:
    """One table of the report, the same for every renderer."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]


def datasets_section(report: Report) -> Section:
    return Section(
        "Datasets",
        ("dataset", "LATEST", "records"),
        [
            (name, version, ", ".join(f"{n} {t}" for t, n in report.record_counts[name].items()))
            for name, version in report.datasets.items()
        ],
    )


def counts_sections(report: Report) -> list[Section]:
    """The counts the HTML page draws as charts and the Markdown shows as tables."""
    return [
        Section("Papers per topic", ("topic", "papers"), list(_top(report.papers_by_topic))),
        Section("Papers per year", ("year", "papers"), list(_years(report.papers_by_year))),
        Section(
            "Enrichment coverage", ("status", "papers"), list(_top(report.enrichment_by_status))
        ),
        Section(
            "Parse warnings by source",
            ("source", "warnings", "first ones"),
            [
                (source, count, "; ".join(report.warning_samples.get(source, [])[:3]))
                for source, count in sorted(report.warnings_by_source.items())
            ],
        ),
        Section(
            "Growth over the history",
            ("dataset", "versions", "first", "last"),
            [
                (
                    g.dataset,
                    len(g.points),
                    f"{g.points[0][1]} ({g.points[0][0]:%Y-%m-%d})",
                    f"{g.points[-1][1]} ({g.points[-1][0]:%Y-%m-%d})",
                )
                for g in report.growth
            ],
        ),
    ]


def review_sections(report: Report) -> list[Section]:
    """What a curator reviews by hand, as tables in every renderer."""
    return [
        Section(
            "Titles that differ from arXiv's",
            ("paper", "ours", "arXiv"),
            list(report.title_mismatches),
        ),
        Section(
            "Workshop papers with no arXiv match",
            ("title", "events", "status"),
            list(report.unmatched_event_papers),
        ),
        Section(
            "Similar titles not merged (near misses)",
            ("title", "other title", "score", "why"),
            [(a, b, f"{score:.2f}", why) for a, b, score, why in report.near_misses],
        ),
        Section(
            "Sources",
            ("source", "last check", "status", "stale", "error"),
            [
                (
                    s.source_id,
                    f"{s.checked_at:%Y-%m-%d %H:%M}" if s.checked_at else "-",
                    s.status,
                    "yes" if s.stale else "no",
                    s.error or "",
                )
                for s in report.sources
            ],
        ),
    ]


def render_markdown(report: Report) -> str:
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# Paper pipeline report ({when})", ""]
    for section in [datasets_section(report), *counts_sections(report), *review_sections(report)]:
        lines += [f"## {section.title}", "", *_md_table(section.header, section.rows)]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- SVG charts


def bar_chart(name: str, title: str, data: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, one per label, longest first as given."""
    if not data:
        return f'<p class="empty" data-plot="{escape(name)}">{escape(title)}: no data.</p>'
    row, label_width, bar_width = 22, 260, 420
    height = row * len(data) + 30
    peak = max(value for _, value in data) or 1
    marks = []
    for index, (label, value) in enumerate(data):
        y = 24 + index * row
        width = max(1.0, bar_width * value / peak)
        shown = label if len(label) <= 40 else label[:39] + "…"
        marks.append(
            f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="mark" x="{label_width}" y="{y + 2}" width="{width:.1f}" height="16">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{label_width + width + 6:.1f}" y="{y + 14}">{value}</text>'
        )
    return (
        f'<figure class="plot" data-plot="{escape(name)}"><figcaption>{escape(title)}'
        f'</figcaption><svg viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'width="{label_width + bar_width + 60}" height="{height}" role="img">'
        + "".join(marks)
        + "</svg></figure>"
    )


def line_chart(name: str, title: str, points: Sequence[tuple[str, int]]) -> str:
    """One line through the points (in order), with the first and last labelled."""
    if len(points) < 2:
        return f'<p class="empty" data-plot="{escape(name)}">{escape(title)}: no history.</p>'
    width, height, pad = 680, 220, 40
    peak = max(value for _, value in points) or 1
    step = (width - 2 * pad) / (len(points) - 1)
    coordinates = [
        (pad + index * step, height - pad - (height - 2 * pad) * value / peak)
        for index, (_, value) in enumerate(points)
    ]
    path = " ".join(
        f"{'M' if index == 0 else 'L'}{x:.1f},{y:.1f}" for index, (x, y) in enumerate(coordinates)
    )
    first, last = points[0], points[-1]
    return (
        f'<figure class="plot" data-plot="{escape(name)}"><figcaption>{escape(title)}'
        f'</figcaption><svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img"><path class="mark" d="{path}" fill="none" stroke-width="2"/>'
        f'<text x="{pad}" y="{height - 10}">{escape(first[0])}: {first[1]}</text>'
        f'<text x="{width - pad}" y="{height - 10}" text-anchor="end">{escape(last[0])}: '
        f"{last[1]}</text></svg></figure>"
    )


# --------------------------------------------------------------------------- HTML

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .2rem .6rem;
border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg text { font-size: 12px; fill: #333; } rect.mark { fill: #4c78a8; }
path.mark { stroke: #e45756; }
"""

# Marks every chart whose marks all have a size once laid out (read by the browser test).
_SCRIPT = """
window.addEventListener("load", function () {
  document.querySelectorAll("figure.plot").forEach(function (figure) {
    var marks = figure.querySelectorAll(".mark");
    var drawn = marks.length > 0;
    marks.forEach(function (mark) {
      var box = mark.getBBox();
      if (!(box.width > 0 && (box.height > 0 || mark.tagName === "path"))) drawn = false;
    });
    figure.setAttribute("data-marks", String(marks.length));
    figure.setAttribute("data-drawn", drawn ? "true" : "false");
  });
  document.body.setAttribute("data-rendered", "true");
});
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows[:_LIMIT]
    )
    more = f"<p>... and {len(rows) - _LIMIT} more.</p>" if len(rows) > _LIMIT else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def render_html(report: Report) -> str:
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    datasets = datasets_section(report)
    parts = [
        f"<h1>Paper pipeline report</h1><p>Generated {escape(when)}.</p>",
        "<h2>Datasets</h2>",
        _html_table(datasets.header, datasets.rows),
        "<h2>Papers</h2>",
        bar_chart("topics", "Papers per topic", _top(report.papers_by_topic)),
        bar_chart("years", "Papers per year", _years(report.papers_by_year)),
        bar_chart("enrichment", "Enrichment coverage by status", _top(report.enrichment_by_status)),
        "<h2>Parse warnings</h2>",
        bar_chart(
            "warnings",
            "Parse warnings by source",
            sorted(report.warnings_by_source.items(), key=lambda item: (-item[1], item[0])),
        ),
        "<h2>Growth over the history</h2>",
    ]
    if not report.growth:
        parts.append('<p class="empty" data-plot="growth">No dataset has two versions yet.</p>')
    for growth in report.growth:
        points = [(f"{moment:%Y-%m-%d}", count) for moment, count in growth.points]
        parts.append(line_chart(f"growth-{growth.dataset}", f"{growth.dataset}: records", points))
    for section in review_sections(report):
        parts += [f"<h2>{escape(section.title)}</h2>", _html_table(section.header, section.rows)]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Paper pipeline report</title>"
        f"<style>{_STYLE}</style></head><body>"
        + "\n".join(parts)
        + f"<script>{_SCRIPT}</script></body></html>\n"
    )
