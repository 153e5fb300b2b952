"""Workshop/session pages as the virtual sites serve them (HTML) parse like their text copies."""

from __future__ import annotations

import re
from datetime import date
from html import escape

import pytest

from pipeline.core.ids import short_hash
from pipeline.core.text import collapse_spaces
from pipeline.models import EventDocument, Link, Source
from pipeline.parse.events.html_lines import HtmlError, html_lines
from pipeline.parse.events.schedule import (
    looks_like_schedule,
    parse_schedule_html,
    parse_schedule_text,
)
from tests.conftest import seed_sources, seed_text

SOURCES = {name: s for name, s in seed_sources().items() if s.kind != "readme"}


# --------------------------------------------------------------------------- page builder

_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}:\d{2}")
_SPOT = re.compile(r"^\[ (Visit Poster at Spot (\S+) in Virtual World) \]$")
_LABELLED_URL = re.compile(r"^([^:]+): (https?://\S+)$")
_TOP = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Virtual site</title>"
    "<script>var slots = ['Sat 9:00 a.m. 9:05 a.m.', '(Poster)', 'A · B 🔗'];</script>"
    "<style>.d-none{display:none} td:before{content:'(Poster)'}</style></head><body>"
    "<nav class='navbar'><a href='/virtual/2023/index.html'>Schedule</a><ul><li>"
    "<a href='/virtual/2023/events/workshop'>Workshops</a></li><li>Sat 9:00 a.m.</li></ul>"
    "</nav><header class='site-header'><div>Oral Session</div><div>Login</div></header>"
    "<div class='modal fade' id='login'><div class='modal-body'>Sign in (Poster)</div></div>"
    "<div class='d-none'>Fri 1:00 p.m. - 2:00 p.m.</div><main class='container'>"
)
_BOTTOM = (
    "</main><footer><p>© 2023 the conference</p><a href='/privacy'>Privacy</a></footer>"
    "<script>document.querySelectorAll('td').forEach(x => x)</script></body></html>"
)


def page_from_capture(text: str) -> str:
    """An HTML page in the virtual sites' structure whose visible text is ``text``.

    Schedule rows are table rows (a time cell, a content cell of nested divs), titles link
    to OpenReview, videos to SlidesLive, spots to the virtual world, the '🔗' to the slot's
    own page; script, style, navigation and hidden elements add noise. Line *n* of the page
    holds the markup of line *n* of ``text``, so line numbers (provenance) agree too.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    stripped = [collapse_spaces(line) for line in lines]
    out: list[str] = []
    table_open = row_open = False
    in_sections = False

    def next_content(index: int) -> str:
        for later in stripped[index + 1 :]:
            if later and later != "|":
                return later
        return ""

    def open_row(time_cell: str) -> str:
        nonlocal table_open, row_open
        markup = "</div></td></tr>" if row_open else ""
        if not table_open:
            markup += "<table class='table table-sm'><tbody>"
            table_open = True
        row_open = True
        cell = f"<nobr>{time_cell}</nobr>" if time_cell else ""
        return (
            markup + f"<tr class='schedule-row'><td class='time-cell'>{cell}</td>"
            "<td class='content-cell'><div class='d-flex flex-column'>"
        )

    for index, line in enumerate(stripped):
        following = next_content(index)
        html = ""
        if not line:
            html = ""
        elif in_sections or line in {"Author Information", "More from the Same Authors"}:
            if line in {"Author Information", "More from the Same Authors"}:
                if row_open:
                    html += "</div></td></tr>"
                    row_open = False
                if table_open:
                    html += "</tbody></table>"
                    table_open = False
                in_sections = True
                html += f"<h3 class='section'>{escape(line)}</h3>"
            else:
                html = f"<div class='author-bio'><div><p>{escape(line)}</p></div></div>"
        elif _TIME.match(line) or line == "-":
            html = open_row(escape(line))
        elif line == "|":
            html = "<div class='divider'>|</div>"
        elif line in {"(", ")"}:
            html = f"<div class='paren'>{line}</div>"
        elif stripped[index - 1 : index] == ["("] and following == ")":
            html = f"<div class='type-badge'><span class='badge'>{escape(line)}</span></div>"
        elif re.fullmatch(r"\([^()]+\)", line):
            html = f"<div class='type'>(<span class='badge'>{escape(line[1:-1])}</span>)</div>"
        elif line.startswith("SlidesLive Video"):
            rest = escape(line[len("SlidesLive Video") :])
            url = f"https://slideslive.com/{int(short_hash(line, length=6), 16)}"
            html = f"<div class='abstract'><a href='{url}'>SlidesLive Video</a>{rest}</div>"
        elif match := _SPOT.match(line):
            url = f"https://eventhosts.gather.town/app/spot?name={match.group(2)}"
            html = f"<div class='spot'>[ <a href='{url}'>{escape(match.group(1))}</a> ]</div>"
        elif line == "link »":
            url = (
                f"https://arxiv.org/abs/2306.{int(short_hash(str(index), length=4), 16) % 9999:05d}"
            )
            html = f"<div><a href='{url}'>link</a> »</div>"
        elif match := _LABELLED_URL.match(line):
            url = escape(match.group(2))
            html = f"<p>{escape(match.group(1))}: <a href='{url}'>{url}</a></p>"
        elif "🔗" in line:
            names, _, tail = line.partition("🔗")
            spans = " · ".join(
                f"<span class='author'>{escape(name)}</span>"
                for name in names.strip().split(" · ")
                if name
            )
            permalink = f"/virtual/poster/{int(short_hash(line, length=5), 16)}"
            html = (
                f"<div class='authors'>{spans} <a href='{permalink}' title='permalink'>🔗</a>"
                f"{escape(tail)}</div>"
            )
        elif index == 0 and line.endswith("Session"):
            html = f"<h3 class='text-center'>{escape(line)}</h3>"
        elif _is_type_marker(following) or (" · " in following and "🔗" not in following):
            url = f"https://openreview.net/forum?id={short_hash(line, length=10)}"
            title = f"<div class='title'><strong><a href='{url}'>{escape(line)}</a></strong></div>"
            # A poster's title opens its own row unless a time cell or '-' just opened one.
            starts_row = _is_type_marker(following) and not _row_started_just_before(
                stripped, index
            )
            html = (open_row("") if starts_row else "") + title
        else:
            html = f"<div class='text-muted'><div><p>{escape(line)}</p></div></div>"
        out.append(html)
    out[0] = _TOP + out[0]
    closing = ("</div></td></tr>" if row_open else "") + ("</tbody></table>" if table_open else "")
    out[-1] = out[-1] + closing + _BOTTOM
    return "\n".join(out)


def _is_type_marker(line: str) -> bool:
    return line == "(" or re.fullmatch(r"\([^()]+\)", line) is not None


def _row_started_just_before(stripped: list[str], index: int) -> bool:
    """Whether the title follows a time cell or '-' (the row is already open for it)."""
    for earlier in reversed(stripped[:index]):
        if earlier in {"", "|"}:
            continue
        return bool(_TIME.match(earlier)) or earlier == "-"
    return False


# --------------------------------------------------------------------------- helpers


def without_html_only_links(html_doc: EventDocument, text_doc: EventDocument) -> EventDocument:
    """The HTML parse with the links only the HTML has removed (checked to be a superset)."""

    def keep(html_links: list[Link], text_links: list[Link]) -> list[Link]:
        urls = {link.url for link in html_links}
        assert all(link.url in urls for link in text_links), "a text link is missing in HTML"
        wanted = {link.url for link in text_links}
        return [link for link in html_links if link.url in wanted]

    assert len(html_doc.items) == len(text_doc.items)
    items = [
        html_item.model_copy(update={"links": keep(html_item.links, text_item.links)})
        for html_item, text_item in zip(html_doc.items, text_doc.items, strict=True)
    ]
    event = html_doc.event.model_copy(
        update={"links": keep(html_doc.event.links, text_doc.event.links)}
    )
    return html_doc.model_copy(update={"items": items, "event": event})


# --------------------------------------------------------------------------- visible lines


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_html_lines_of_a_built_page_are_the_capture_lines_with_their_line_numbers(
    name: str,
) -> None:
    text = seed_text(name)
    expected = [
        (collapse_spaces(line), number)
        for number, line in enumerate(text.split("\n"), 1)
        if collapse_spaces(line)
    ]
    lines = html_lines(page_from_capture(text))
    assert [(line.text, line.line) for line in lines] == expected


def test_html_lines_drop_script_style_nav_header_footer_and_hidden_elements() -> None:
    page = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<nav>Menu</nav><header>Head</header><script>var a = 'x';</script>"
        "<div hidden>h1</div><div style='display: none'>h2</div><div class='modal'>h3</div>"
        "<div class='d-none d-md-block'>shown on wide screens</div><noscript>n</noscript>"
        "<template><p>t</p></template><p>Visible</p><footer>Foot</footer></body></html>"
    )
    assert [line.text for line in html_lines(page)] == ["shown on wide screens", "Visible"]


def test_html_lines_break_lines_at_blocks_and_cells_and_join_inline_elements() -> None:
    page = (
        "<table><tr><td>Fri 12:00 p.m. - 12:45 p.m.</td><td><div><b>Title</b> <i>part</i>"
        "</div>(<span>Poster</span>)<br>after break</td></tr></table>"
        "<ul><li>one</li><li>two <a href='/x'>link</a> end</li></ul><pre>a\n  b</pre>"
    )
    assert [line.text for line in html_lines(page)] == [
        "Fri 12:00 p.m. - 12:45 p.m.",
        "Title part",
        "(Poster)",
        "after break",
        "one",
        "two link end",
        "a",
        "b",
    ]


def test_html_lines_keep_links_resolved_against_the_page_with_labels() -> None:
    page = (
        "<div><a href='https://openreview.net/forum?id=abc'>A title</a></div>"
        "<div>Ann · Bo <a href='/virtual/2023/poster/1' title='permalink'>🔗</a></div>"
        "<div><a href='#top'>top</a><a href='javascript:void(0)'>js</a></div>"
        "<div><a href='https://slideslive.com/1'><i class='fa fa-video'></i></a></div>"
        "<div>after an icon-only link</div>"
    )
    lines = html_lines(page, base_url="https://icml.cc/virtual/2023/workshop/1")
    assert lines[0].links == (Link(label="A title", url="https://openreview.net/forum?id=abc"),)
    assert lines[1].links == (Link(label="permalink", url="https://icml.cc/virtual/2023/poster/1"),)
    assert lines[2].links == ()  # fragment and script links lead nowhere
    # An icon-only link has no text of its own: it goes with the next visible line.
    assert lines[3].text == "after an icon-only link"
    assert lines[3].links == (Link(label="slideslive.com", url="https://slideslive.com/1"),)


def test_html_lines_refuse_empty_input_with_an_html_error() -> None:
    with pytest.raises(HtmlError):
        html_lines("   ")


# --------------------------------------------------------------------------- records


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_html_page_parses_to_the_same_records_as_its_capture(name: str) -> None:
    text = seed_text(name)
    source = SOURCES[name]
    text_doc = parse_schedule_text(text, source)
    html_doc = parse_schedule_html(page_from_capture(text), source)
    assert text_doc.items, "the capture itself must parse"
    assert without_html_only_links(html_doc, text_doc) == text_doc


def test_html_page_keeps_openreview_slideslive_spot_and_permalink_links_on_items() -> None:
    name = "001_dca7463950b001f7.txt"
    doc = parse_schedule_html(page_from_capture(seed_text(name)), SOURCES[name])
    poster = next(item for item in doc.items if item.type == "poster")
    hosts = {link.url.split("/")[2] for link in poster.links}
    assert {"openreview.net", "eventhosts.gather.town", "icml.cc"} <= hosts
    talk = next(item for item in doc.items if item.type == "invited_talk")
    assert any(link.label == "SlidesLive Video" for link in talk.links)
    assert all(link.url.startswith("https://") for item in doc.items for link in item.links)


def test_html_link_widget_url_is_kept_on_the_item() -> None:
    name = "002_018b3c99b71c7c41.txt"
    doc = parse_schedule_html(page_from_capture(seed_text(name)), SOURCES[name])
    with_widget = [item for item in doc.items if any(ln.label == "link" for ln in item.links)]
    assert len(with_widget) == 2  # the two 'link »' widgets of the page
    assert all(
        "arxiv.org" in link.url
        for item in with_widget
        for link in item.links
        if link.label == "link"
    )


REALISTIC_PAGE = """<!DOCTYPE html>
<html>
<head>
  <base href="https://icml.cc/">
  <script src="/static/core.js"></script>
</head>
<body>
  <nav><a href="/virtual/2022/index.html">Home</a></nav>
  <div class="container">
    <div class="abstract">
      <p>A workshop on
         learning dynamics.</p>
    </div>
    <table class="table">
      <tr>
        <td class="time-cell">Sat 9:00 a.m. - 9:45 a.m.</td>
        <td>
          <div class="title">
            <a href="virtual/2022/12345">Scaling Laws, Jane Q. Doe</a>
          </div>
          <div>(<span>Keynote</span>)</div>
          <div class="abstract">
            <a href="https://slideslive.com/38987">SlidesLive Video</a> »
            We study scaling.
          </div>
          <div class="author-str">Jane Doe</div>
          <a href="virtual/2022/12345" title="permalink">🔗</a>
        </td>
      </tr>
      <tr>
        <td class="time-cell">-</td>
        <td>
          <div class="title"><a href="https://openreview.net/forum?id=XyZ">A Poster Paper</a></div>
          <div>(<span>Poster</span>)</div>
          <div>Abstract of the poster.</div>
          <div class="author-str">Ann Lee · Bo Chen</div>
          <div><a href="virtual/2022/555" title="permalink">🔗</a></div>
        </td>
      </tr>
    </table>
  </div>
</body>
</html>
"""


def test_realistic_pretty_printed_page_parses_with_html_line_provenance() -> None:
    source = Source(
        id="ws",
        kind="workshop",
        url="https://icml.cc/virtual/2022/workshop/1",
        date=date(2022, 7, 23),
        timezone="America/New_York",
    )
    doc = parse_schedule_html(REALISTIC_PAGE, source)
    assert doc.warnings == []
    assert doc.event.description == "A workshop on learning dynamics."
    keynote, poster = doc.items
    assert (keynote.title, keynote.type, keynote.speakers) == (
        "Scaling Laws",
        "invited_talk",
        ["Jane Doe"],
    )
    assert keynote.abstract == "We study scaling."
    assert (
        keynote.start_at is not None and keynote.start_at.isoformat() == "2022-07-23T09:00:00-04:00"
    )
    title_line = next(
        number
        for number, line in enumerate(REALISTIC_PAGE.split("\n"), 1)
        if "Scaling Laws" in line
    )
    assert keynote.provenance.line == title_line  # lines are the HTML's own
    # Title and '🔗' both lead to the slot's page (resolved against <base>): kept once.
    assert [link.url for link in keynote.links] == [
        "https://icml.cc/virtual/2022/12345",
        "https://slideslive.com/38987",
    ]
    assert (poster.title, poster.type, poster.authors) == (
        "A Poster Paper",
        "poster",
        ["Ann Lee", "Bo Chen"],
    )
    assert poster.abstract == "Abstract of the poster."
    assert poster.links[0] == Link(
        label="A Poster Paper", url="https://openreview.net/forum?id=XyZ"
    )


@pytest.mark.parametrize(
    "page",
    ["", "   ", "<<<>>>", "<html></html>", "plain words, not a page", "\x00\x01\x02", "<p>(</p>"],
)
def test_unreadable_or_empty_html_gives_no_items_and_a_warning(page: str) -> None:
    doc = parse_schedule_html(page, SOURCES["001_dca7463950b001f7.txt"])
    assert doc.items == []
    assert doc.warnings


def test_html_page_without_a_schedule_warns_why() -> None:
    page = "<html><body><h1>About</h1><p>This site hosts conference videos.</p></body></html>"
    doc = parse_schedule_html(page, SOURCES["001_dca7463950b001f7.txt"])
    assert doc.items == []
    assert any("no recognisable schedule" in warning.message for warning in doc.warnings)


def test_looks_like_schedule_recognises_a_workshop_page_served_as_html() -> None:
    name = "002_018b3c99b71c7c41.txt"
    assert looks_like_schedule(page_from_capture(seed_text(name)))
    assert not looks_like_schedule("<html><body><h1>Awesome list</h1><p>Papers</p></body></html>")


def _wrapped(page: str, depth: int) -> str:
    body = page.index("<main")
    return page[:body] + "<div>" * depth + page[body:] + "</div>" * depth


def test_html_nested_deeper_than_libxml2_reads_is_read_flattened_with_a_warning() -> None:
    from pipeline.models import SourceFormat
    from pipeline.parse.events import read_event_page
    from pipeline.parse.limits import MAX_HTML_DEPTH

    capture = page_from_capture(seed_text("001_dca7463950b001f7.txt"))
    source = SOURCES["001_dca7463950b001f7.txt"]
    doc = read_event_page(_wrapped(capture, 3000), source, SourceFormat.html)
    (cut,) = [w.message for w in doc.warnings if "nested" in w.message]
    assert re.search(r"nested 30\d\d deep", cut) and f"cut at {MAX_HTML_DEPTH} levels" in cut
    # The next page, nested as pages are, says nothing of nesting.
    plain = read_event_page(capture, source, SourceFormat.html)
    assert len(plain.items) == 62 and not [w for w in plain.warnings if "nested" in w.message]


@pytest.mark.parametrize("depth", [900, 1500])
def test_html_nested_as_deep_as_libxml2_reads_is_read_as_it_is(depth: int) -> None:
    from pipeline.models import SourceFormat
    from pipeline.parse.events import read_event_page

    capture = page_from_capture(seed_text("001_dca7463950b001f7.txt"))
    source = SOURCES["001_dca7463950b001f7.txt"]
    doc = read_event_page(_wrapped(capture, depth), source, SourceFormat.html)
    plain = read_event_page(capture, source, SourceFormat.html)
    assert [item.title for item in doc.items] == [item.title for item in plain.items]
    assert not [w for w in doc.warnings if "nested" in w.message]
