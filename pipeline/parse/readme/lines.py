"""One entry line -> title, authors, venue, year, links and note, by small ordered rules.

A line is the inline content of a list item, a table cell or a paragraph line, as
:class:`~pipeline.parse.readme.inline.Inline` runs. Rules run in order, as markdown-it
chains its own:

1. leading rules strip what stands before a title: emoji and shortcodes, a numbering
   (``1.``, ``N)``, ``[n]``), a venue or date tag (``(*NAACL'21*)``, ``[ICML 2020]``,
   ``(2023-05)``), a label (``<u>Model</u>:``);
2. title rules take the title from the first that applies: a quoted span (``"Title"``,
   citations), a link's text (``[Title](url)``), a bold or italic span (``**Title**``), a
   citation's sentences (``Title. Authors. Venue Year``), the text before the first field
   separator (a link, ``|``, a tag);
3. field rules read the rest: tags (``(2016)``, ``**[Venue' YY]**``), an italic venue or
   author list, badges, links, and plain text that is names, a venue, or a note.

Every rule is a function over the runs; nothing here knows about blocks or sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.models import Link
from pipeline.parse.readme.authors import is_initial, split_names
from pipeline.parse.readme.headings import squash_spaces
from pipeline.parse.readme.inline import Inline, Run
from pipeline.parse.readme.links import (
    LinkKind,
    arxiv_in_text,
    is_bare_url,
    is_label,
    is_paper_label,
    label_of,
    link_kind,
)
from pipeline.parse.readme.quality import looks_like_names
from pipeline.parse.readme.venues import (
    badge_venue,
    is_date,
    looks_like_leading_tag,
    looks_like_venue,
    year_in,
)

# --------------------------------------------------------------------------- what a line gives


@dataclass
class LineReading:
    """What one line says about an entry; ``evidence`` names what makes it a paper."""

    title: str = ""
    title_link: LinkKind | None = None  # the kind of the link whose text is the title
    authors: list[str] = field(default_factory=list)
    et_al: bool = False
    venue: str | None = None
    year: int | None = None
    keywords: list[str] = field(default_factory=list)
    note: str | None = None
    links: list[Link] = field(default_factory=list)
    evidence: set[str] = field(default_factory=set)

    def set_venue(self, venue: str | None, year: int | None) -> None:
        """A venue ('ICLR 2020': its year is the card's only when nothing else gives one) or,
        with no venue, a year said on its own ('(2016)', '(2023-05)')."""
        if venue and not self.venue:
            self.venue = venue
            self.evidence.add("venue")
        elif not venue and year and not self.year:
            self.year = year
            self.evidence.add("year")

    def set_authors(self, text: str, *, set_apart: bool = False) -> bool:
        """Take ``text`` as the authors when it reads as a list of names (``set_apart``: a
        line of its own in italics, where half the names looking right is enough)."""
        if self.authors:
            return False
        names = split_names(text)
        if not looks_like_names(names.names, share=0.5 if set_apart else 0.8):
            return False
        if all(len(name.split()) < 2 for name in names.names):
            return False  # 'ResNet', a one-word note, is no author list
        self.authors, self.et_al = names.names, names.et_al
        self.evidence.add("authors")
        return True


# --------------------------------------------------------------------------- runs as text


def _text(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


def _drop(runs: list[Run], count: int) -> list[Run]:
    """The runs without their first ``count`` characters."""
    kept: list[Run] = []
    for run in runs:
        if count >= len(run.text):
            count -= len(run.text)
            continue
        kept.append(run if count == 0 else _with_text(run, run.text[count:]))
        count = 0
    return kept


def _split(runs: list[Run], at: int) -> tuple[list[Run], list[Run]]:
    """The runs cut at character ``at``."""
    head: list[Run] = []
    tail: list[Run] = []
    position = 0
    for run in runs:
        end = position + len(run.text)
        if end <= at:
            head.append(run)
        elif position >= at:
            tail.append(run)
        else:
            head.append(_with_text(run, run.text[: at - position]))
            tail.append(_with_text(run, run.text[at - position :]))
        position = end
    return head, tail


def _with_text(run: Run, text: str) -> Run:
    return Run(text, run.link, run.bold, run.italic, run.underline, run.code)


def _strip_start(runs: list[Run]) -> list[Run]:
    text = _text(runs)
    return _drop(runs, len(text) - len(text.lstrip()))


# --------------------------------------------------------------------------- 1. leading rules

_SHORTCODES = r":[a-z0-9_+\-]+:"
_SYMBOLS = r"[\u2190-\u2bff\u2600-\u27bf\u3030\u303d\ufe0f\u200d\U0001f000-\U0001faff]"
_LEADING_EMOJI = re.compile(rf"^\s*(?:{_SHORTCODES}|{_SYMBOLS})+\s*")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,4}[.)](?=\s)|\[\d{1,4}\]|\(\d{1,4}\)|#\d{1,4}\b)\s*")
_LEADING_TAG = re.compile(r"^\s*[\(\[]\s*(?P<tag>[^\(\)\[\]\n]{1,60}?)\s*[\)\]]\s*[:\-–—|,]?\s*")
_LABEL_COLON = re.compile(r"^\s*:\s*")
_LOST_BULLET = re.compile(r"^[-+*][^\W\d_]")
_NUMERIC_TAG = re.compile(r"^\s*[\(\[][\d\s\-./:]+[\)\]]\s*")


def strip_emoji(runs: list[Run], line: LineReading) -> list[Run] | None:
    """':fire: Title', '🔥 Title' -> 'Title'."""
    match = _LEADING_EMOJI.match(_text(runs))
    return _drop(runs, match.end()) if match and match.end() else None


def strip_lost_bullet(runs: list[Run], line: LineReading) -> list[Run] | None:
    """'-Title. [[paper]](url)': a bullet that lost its space (a paragraph now) is no title."""
    if not runs or runs[0].link is not None or runs[0].bold or runs[0].italic:
        return None
    return _drop(runs, 1) if _LOST_BULLET.match(runs[0].text) else None


def strip_numbering(runs: list[Run], line: LineReading) -> list[Run] | None:
    """'1. Title', '2) Title', '[3] Title', '**[4]** Authors' -> the rest."""
    if runs and runs[0].link is not None:
        return None
    match = _LEADING_NUMBER.match(_text(runs))
    return _drop(runs, match.end()) if match else None


def strip_leading_tag(runs: list[Run], line: LineReading) -> list[Run] | None:
    """'(*NAACL'21*) Title', '[ICML 2020] Title', '(2023-05) **Title**': the venue or date."""
    if not runs or runs[0].link is not None:
        return None
    match = _LEADING_TAG.match(_text(runs))
    if match is None or not looks_like_leading_tag(match.group("tag")):
        return None
    rest = _drop(runs, match.end())
    if not _text(rest).strip():
        return None  # the whole line is a tag: nothing would be left for a title
    line.set_venue(*_venue_year(match.group("tag")))
    return rest


def strip_numeric_tag(runs: list[Run], line: LineReading) -> list[Run] | None:
    """'(20220-10) **Title**': a bracket of digits alone (a mistyped date) is no title."""
    if not runs or runs[0].link is not None:
        return None
    match = _NUMERIC_TAG.match(_text(runs))
    rest = _drop(runs, match.end()) if match else None
    return rest if rest and _text(rest).strip() else None


def strip_label(runs: list[Run], line: LineReading) -> list[Run] | None:
    """'<u>GPT-3</u>: **"Title"**': an underlined name before a colon labels the entry."""
    if not runs or not runs[0].underline:
        return None
    count = 0
    while count < len(runs) and runs[count].underline:
        count += 1
    rest = runs[count:]
    colon = _LABEL_COLON.match(_text(rest))
    if colon is None:
        return None
    label = squash_spaces(_text(runs[:count]))
    if label:
        line.keywords.append(label)
    return _drop(rest, colon.end())


LEADING_RULES = (
    strip_emoji,
    strip_lost_bullet,
    strip_numbering,
    strip_leading_tag,
    strip_numeric_tag,
    strip_label,
)


def _venue_year(tag: str) -> tuple[str | None, int | None]:
    tag = squash_spaces(tag).strip(' .,;:"“”')
    year = year_in(tag)
    return (None, year) if is_date(tag) else (tag or None, year)


def apply_leading_rules(runs: list[Run], line: LineReading) -> list[Run]:
    runs = _strip_start(runs)
    changed = True
    while changed and runs:
        changed = False
        for rule in LEADING_RULES:
            rest = rule(runs, line)
            if rest is not None:
                runs, changed = _strip_start(rest), True
                break
    return runs


# --------------------------------------------------------------------------- 2. title rules

_SUBTITLE = re.compile(r"^:\s+\w")
_QUOTED = re.compile(r"[\"“”](?P<title>[^\"“”]{3,}?)[\"“”]")
_SENTENCE_END = re.compile(r"\.\s+")
_PIPE = re.compile(r"\s+\|\s+")
# A tag inside plain text that ends a title: '(2016)', '(ICLR 2020)', '[NeurIPS'21]'.
_INNER_TAG = re.compile(r"\s*[\(\[](?P<tag>[^\(\)\[\]\n]{1,60})[\)\]]")


@dataclass
class TitleSplit:
    """The title's runs, what came before it, what follows, and the link it is the text of."""

    title: list[Run]
    before: list[Run]
    rest: list[Run]
    link: int | None = None
    plain: bool = False  # taken from plain text (no link, emphasis or quotes around it)


def _plain_prefix(runs: list[Run]) -> int:
    """How many leading runs are outside links."""
    count = 0
    while count < len(runs) and runs[count].link is None:
        count += 1
    return count


def title_bold_in_quotes(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'Authors. "**Title**." Venue': a bold span right after an opening quote is the title,
    quotes of its own included ('"**"Why Should I Trust You?": Explaining...**."')."""
    for index in range(1, len(runs)):
        run = runs[index]
        if not run.bold or run.link is not None or runs[index - 1].bold:
            continue
        if not runs[index - 1].text.rstrip().endswith(('"', "“")):
            return None
        end = index
        while end < len(runs) and runs[end].bold and runs[end].link is None:
            end += 1
        before = runs[:index]
        before = _split(before, len(_text(before).rstrip()) - 1)[0]  # the opening quote off
        names = _text(before).strip(" .,;:")
        if names and not looks_like_names(split_names(names).names):
            return None
        return TitleSplit(runs[index:end], before, runs[end:])
    return None


def title_in_quotes(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'"Title." Venue' or 'Authors. "**Title**." Venue': a quoted span of two words or more,
    at the start or after names."""
    prefix = runs[: _plain_prefix(runs)]
    text = _text(prefix)
    match = _QUOTED.search(text)
    if match is None or len(match.group("title").split()) < 2:
        return None
    before = text[: match.start()].strip(" .,;:")
    if before and not looks_like_names(split_names(before).names):
        return None
    head, rest = _split(runs, match.end())
    before_runs, quoted = _split(head, match.start())
    return TitleSplit(quoted, before_runs, rest)  # the quotes go in tidy_title


def title_from_link(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'[Title](url) - note', '[**Title**](url)': the first link's text, when it is no label."""
    if not runs or runs[0].link is None:
        return None
    index = runs[0].link
    count = 0
    while count < len(runs) and runs[count].link == index:
        count += 1
    text = squash_spaces(_text(runs[:count]))
    if not text or is_label(text) or is_bare_url(text):
        return None
    return TitleSplit(runs[:count], [], runs[count:], index)


def title_from_emphasis(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'**Title** [[pdf]](url)', '*Title*, Authors': a leading bold or italic span."""
    if not runs or not (runs[0].bold or runs[0].italic) or runs[0].link is not None:
        return None
    bold = runs[0].bold
    count = 0
    while count < len(runs) and (runs[count].bold if bold else runs[count].italic):
        if runs[count].link is not None:
            break
        count += 1
    text = squash_spaces(_text(runs[:count]))
    if not re.search(r"\w", text):
        return None
    title, rest = runs[:count], runs[count:]
    if _SUBTITLE.match(_text(rest)):  # '**Omnigrok**: Grokking Beyond...': one title
        subtitle = title_before_separator(rest, inline)
        if subtitle is not None:
            title, rest = title + subtitle.title, subtitle.rest
    return TitleSplit(title, [], rest)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the '. '-separated sentences of a text; an initial's period ends none."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        word = text[start : match.start()].rsplit(None, 1)
        if word and is_initial(word[-1]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def title_as_citation(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'Title. Authors. Venue Year' or 'Authors. Title. Venue': plain sentences, one of them
    a list of names."""
    prefix = runs[: _plain_prefix(runs)]
    text = _text(prefix)
    spans = _sentences(text)
    if len(spans) < 2:
        return None
    first, second = (text[a:b] for a, b in spans[:2])
    first_names = looks_like_names(split_names(first).names)
    second_names = looks_like_names(split_names(second).names)
    if second_names and not first_names:
        head, rest = _split(runs, spans[0][1])
        return TitleSplit(head, [], rest, plain=True)
    if (
        first_names
        and not second_names
        and len(second.split()) >= 2
        and not looks_like_venue(second)  # 'Authors. *ICML 2019*' is an author line
    ):
        before, tail = _split(runs, spans[1][0])
        title, rest = _split(tail, spans[1][1] - spans[1][0])
        return TitleSplit(title, before, rest, plain=True)
    return None


def title_before_separator(runs: list[Run], inline: Inline) -> TitleSplit | None:
    """'Title [pdf](url)', 'Title | **[ICLR' 20]** | ...', 'Title (2016), Authors': the text
    before the first link, '|', emphasis or tag."""
    count = 0
    while (
        count < len(runs)
        and runs[count].link is None
        and not runs[count].italic
        and not runs[count].bold
    ):
        count += 1
    text = _text(runs[:count])
    end = len(text)
    for pattern in (_PIPE, _INNER_TAG):
        for match in pattern.finditer(text):
            if pattern is _PIPE or looks_like_venue(match.group("tag")):
                end = min(end, match.start())
                break
    if not text[:end].strip(" .,;:-–—|"):
        return None
    if end == len(text) and count < len(runs) and _links_into_prose(runs, count, inline):
        return None  # 'See [this survey](url) for more': a sentence with a link, no title
    head, rest = _split(runs, end)
    return TitleSplit(head, [], rest, plain=True)


def _links_into_prose(runs: list[Run], at: int, inline: Inline) -> bool:
    """Whether the link at ``runs[at]`` sits inside a sentence: it is no label ('pdf',
    '[paper]'), no separator stands before it, and text follows it."""
    link = runs[at].link
    if link is None or is_label(inline.links[link].text):
        return False
    before = _text(runs[:at]).rstrip()
    if before.endswith((".", ":", "-", "–", "—", "|", "(", "[", ",")):
        return False
    after = _text([run for run in runs[at:] if run.link != link]).strip(" .,;:[]()")
    return bool(re.search(r"[^\W\d_]{2}", after))


TITLE_RULES = (
    title_bold_in_quotes,
    title_in_quotes,
    title_from_link,
    title_from_emphasis,
    title_as_citation,
    title_before_separator,
)

# --------------------------------------------------------------------------- tidy title

_TRAILING_TAG = re.compile(r"\s*[\(\[](?P<tag>[^\(\)\[\]]{1,60})[\)\]]\s*$")
_EDGE_QUOTES = "\"“”'‘’"
_TRAILING_SEPARATORS = " \t-–—:|,;/\\[("
_LEADING_SEPARATORS = " \t–—:|,;/\\"  # not '-': '-Diff: ...' (a lost '∞') is written so


def tidy_title(text: str, line: LineReading) -> str:
    """A title without the markup the rules leave: shortcodes, numbering, tags (kept as the
    venue or year), quotes, trailing separators and one trailing period."""
    title = squash_spaces(text)
    changed = True
    while changed:
        changed = False
        for pattern in (_LEADING_EMOJI, _LEADING_NUMBER):
            match = pattern.match(title)
            if match and match.end() and match.end() < len(title):
                title, changed = title[match.end() :], True
        leading = _LEADING_TAG.match(title)
        if leading and looks_like_leading_tag(leading.group("tag")) and leading.end() < len(title):
            line.set_venue(*_venue_year(leading.group("tag")))
            title, changed = title[leading.end() :], True
        trailing = _TRAILING_TAG.search(title)
        if trailing and looks_like_venue(trailing.group("tag")) and trailing.start() > 0:
            line.set_venue(*_venue_year(trailing.group("tag")))
            title, changed = title[: trailing.start()], True
        stripped = title.lstrip(_LEADING_SEPARATORS).rstrip(_TRAILING_SEPARATORS)
        if len(stripped) >= 2 and stripped[0] in _EDGE_QUOTES and stripped[-1] in _EDGE_QUOTES:
            stripped = stripped[1:-1]
        elif stripped[-2:] in ('."', ".”") and stripped[:1] in _EDGE_QUOTES:
            stripped = stripped[1:-2]
        if stripped != title:
            title, changed = stripped, True
    title = re.sub(_SHORTCODES, "", title).strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return squash_spaces(title)


# --------------------------------------------------------------------------- 3. field rules

_REST_TAG = re.compile(r"[\(\[](?P<tag>[^\(\)\[\]\n]{1,60})[\)\]]")
_NOTE_SEPARATORS = ' \t-–—:|,;."“”'
_NOTE_EDGES = ' \t-–—:|,;"“”'
_BY = re.compile(r"^\s*(?:by\s+)", re.IGNORECASE)


def _spans(runs: list[Run], attribute: str) -> list[tuple[int, int]]:
    """Character spans of consecutive runs with ``attribute`` set (italic, bold)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for run in runs:
        end = position + len(run.text)
        if getattr(run, attribute) and run.link is None:
            if spans and spans[-1][1] == position:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((position, end))
        position = end
    return spans


def read_rest(runs: list[Run], line: LineReading) -> None:
    """Fields from what follows the title: tags, italic venue or names, plain names, note."""
    # Link texts are blanked out (links are read apart), so offsets stay those of the runs.
    text = "".join(run.text if run.link is None else "\0" * len(run.text) for run in runs)
    taken: list[tuple[int, int]] = []
    for start, end in _spans(runs, "italic") + _spans(runs, "bold"):
        span = text[start:end].strip(" .,;:")
        inner = span.strip("[]() ")
        if looks_like_venue(inner) and len(inner.split()) <= 8:
            line.set_venue(*_venue_year(inner))
            taken.append((start, end))
        elif line.set_authors(span):
            taken.append((start, end))
    for match in _REST_TAG.finditer(text):
        if "\0" in match.group(0):
            continue
        tag = match.group("tag")
        if is_label(tag.strip("[]")):  # '[[code]]' left without its URL
            taken.append(match.span())
        elif looks_like_venue(tag):
            line.set_venue(*_venue_year(tag))
            taken.append(match.span())
    if taken:
        pieces, position = [], 0
        for start, end in sorted(taken):
            pieces.append(text[position:start])
            position = max(position, end)
        pieces.append(text[position:])
        text = "\n".join(pieces)
    notes = [note for piece in text.replace("\0", "\n").split("\n") if (note := _note(piece, line))]
    if notes:
        note = " ".join(notes)
        line.note = f"{line.note} {note}" if line.note else note


def _note(piece: str, line: LineReading) -> str:
    """A piece of plain text after the title: names (the authors), a venue, or a note."""
    ends_sentence = piece.rstrip(_NOTE_EDGES + "[]()").endswith(".")
    piece = piece.strip(_NOTE_EDGES + "[]()").rstrip(".").strip()
    if not piece:
        return ""
    piece += "." if ends_sentence else ""
    spans = _sentences(piece)
    kept = []
    for start, end in spans:
        sentence = piece[start:end].strip(_NOTE_SEPARATORS)
        if not sentence:
            continue
        if line.set_authors(_BY.sub("", sentence)):
            continue
        if not line.venue and len(sentence.split()) <= 6 and looks_like_venue(sentence):
            line.set_venue(*_venue_year(sentence))
            continue
        kept.append((start, end))
    if len(kept) == len(spans):
        return piece
    return " ".join(piece[start:end].strip(_NOTE_EDGES) for start, end in kept)


def read_links(inline: Inline, title_link: int | None, line: LineReading) -> None:
    """Every link of the line (the title's is 'paper'), badges' venues, arXiv ids in text."""
    for index, link in enumerate(inline.links):
        kind = link_kind(link.href)
        if kind is LinkKind.anchor or not link.href:
            continue
        label = "paper" if index == title_link else label_of(link.text, link.href)
        line.links.append(Link(label=label, url=link.href))
        if kind is LinkKind.paper or (index != title_link and is_paper_label(link.text)):
            line.evidence.add("paper_link")
    for image in inline.images:
        venue = badge_venue(image.src, image.alt)
        if venue is not None:
            line.set_venue(venue.venue, venue.year)
    text = "".join(run.text for run in inline.runs)
    arxiv = arxiv_in_text(text) if "arxiv" in text.casefold() else None
    if arxiv is not None and not any("arxiv.org" in link.url for link in line.links):
        line.links.append(Link(label="arxiv", url=f"https://arxiv.org/abs/{arxiv}"))
        line.evidence.add("paper_link")


def _is_author_line(text: str) -> bool:
    names = split_names(text).names
    return len(names) >= 2 and looks_like_names(names)


def read_line(inline: Inline, runs: list[Run] | None = None) -> LineReading:
    """The title and fields of one line (by default the whole inline)."""
    line = LineReading()
    runs = apply_leading_rules(list(inline.runs if runs is None else runs), line)
    split = next((found for rule in TITLE_RULES if (found := rule(runs, inline))), None)
    if split is None:
        read_links(inline, None, line)
        return line
    line.title = tidy_title(_text(split.title), line)
    if split.link is not None:
        line.title_link = link_kind(inline.links[split.link].href)
    elif split.plain and _is_author_line(line.title):
        line.set_authors(line.title)  # 'Ann Smith, Bo Li. *ICML 2019*': no title here
        line.title = ""
    if split.before:
        line.set_authors(_text(split.before).strip(" .,;:"))
    read_rest(split.rest, line)
    read_links(inline, split.link, line)
    return line


def read_more_line(runs: list[Run], line: LineReading) -> None:
    """A later line of a multi-line entry: authors (an italic or names line), a venue line
    ('arXiv 2023. [[Paper](url)]'), a date, or a note."""
    text = squash_spaces(_text([run for run in runs if run.link is None])).strip(" []()\\")
    if not text:
        return
    if is_date(text):
        if not line.year:
            line.year = year_in(text)
        return
    italic = all(run.italic for run in runs if run.text.strip(" \\"))
    if not line.set_authors(text, set_apart=italic):
        read_rest(runs, line)
