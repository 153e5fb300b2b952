"""Property-based tests: each parser driven with random and mutated input; no exception
escapes but the documented one (InputError from decoding, HtmlError from html_lines,
PipelineError from the name check)."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.errors import InputError, PipelineError
from pipeline.core.ids import MAX_NAME_LENGTH, check_name, parse_arxiv_id
from pipeline.models import EventDocument, ReadmeDocument, Source, SourceFormat
from pipeline.parse.detect import detect_format
from pipeline.parse.events import read_event_page
from pipeline.parse.events.html_lines import HtmlError, html_lines
from pipeline.parse.limits import MAX_LINE_CHARS, MAX_LINES, bound_lines
from pipeline.parse.readme import read_readme
from pipeline.sources.decode import decode_bytes
from tests.reliability.corpus import WORKSHOP_CAPTURE, link_list

EXAMPLES = settings(
    max_examples=30,
    deadline=None,  # a shared machine: timing is not the property
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WORKSHOP = Source(
    id="w", kind="workshop", url="https://icml.cc/virtual/2021/workshop/1", venue="ICML 2021",
    timezone="America/Los_Angeles",
)  # fmt: skip
MARKDOWN_TOKENS = [
    "# ", "## ", "- ", "* ", "1. ", "> ", "[", "]", "(", ")", "](https://x.org)", "**", "*",
    "_", "`", "```\n", "|", "|---|", "<details>", "</details>", "<div>", "\n", "\n\n", "    ",
    "&amp;", "\\", "![", "http://", "file:///x", "[x]: https://y\n",
]  # fmt: skip
HTML_TOKENS = [
    "<div>", "</div>", "<p>", "<a href='https://x.org'>", "</a>", "<table><tr><td>", "</td>",
    "<script>", "</script>", "<!--", "-->", "<br>", "Poster", "Spotlight", "Sat", "9 a.m.",
    "&nbsp;", "&#0;", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!DOCTYPE html>", "\n",
    "<span class='d-none'>", "<a href='file:///etc/passwd'>",
]  # fmt: skip


@cache
def seed_readme() -> str:
    return link_list(40)


@cache
def seed_workshop() -> str:
    return WORKSHOP_CAPTURE.read_text(encoding="utf-8")[:5000]


@st.composite
def mutated(draw: st.DrawFn, seed: str, tokens: list[str]) -> str:
    """The seed document with a few random cuts, duplications and token insertions."""
    text = seed
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "copy", "token", "junk"]))
        if action == "cut":
            text = text[:at] + text[at + draw(st.integers(0, 400)) :]
        elif action == "copy":
            piece = text[at : at + draw(st.integers(0, 400))]
            text = text[:at] + piece * draw(st.integers(1, 5)) + text[at:]
        elif action == "token":
            token = draw(st.sampled_from(tokens)) * draw(st.integers(1, 100))
            text = text[:at] + token + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=60)) + text[at:]
    return text


def check_readme(text: str) -> None:
    reading = read_readme(text, "prop")
    assert isinstance(reading.document, ReadmeDocument)
    for card in reading.document.items:
        assert all(link.url.lower().startswith(("http://", "https://")) for link in card.links)


def check_event(text: str, fmt: SourceFormat) -> None:
    document = read_event_page(text, WORKSHOP, fmt)
    assert isinstance(document, EventDocument)


@EXAMPLES
@given(st.text(max_size=3000))
def test_read_readme_takes_any_text(text: str) -> None:
    check_readme(text)


@EXAMPLES
@given(mutated(seed_readme(), MARKDOWN_TOKENS))
def test_read_readme_takes_any_mutated_readme(text: str) -> None:
    for fmt in (None, SourceFormat.markdown, SourceFormat.text, SourceFormat.html):
        reading = read_readme(text, "prop", fmt)
        assert isinstance(reading.document, ReadmeDocument)


@EXAMPLES
@given(st.text(max_size=3000))
def test_read_event_page_takes_any_text_as_either_format(text: str) -> None:
    check_event(text, SourceFormat.text)
    check_event(text, SourceFormat.html)


@EXAMPLES
@given(mutated(seed_workshop(), HTML_TOKENS))
def test_read_event_page_takes_any_mutated_workshop_page(text: str) -> None:
    check_event(text, SourceFormat.text)
    html = "<html><body>" + "".join(f"<div>{line}</div>" for line in text.splitlines())
    check_event(html, SourceFormat.html)


@EXAMPLES
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_html_lines_gives_lines_or_html_error(data: bytes | str) -> None:
    try:
        lines = html_lines(data)
    except HtmlError:
        return
    assert all(line.text == line.text.strip() and line.text for line in lines)


@EXAMPLES
@given(st.binary(max_size=4000))
def test_decode_gives_text_or_input_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "x")
    except InputError as exc:
        assert str(exc).startswith("x: ") and "\n" not in str(exc)
        return
    assert "\r" not in decoded.text and decoded.text.strip()


@EXAMPLES
@given(st.text(max_size=200))
def test_detect_format_takes_any_text(text: str) -> None:
    assert detect_format(text) in set(SourceFormat)


@EXAMPLES
@given(st.text(max_size=40))
def test_parse_arxiv_id_round_trips_what_it_accepts(text: str) -> None:
    parsed = parse_arxiv_id(text)
    if parsed is not None:
        assert parse_arxiv_id(str(parsed)) == parsed
        assert parsed.version is None or parsed.version >= 1


@EXAMPLES
@given(st.text(max_size=100))
def test_an_accepted_name_is_a_safe_path_component(name: str) -> None:
    try:
        checked = check_name(name)
    except PipelineError as exc:
        assert "\n" not in str(exc)
        return
    assert checked == name and len(name) <= MAX_NAME_LENGTH
    assert name.isascii() and "/" not in name and "\x00" not in name and not name.startswith(".")


@EXAMPLES
@given(mutated(seed_readme(), ["- ", "> ", "  " * 50, "x" * 5000, "\n" * 20]))
def test_bounded_text_keeps_its_line_numbers_and_the_bounds(text: str) -> None:
    bounded = bound_lines(text)
    lines = bounded.text.split("\n")
    assert len(lines) <= MAX_LINES + 1
    assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    original = text.split("\n")
    # Lines are cut or flattened in place, never moved: line N is still line N.
    for number, line in enumerate(lines):
        assert line.strip(" \t>-*+0123456789.)") in original[number]
