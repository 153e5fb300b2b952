"""A generated corpus of hostile inputs: what each is, its bytes, and the kind of source it
poses as. Built from nothing but code and the project's own embedded captures (raw/), so it
needs no shared files. ``HEAVY`` ones take seconds; the quick subset runs by default."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.fake_arxiv import WORDS

PROJECT = Path(__file__).resolve().parents[2]
README_CAPTURE = PROJECT / "raw" / "003_67aa5497667b379c.txt"  # a README's page text
WORKSHOP_CAPTURE = PROJECT / "raw" / "001_dca7463950b001f7.txt"  # a workshop's page text


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[], bytes]
    suffix: str  # what the file is called: .md, .txt, .html
    kind: str = "readme"  # the source kind it poses as in a refresh
    heavy: bool = False


def titles(count: int) -> list[str]:
    """``count`` distinct paper titles, the same ones in the same order whatever the count.

    Distinct as a real list's are: 20,000 near-identical titles ('Paper 1', 'Paper 2', ...)
    make the fuzzy linking step quadratic, which is not a parser bound (see the README).
    """
    rng = random.Random(7)
    return [f"{' '.join(rng.sample(WORDS, 5)).capitalize()} number {i}" for i in range(count)]


def link_list(count: int, *, note: str = "a note") -> str:
    """A README of ``count`` papers with distinct titles, as a real list has them."""
    lines = ["# Reading list", "", "## Papers", ""]
    lines += [
        f"- [{title}](https://arxiv.org/abs/2101.{i % 9000 + 1000:05d}) - {note}"
        for i, title in enumerate(titles(count))
    ]
    return "\n".join(lines) + "\n"


@cache
def _readme_capture() -> bytes:
    return README_CAPTURE.read_bytes()


@cache
def _workshop_capture() -> bytes:
    return WORKSHOP_CAPTURE.read_bytes()


def _as_html(text: str, wrap: int = 0) -> str:
    body = "".join(f"<div>{line}</div>\n" for line in text.splitlines())
    return (
        "<!DOCTYPE html><html><body>" + "<div>" * wrap + body + "</div>" * wrap + "</body></html>"
    )


def _cut(data: bytes, percent: int) -> bytes:
    return data[: len(data) * percent // 100]


def _random(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _sprinkled(text: str, seed: int, chars: str) -> str:
    rng = random.Random(seed)
    out = list(text)
    for _ in range(len(out) // 50):
        out.insert(rng.randrange(len(out)), rng.choice(chars))
    return "".join(out)


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    "<html><body><p>&f;&f;&f;&f;&f;&f;&f;&f;</p><p>Poster</p></body></html>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<html><body><p>&x;</p><div>Sat 9 a.m.</div><div>Poster</div></body></html>"
)
SIGN_IN = (
    "<html><body><form><h1>Sign in</h1><label>Email</label><input name=e>"
    "<label>Password</label><input type=password></form></body></html>"
)

CORPUS: list[Hostile] = [
    Hostile("empty", lambda: b"", ".md"),
    Hostile("whitespace", lambda: b" \n\t\n   \n", ".md"),
    Hostile("bom-only", lambda: b"\xef\xbb\xbf", ".md"),
    Hostile("random-binary", lambda: _random(1, 50_000), ".md"),
    Hostile(
        "nul-bytes-in-text", lambda: link_list(20).encode().replace(b"Paper", b"Pa\0per"), ".md"
    ),
    Hostile("png", lambda: b"\x89PNG\r\n\x1a\n" + _random(2, 4000), ".md"),
    Hostile("zeros-over-the-cap", lambda: b"\0" * (21 * 1024 * 1024), ".md", heavy=True),
    Hostile("text-over-the-cap", lambda: b"a line\n" * (3 * 1024 * 1024), ".md", heavy=True),
    Hostile("utf16-le-bom", lambda: link_list(30).encode("utf-16"), ".md"),
    Hostile("utf16-be-no-bom", lambda: link_list(30).encode("utf-16-be"), ".md"),
    Hostile("utf32", lambda: link_list(30).encode("utf-32"), ".md"),
    Hostile("latin1", lambda: link_list(30, note="café naïve Übersicht").encode("latin-1"), ".md"),
    Hostile(
        "mixed-encodings",
        lambda: (
            link_list(20, note="café").encode() + "Über\n".encode("latin-1") + link_list(5).encode()
        ),
        ".md",
    ),
    Hostile("shift-jis", lambda: link_list(30, note="深層学習の汎化").encode("shift_jis"), ".md"),
    Hostile("chinese", lambda: link_list(30, note="深度学习的泛化").encode(), ".md"),
    Hostile("arabic-rtl", lambda: link_list(30, note="تعلم عميق \u202e").encode(), ".md"),
    Hostile(
        "russian-cp1251", lambda: link_list(30, note="глубокое обучение").encode("cp1251"), ".md"
    ),
    Hostile(
        "invalid-utf8-surrogates", lambda: link_list(10).encode() + b"\xed\xa0\x80\xc0\xaf", ".md"
    ),
    *(
        Hostile(f"readme-capture-cut-{p}pct", lambda p=p: _cut(_readme_capture(), p), ".txt")
        for p in range(10, 100, 10)
    ),
    *(
        Hostile(
            f"workshop-capture-cut-{p}pct",
            lambda p=p: _cut(_workshop_capture(), p),
            ".txt",
            kind="workshop",
        )
        for p in range(10, 100, 10)
    ),
    Hostile(
        "table-50000-rows",
        lambda: (
            "# Papers\n\n| Title | Authors |\n|---|---|\n"
            + "".join(f"| {title} | A{i} |\n" for i, title in enumerate(titles(50_000)))
        ).encode(),
        ".md",
        heavy=True,
    ),
    Hostile(
        "table-5000-columns",
        lambda: (
            "| " + " | ".join(f"c{i}" for i in range(5000)) + " |\n|" + "---|" * 5000 + "\n"
        ).encode(),
        ".md",
    ),
    Hostile(
        "emphasis-run", lambda: ("# P\n\n- " + "*a **b _c __d " * 100_000 + "\n").encode(), ".md"
    ),
    Hostile(
        "nested-list-10000",
        lambda: ("# P\n\n" + "- " * 10_000 + "[T](https://x.org/a)\n").encode(),
        ".md",
    ),
    Hostile(
        "indented-list-10000",
        lambda: (
            "# P\n\n" + "".join(" " * min(i, 400) + "- item\n" for i in range(10_000))
        ).encode(),
        ".md",
    ),
    Hostile(
        "blockquote-10000",
        lambda: ("# P\n\n" + "> " * 10_000 + "- [T](https://x.org)\n").encode(),
        ".md",
    ),
    Hostile(
        "one-5mb-line-one-link",
        lambda: ("# P\n\n- [T](https://x.org) " + "w " * 2_500_000).encode(),
        ".md",
    ),
    Hostile("open-brackets", lambda: ("# P\n\n- " + "[" * 200_000 + "\n").encode(), ".md"),
    Hostile(
        "nested-brackets",
        lambda: ("# P\n\n- " + "[" * 5000 + "x" + "]" * 5000 + "(https://x.org)\n").encode(),
        ".md",
    ),
    Hostile(
        "backtick-runs",
        lambda: ("# P\n\n" + "`" * 50_000 + " x " + "``" * 20_000 + "\n").encode(),
        ".md",
    ),
    Hostile(
        "reference-definitions",
        lambda: (
            "# P\n\n"
            + "".join(f"[r{i}]: https://x.org/{i}\n" for i in range(50_000))
            + "- [x][r1]\n"
        ).encode(),
        ".md",
        heavy=True,
    ),
    Hostile("cards-100000", lambda: link_list(100_000).encode(), ".md", heavy=True),
    Hostile(
        "headings-20000",
        lambda: "".join(f"## Heading {i}\n\n" for i in range(20_000)).encode(),
        ".md",
    ),
    Hostile(
        "unclosed-details",
        lambda: ("# P\n\n<details>\n<summary>x</summary>\n\n" + link_list(50)).encode(),
        ".md",
    ),
    Hostile(
        "unclosed-comment", lambda: ("# P\n\n<!-- never closed\n" + link_list(50)).encode(), ".md"
    ),
    Hostile(
        "script-block", lambda: ("<script>alert(1)</script>\n\n" + link_list(20)).encode(), ".md"
    ),
    Hostile(
        "file-and-javascript-links",
        lambda: (
            b"# P\n\n## Papers\n\n- [A paper on depth](file:///etc/passwd) - x\n"
            b"- [Another paper](javascript:alert(1)) - y\n"
            b"- [A good paper](https://arxiv.org/abs/2101.00001) - z\n"
        ),
        ".md",
    ),
    Hostile(
        "control-characters",
        lambda: _sprinkled(link_list(200), 5, "\x01\x02\x1b\x7f\x0b").encode(),
        ".md",
    ),
    Hostile(
        "zero-width-and-lookalikes",
        lambda: _sprinkled(link_list(200), 6, "\u200b\u200d\u2060аео").encode(),
        ".md",
    ),
    Hostile("emoji-only", lambda: ("🙂🚀🔥" * 20_000).encode(), ".md"),
    Hostile(
        "crlf-and-lone-cr",
        lambda: (
            link_list(50).replace("\n", "\r\n").encode()
            + link_list(50).replace("\n", "\r").encode()
        ),
        ".md",
    ),
    Hostile(
        "very-long-title",
        lambda: ("# P\n\n## Papers\n\n- [" + "Long title " * 3000 + "](https://x.org)\n").encode(),
        ".md",
    ),
    Hostile("tag-soup", lambda: ("<<<>>>" * 50_000).encode(), ".html", kind="workshop"),
    Hostile("million-angle-brackets", lambda: b"<" * 1_000_000, ".html", kind="workshop"),
    Hostile(
        "html-nested-100000",
        lambda: (
            "<html><body>"
            + "<div>" * 100_000
            + "<p>Poster</p>"
            + "</div>" * 100_000
            + "</body></html>"
        ).encode(),
        ".html",
        kind="workshop",
    ),
    Hostile(
        "html-tables-nested-3000",
        lambda: (
            "<html><body>"
            + "<table><tr><td>" * 3000
            + "Poster"
            + "</td></tr></table>" * 3000
            + "</body></html>"
        ).encode(),
        ".html",
        kind="workshop",
    ),
    Hostile(
        "workshop-in-260-divs",
        lambda: _as_html(_workshop_capture().decode(), wrap=260).encode(),
        ".html",
        kind="workshop",
    ),
    Hostile(
        "posters-100000",
        lambda: _as_html(
            "Sat\n"
            + "".join(f"Poster\n{title}\nAuthor {i}\n" for i, title in enumerate(titles(100_000)))
        ).encode(),
        ".html",
        kind="workshop",
        heavy=True,
    ),
    Hostile("html-entity-bomb", lambda: ENTITY_BOMB.encode(), ".html", kind="workshop"),
    Hostile("html-external-entity", lambda: EXTERNAL_ENTITY.encode(), ".html", kind="workshop"),
    Hostile(
        "html-cdata-and-pi",
        lambda: b"<html><body><![CDATA[ x ]]><?php echo 1; ?><p>Poster</p></body></html>",
        ".html",
        kind="workshop",
    ),
    Hostile(
        "html-script-only",
        lambda: b"<html><head><script>" + b"var a=1;" * 10000 + b"</script></head></html>",
        ".html",
        kind="workshop",
    ),
    Hostile("html-sign-in-page", lambda: SIGN_IN.encode(), ".html", kind="workshop"),
    Hostile(
        "html-file-links",
        lambda: (
            b"<html><body><div>Sat</div><div>Poster</div>"
            b"<div><a href='file:///etc/passwd'>A paper title</a></div></body></html>"
        ),
        ".html",
        kind="workshop",
    ),
    Hostile(
        "html-unclosed-details",
        lambda: b"<html><body><details><summary>Poster</summary><p>Paper" + b"<p>x" * 5000,
        ".html",
        kind="workshop",
    ),
    Hostile(
        "schedule-garbage-times",
        lambda: ("Sat\n" + "99:99 p.m. - 77:00 a.m.\nPoster\nTitle\n" * 2000).encode(),
        ".txt",
        kind="workshop",
    ),
    Hostile(
        "schedule-100000-lines", lambda: ("Poster\n" * 100_000).encode(), ".txt", kind="workshop"
    ),
]

QUICK = [hostile for hostile in CORPUS if not hostile.heavy]
