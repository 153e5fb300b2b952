"""Workshop and session pages of the conferences' "virtual" sites -> Event + ScheduleItems.

A browser's text copy and the HTML the site serves go through one line grammar: the text is
split into lines, the HTML becomes the same stream of visible lines
(:func:`pipeline.parse.events.html_lines.html_lines`, which also keeps each line's links).

Each line is first classified by its own shape (a time slot, a type marker, a poster spot,
an author line ending in '🔗', a section heading, plain text...); the grammar then reads
the classified stream:

* schedule layout (workshops): ``[time] title [type] (spot | video | text)* [names 🔗]``,
  followed by the optional 'Author Information' (organisers) and 'More from the Same
  Authors' (other events, never items) sections;
* listing layout (session pages): a ``<Kind> Session`` heading, the session title, then
  ``title / authors / abstract`` blocks.

Nothing in the grammar depends on hyphens (browser copies drop them). Every line it cannot
place becomes a :class:`~pipeline.models.ParseWarning`; known page furniture ('|', '🔗',
'SlidesLive Video »') is consumed silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta
from enum import Enum, auto
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.core.ids import disambiguate, short_hash
from pipeline.core.text import collapse_spaces, normalise_title, surname
from pipeline.models import (
    PAPER_ITEM_TYPES,
    Event,
    EventDocument,
    EventKind,
    ItemType,
    Link,
    Organizer,
    ParseWarning,
    Provenance,
    ScheduleItem,
    Source,
)
from pipeline.parse.events.html_lines import HtmlError, VisibleLine, html_lines

__all__ = ["looks_like_schedule", "parse_schedule_html", "parse_schedule_text"]


# --------------------------------------------------------------------------- line shapes

_DAY = r"(?P<day>Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?"
_CLOCK = r"\d{1,2}:\d{2}(?:\s*[ap]\.?\s*m\.?)?"
# The dash between start and end is optional: some copies lose it ('9:00 a.m.  9:05 a.m.').
_TIME_LINE = re.compile(
    rf"^{_DAY}\s+(?P<start>{_CLOCK})(?:\s*(?:[-–—]|to)?\s*(?P<end>{_CLOCK}))?"
    r"(?:\s+(?P<zone>[A-Z]{2,5}))?$",
    re.IGNORECASE,
)
_CLOCK_PARTS = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)
_TYPE_INLINE = re.compile(r"^\(\s*([^()]{1,40}?)\s*\)$")
_BRACKETED = re.compile(r"^\[\s*(.{1,80}?)\s*\]$")
_SPOT = re.compile(r"\bSpot\s+(\S+)", re.IGNORECASE)
_SLIDES = re.compile(r"^SlidesLive Video\s*»?\s*", re.IGNORECASE)
_ABSTRACT_LABEL = re.compile(r"^Abstract\s*:\s*", re.IGNORECASE)
_LINK_WIDGET = re.compile(r"^[^»]{1,24}»$")  # 'link »', 'Timezone: »'
_TIMEZONE = re.compile(r"^Time\s*zone\s*:\s*(?P<zone>[^»]*?)\s*»?$", re.IGNORECASE)
_END_MARK = "🔗"
# 'Oral Session', 'Workshop': the first line of a page that shows its kind above its title.
_KIND_HEADING = re.compile(r"^(?:(?P<word>[A-Za-z]+)\s+)?(?P<kind>Session|Workshop)$")
_LABELLED_URL = re.compile(r"^(?P<label>[^:]{1,60}?)\s*:\s*(?P<url>https?://\S+)$")
_ORGANISER = re.compile(r"^(?P<name>[^()]{2,80}?)\s*\((?P<affiliation>.+)\)$")
_AUTHOR_SECTIONS = frozenset({"author information", "organizers", "organisers"})
_OTHER_EVENTS_SECTIONS = frozenset({"more from the same authors"})
_NAME_SEPARATOR = re.compile(r"\s*[·•]\s*")


class Kind(Enum):
    blank = auto()
    separator = auto()  # '|' (table furniture of the copy)
    dash = auto()  # '-' before each untimed slot
    time = auto()
    type = auto()
    spot = auto()
    video = auto()  # 'SlidesLive Video »' (+ the abstract's first paragraph)
    widget = auto()  # 'link »', '[ Paper ]': a link whose URL only the HTML has
    timezone = auto()
    end = auto()  # 'A · B 🔗': the names, then the item's permalink
    authors_section = auto()
    other_events_section = auto()
    text = auto()


_BLANK = frozenset({Kind.blank})
_FILLER = frozenset({Kind.blank, Kind.separator})  # never content, never warned about


@dataclass(slots=True)
class Token:
    kind: Kind
    text: str  # the payload: title, label, spot, names...
    line: int | None
    links: tuple[Link, ...] = ()
    raw: str = ""


def _classify(line: VisibleLine) -> Token:
    raw = " ".join(line.text.split())  # = collapse_spaces, cheaper on 10 MB pages
    text = raw
    while text.endswith("|"):  # the copy's cell separators trail some lines
        text = text[:-1].rstrip()
    kind, payload = _shape(text) if text else (Kind.separator if raw else Kind.blank, "")
    return Token(kind, payload, line.line, line.links, raw)


def _shape(text: str) -> tuple[Kind, str]:
    """The kind of a non-empty line and its payload, from the line's own shape."""
    if text in {"-", "–", "—"}:
        return Kind.dash, ""
    if text.endswith(_END_MARK):
        return Kind.end, text[: -len(_END_MARK)].strip()
    if text in {"(", ")"}:
        return Kind.text, text  # merged with its label by _merge_split_types
    if _TIME_LINE.match(text):
        return Kind.time, text
    if match := _TYPE_INLINE.match(text):
        return Kind.type, match.group(1)
    if match := _BRACKETED.match(text):
        spot = _SPOT.search(match.group(1))
        return (Kind.spot, spot.group(1)) if spot else (Kind.widget, match.group(1))
    if match := _SLIDES.match(text):
        return Kind.video, _ABSTRACT_LABEL.sub("", text[match.end() :]).strip()
    if match := _TIMEZONE.match(text):
        return Kind.timezone, match.group("zone")
    if _LINK_WIDGET.match(text):
        return Kind.widget, text[:-1].strip()
    if len(text) <= 40:
        folded = text.casefold()
        if folded in _AUTHOR_SECTIONS:
            return Kind.authors_section, text
        if folded in _OTHER_EVENTS_SECTIONS:
            return Kind.other_events_section, text
    return Kind.text, text


def _merge_split_types(tokens: list[Token]) -> list[Token]:
    """'(' / 'Plenary Speaker' / ')' on three lines is one type marker."""
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind is Kind.text and token.text == "(":
            label_at = _skip(tokens, index + 1, _BLANK)
            close_at = _skip(tokens, label_at + 1, _BLANK)
            if (
                close_at < len(tokens)
                and tokens[label_at].kind is Kind.text
                and len(tokens[label_at].text) <= 40
                and tokens[close_at].kind is Kind.text
                and tokens[close_at].text == ")"
            ):
                links = token.links + tokens[label_at].links + tokens[close_at].links
                merged.append(Token(Kind.type, tokens[label_at].text, token.line, links, "("))
                index = close_at + 1
                continue
        merged.append(token)
        index += 1
    return merged


def _skip(tokens: list[Token], index: int, kinds: frozenset[Kind]) -> int:
    while index < len(tokens) and tokens[index].kind in kinds:
        index += 1
    return index


def tokenize(lines: Iterable[VisibleLine]) -> list[Token]:
    """Classify every visible line by its shape."""
    return _merge_split_types([_classify(line) for line in lines])


def text_lines(text: str) -> list[VisibleLine]:
    """A text capture as visible lines, numbered as an editor numbers them."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return [VisibleLine(line, number) for number, line in enumerate(normalised.split("\n"), 1)]


# --------------------------------------------------------------------------- names and types


def looks_like_name(text: str) -> bool:
    """A person's name as the sites print it: a few capitalised words, no sentence marks."""
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60 or text[-1] in ".,:;!?":
        return False
    if any(ch.isdigit() for ch in text) or not words[0][0].isupper():
        return False
    return sum(any(ch.isupper() for ch in word) for word in words) * 2 >= len(words)


def looks_like_name_list(text: str) -> bool:
    """'A · B · C': an author line without its '🔗' (session pages, some HTML layouts)."""
    names = [name for name in _NAME_SEPARATOR.split(text) if name]
    return len(names) >= 2 and all(looks_like_name(name) for name in names)


# Type labels as the sites print them, normalised (case-folded, plural 's' dropped).
_TYPE_LABELS: dict[str, ItemType] = {
    "invited talk": ItemType.invited_talk,
    "invited speaker": ItemType.invited_talk,
    "plenary speaker": ItemType.invited_talk,
    "plenary talk": ItemType.invited_talk,
    "keynote": ItemType.invited_talk,
    "keynote talk": ItemType.invited_talk,
    "spotlight": ItemType.spotlight,
    "spotlight talk": ItemType.spotlight,
    "oral": ItemType.oral,
    "oral presentation": ItemType.oral,
    "poster": ItemType.poster,
    "contributed talk": ItemType.contributed_talk,
    "opening": ItemType.remarks,
    "closing": ItemType.remarks,
    "remark": ItemType.remarks,
    "opening remark": ItemType.remarks,
    "closing remark": ItemType.remarks,
    "introduction": ItemType.remarks,
    "welcome": ItemType.remarks,
    "live q&a": ItemType.discussion,
    "q&a": ItemType.discussion,
    "panel": ItemType.discussion,
    "panel discussion": ItemType.discussion,
    "discussion": ItemType.discussion,
    "break": ItemType.break_,
    "coffee break": ItemType.break_,
    "lunch": ItemType.break_,
    "lunch break": ItemType.break_,
}
# An untyped slot is named by its title: 'Lunch', 'Coffee Break', 'Poster Session/Coffee Break'.
_UNTYPED_KEYWORDS: tuple[tuple[re.Pattern[str], ItemType], ...] = (
    (re.compile(r"\b(?:break|lunch|coffee|poster session|social)\b", re.I), ItemType.break_),
    (re.compile(r"\b(?:remarks|opening|closing|welcome)\b", re.I), ItemType.remarks),
    (re.compile(r"\b(?:panel|q&a|discussion)\b", re.I), ItemType.discussion),
    (re.compile(r"\b(?:invited talk|keynote)\b", re.I), ItemType.invited_talk),
)


def _normalise_label(label: str) -> str:
    words = collapse_spaces(label).casefold().split()
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words)


def item_type(label: str | None, title: str) -> ItemType:
    """The normalised type of a slot, from its label or, when it has none, its title."""
    if label is not None:
        return _TYPE_LABELS.get(_normalise_label(label), ItemType.other)
    for keywords, kind in _UNTYPED_KEYWORDS:
        if keywords.search(title):
            return kind
    return ItemType.other


# --------------------------------------------------------------------------- the grammar


@dataclass(slots=True)
class _Slot:
    """An item being read."""

    title: str | None = None
    title_line: int | None = None
    first_line: int | None = None
    label: str | None = None
    time: re.Match[str] | None = None
    names: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    spots: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    ended: bool = False

    def keep_links(self, token: Token) -> None:
        for link in token.links:
            if all(known.url != link.url for known in self.links):
                self.links.append(link)


class _Reader:
    """Reads the token stream of one page into an EventDocument."""

    def __init__(self, tokens: list[Token], source: Source) -> None:
        self.tokens = tokens
        self.source = source
        self.warnings: list[ParseWarning] = []
        self.slots: list[_Slot] = []
        self.description: list[str] = []
        self.event_links: list[Link] = []
        self.organizers: list[Organizer] = []
        self.title: str | None = None
        self.title_line: int | None = None
        self.kind_heading: re.Match[str] | None = None
        self.timezone_shown: str | None = None
        self.uses_end_marks = any(token.kind is Kind.end for token in tokens)
        self.slots_without_end_marks = False

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(ParseWarning(line=line, message=message))

    def at(self, index: int) -> Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def next_content(self, index: int) -> int:
        return _skip(self.tokens, index, _FILLER)

    # ------------------------------------------------------------------ layouts

    def layout(self) -> str | None:
        kinds = {token.kind for token in self.tokens}
        if kinds & {Kind.time, Kind.type, Kind.spot, Kind.video, Kind.end}:
            return "schedule"
        if any(self.listing_item_starts(index) for index in range(len(self.tokens))):
            return "listing"
        return None

    def read(self) -> None:
        index = self.heading(self.next_content(0))
        layout = self.layout()
        if layout is None:
            lines = sum(token.kind is not Kind.blank for token in self.tokens)
            self.warn(
                None,
                "no recognisable schedule: no time slot, type marker, poster spot or "
                f"author line in {lines} non-empty line(s); nothing read",
            )
            return
        if layout == "schedule":
            self.read_schedule(index)
        else:
            self.read_listing(index)
        if not self.slots:
            self.warn(None, "no complete schedule item found")

    def heading(self, index: int) -> int:
        """'Oral Session' / 'Workshop' then the title, when the capture starts with them."""
        token = self.at(index)
        if token is None or token.kind is not Kind.text:
            return index
        match = _KIND_HEADING.match(token.text)
        word = match.group("word") if match else None
        if match is None or (word is not None and _normalise_label(word) not in _TYPE_LABELS):
            return index  # 'HiLD Workshop' is a title, not the page's kind
        self.kind_heading = match
        title_at = self.next_content(index + 1)
        title = self.at(title_at)
        if title is None or title.kind is not Kind.text:
            self.warn(token.line, f"'{token.text}' heading without a title after it")
            return index + 1
        self.title, self.title_line = title.text, title.line
        self.event_links.extend(token.links + title.links)
        after = self.next_content(title_at + 1)
        names = self.at(after)
        if names is not None and names.kind is Kind.text and looks_like_name_list(names.text):
            self.organizers = [Organizer(name=name) for name in _split_names(names.text)]
            return after + 1
        return title_at + 1

    # ------------------------------------------------------------------ schedule layout

    def schedule_item_starts(self, index: int) -> bool:
        token = self.tokens[index]
        if token.kind in {Kind.time, Kind.dash}:
            return True
        if token.kind is not Kind.text:
            return False
        after = self.at(self.next_content(index + 1))
        return after is not None and after.kind is Kind.type

    def read_schedule(self, index: int) -> None:
        in_preamble = True
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.kind is Kind.authors_section:
                index = self.read_organizers(index + 1)
            elif token.kind is Kind.other_events_section:
                index = self.skip_other_events(index + 1)
            elif self.schedule_item_starts(index):
                in_preamble = False
                index = self.read_slot(index)
            else:
                if in_preamble:
                    self.preamble_line(token)
                else:
                    self.unplaced(token, "outside any schedule item")
                index += 1

    def read_slot(self, index: int) -> int:
        slot = _Slot()
        token = self.tokens[index]
        slot.first_line = token.line
        slot.keep_links(token)
        if token.kind in {Kind.time, Kind.dash}:
            if token.kind is Kind.time:
                slot.time = _TIME_LINE.match(token.text)
            index = self.next_content(index + 1)
            while (dash := self.at(index)) is not None and dash.kind is Kind.dash:
                index = self.next_content(index + 1)  # '-' then a time: one slot
            token_or_none = self.at(index)
            if token_or_none is not None and token_or_none.kind is Kind.time and slot.time is None:
                slot.time = _TIME_LINE.match(token_or_none.text)
                index = self.next_content(index + 1)
        title = self.at(index)
        if title is not None and title.kind is Kind.text:
            slot.title, slot.title_line = title.text, title.line
            slot.keep_links(title)
            index += 1
        marker_at = self.next_content(index)
        marker = self.at(marker_at)
        if marker is not None and marker.kind is Kind.type:
            slot.label = marker.text
            slot.keep_links(marker)
            index = marker_at + 1
        index = self.read_body(slot, index)
        self.finish_slot(slot, at_end=index >= len(self.tokens))
        return index

    def read_body(self, slot: _Slot, index: int) -> int:
        while index < len(self.tokens):
            token = self.tokens[index]
            kind = token.kind
            if kind in _FILLER:
                index += 1
                continue
            if kind is Kind.end:
                slot.keep_links(token)
                self.take_names(slot, token)
                slot.ended = True
                return index + 1
            if kind in {Kind.authors_section, Kind.other_events_section}:
                return index
            if self.schedule_item_starts(index):
                return index
            slot.keep_links(token)
            if kind is Kind.spot:
                slot.spots.append(token.text)
            elif kind is Kind.video:
                if token.text:
                    slot.abstract.append(token.text)
            elif kind is Kind.text:
                slot.abstract.append(token.text)
            elif kind is Kind.widget:
                pass  # its URL, when the HTML has it, is kept with the links
            else:
                self.unplaced(token, f"inside item '{slot.title or '?'}'")
            index += 1
        return index

    def take_names(self, slot: _Slot, token: Token) -> None:
        text = token.text
        if not text and slot.abstract and _is_names_paragraph(slot.abstract[-1]):
            text = slot.abstract.pop()  # names and '🔗' on separate lines (some HTML layouts)
        slot.names = self.dedupe_names(_split_names(text), token.line)

    def dedupe_names(self, names: list[str], line: int | None) -> list[str]:
        kept: list[str] = []
        for name in names:
            if kept and kept[-1] == name:
                self.warn(line, f"repeated name '{name}' dropped from the author line")
                continue
            kept.append(name)
        return kept

    def finish_slot(self, slot: _Slot, *, at_end: bool) -> None:
        line = slot.title_line or slot.first_line
        if not slot.ended and not at_end:
            self.slots_without_end_marks = True
        # The sites end every slot with '🔗'; a last slot without it is cut off, unless the
        # page has shown that its slots go without (a later slot started, no '🔗' seen).
        marks_expected = self.uses_end_marks or not self.slots_without_end_marks
        if at_end and not slot.ended and marks_expected:
            what = f"'{slot.title}'" if slot.title else "an untitled item"
            self.warn(line, f"capture ends inside {what} (no '🔗' author line): item dropped")
            return
        if slot.title is None:
            self.warn(line, "schedule slot without a title: dropped")
            return
        self.slots.append(slot)

    # ------------------------------------------------------------------ listing layout

    def listing_item_starts(self, index: int) -> bool:
        token = self.tokens[index]
        if token.kind is not Kind.text or looks_like_name_list(token.text):
            return False
        after = self.at(_skip(self.tokens, index + 1, _BLANK))
        return after is not None and after.kind is Kind.text and looks_like_name_list(after.text)

    def read_listing(self, index: int) -> None:
        in_preamble = True
        while index < len(self.tokens):
            token = self.tokens[index]
            if not self.listing_item_starts(index):
                if in_preamble:
                    self.preamble_line(token)
                else:
                    self.unplaced(token, "outside any item")
                index += 1
                continue
            in_preamble = False
            slot = _Slot(title=token.text, title_line=token.line, first_line=token.line)
            slot.keep_links(token)
            names_at = _skip(self.tokens, index + 1, _BLANK)
            names = self.tokens[names_at]
            slot.keep_links(names)
            slot.names = self.dedupe_names(_split_names(names.text), names.line)
            slot.ended = True
            index = names_at + 1
            while index < len(self.tokens) and not self.listing_item_starts(index):
                body = self.tokens[index]
                if body.kind is Kind.text:
                    slot.abstract.append(body.text)
                    slot.keep_links(body)
                elif body.kind not in _FILLER:
                    self.unplaced(body, f"inside item '{slot.title}'")
                index += 1
            self.slots.append(slot)

    # ------------------------------------------------------------------ other sections

    def preamble_line(self, token: Token) -> None:
        if token.kind in _FILLER:
            return
        if token.kind is Kind.timezone:
            self.timezone_shown = token.text or None
            return
        if token.kind is Kind.widget:
            self.add_event_links(token.links)
            return
        if token.kind is not Kind.text:
            self.unplaced(token, "before the schedule")
            return
        self.add_event_links(token.links)
        if match := _LABELLED_URL.match(token.text):
            self.add_event_links([Link(label=match.group("label"), url=match.group("url"))])
            return
        self.description.append(token.text)

    def add_event_links(self, links: Iterable[Link]) -> None:
        for link in links:
            for position, known in enumerate(self.event_links):
                if known.url == link.url:
                    # A label the text gives ('Gathertown room1 link') beats the bare URL.
                    if known.label == known.url:
                        self.event_links[position] = link
                    break
            else:
                self.event_links.append(link)

    def read_organizers(self, index: int) -> int:
        bios: dict[int, list[str]] = {}
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.kind is Kind.other_events_section or self.schedule_item_starts(index):
                break
            if token.kind is Kind.text:
                match = _ORGANISER.match(token.text)
                if match and looks_like_name(match.group("name")):
                    name, affiliation = match.group("name"), match.group("affiliation")
                    self.organizers.append(Organizer(name=name, affiliation=affiliation))
                elif looks_like_name(token.text):
                    self.organizers.append(Organizer(name=token.text))
                elif self.organizers:
                    bios.setdefault(len(self.organizers) - 1, []).append(token.text)
                else:
                    self.unplaced(token, "in 'Author Information' before any organiser")
            elif token.kind not in {Kind.blank, Kind.separator, Kind.dash}:
                self.unplaced(token, "in 'Author Information'")
            index += 1
        for position, paragraphs in bios.items():
            organizer = self.organizers[position]
            self.organizers[position] = organizer.model_copy(update={"bio": "\n".join(paragraphs)})
        return index

    def skip_other_events(self, index: int) -> int:
        """'More from the Same Authors' lists other events of the organisers: never items."""
        while index < len(self.tokens) and self.tokens[index].kind is not Kind.authors_section:
            index += 1
        return index

    def unplaced(self, token: Token, where: str) -> None:
        if token.kind in _FILLER:
            return
        shown = token.raw if len(token.raw) <= 80 else token.raw[:77] + "..."
        self.warn(token.line, f"line {where} not understood: '{shown}'")


def _split_names(text: str) -> list[str]:
    return [
        name for name in (collapse_spaces(part) for part in _NAME_SEPARATOR.split(text)) if name
    ]


def _is_names_paragraph(text: str) -> bool:
    return looks_like_name_list(text) or (looks_like_name(text) and len(text.split()) <= 4)


# --------------------------------------------------------------------------- records


def _clock(shown: str) -> time | None:
    match = _CLOCK_PARTS.match(shown)
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _slot_date(day: str, event_date: Date) -> Date | None:
    """The date of a weekday shown next to a slot: the event's date or a day around it."""
    weekday = _WEEKDAYS.index(day[:3].lower())
    for offset in (0, 1, -1, 2, -2, 3, -3):
        candidate = event_date + timedelta(days=offset)
        if candidate.weekday() == weekday:
            return candidate
    return None  # unreachable: seven offsets cover every weekday


class _Clock:
    """Turns a slot's shown day and times into datetimes in the event's time zone."""

    def __init__(self, reader: _Reader, event_date: Date | None, zone_name: str | None) -> None:
        self.reader = reader
        self.event_date = event_date
        self.zone: ZoneInfo | None = None
        if zone_name:
            try:
                self.zone = ZoneInfo(zone_name)
            except (ZoneInfoNotFoundError, ValueError):
                reader.warn(None, f"unknown time zone '{zone_name}': no datetimes")

    def resolve(
        self, match: re.Match[str], line: int | None
    ) -> tuple[datetime | None, datetime | None]:
        if self.event_date is None or self.zone is None:
            return None, None
        start = _clock(match.group("start"))
        end = _clock(match.group("end")) if match.group("end") else None
        day = _slot_date(match.group("day"), self.event_date)
        if start is None or day is None or (match.group("end") and end is None):
            self.reader.warn(line, f"time slot '{match.group(0)}' not understood: no datetimes")
            return None, None
        start_at = datetime.combine(day, start, self.zone)
        if end is None:
            return start_at, None
        end_at = datetime.combine(day, end, self.zone)
        if end_at < start_at:  # the slot runs past midnight
            end_at = datetime.combine(day + timedelta(days=1), end, self.zone)
        return start_at, end_at


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _shown_clock(text: str | None) -> str | None:
    return collapse_spaces(text) if text else None


def _split_speaker_from_title(
    title: str, kind: ItemType, speakers: list[str]
) -> tuple[str, str | None]:
    """'Talk title, Murat A. Erdogdu' -> ('Talk title', 'Murat A. Erdogdu') for a talk."""
    if kind in PAPER_ITEM_TYPES or ", " not in title:
        return title, None
    head, tail = title.rsplit(", ", 1)
    if not head or not looks_like_name(tail):
        return title, None
    confirmed = surname(tail) in {surname(name) for name in speakers}
    if confirmed or (not speakers and kind is ItemType.invited_talk):
        return head.strip(), tail
    return title, None


def _event(reader: _Reader, source: Source) -> Event:
    """The page's event: what the capture shows, the rest from the source metadata."""
    heading = reader.kind_heading
    if heading is not None:
        is_session = heading.group("kind") == "Session"
    else:
        is_session = source.kind == "session"
    timezone = source.timezone
    if timezone is None and reader.timezone_shown:
        if _known_zone(reader.timezone_shown):
            timezone = reader.timezone_shown
        else:
            reader.warn(None, f"time zone '{reader.timezone_shown}' is not an IANA name")
    return Event(
        id=source.id,
        title=reader.title or source.title,
        venue=source.venue,
        year=source.year,
        date=source.date,
        timezone=timezone,
        kind=EventKind.session if is_session else EventKind.workshop,
        url=source.url,
        description="\n".join(reader.description) or None,
        organizers=reader.organizers,
        links=reader.event_links,
        provenance=Provenance(source_id=source.id, line=reader.title_line),
    )


def _item_fields(
    slot: _Slot, title: str, session_label: str | None, reader: _Reader, clock: _Clock
) -> dict[str, Any]:
    """A slot's ScheduleItem fields, all but its id."""
    # A session page's items take their type from its heading ('Oral Session' -> oral).
    label = slot.label if slot.label is not None or session_label is None else session_label
    kind = item_type(label, title)
    names = list(slot.names)
    authors, speakers = (names, []) if kind in PAPER_ITEM_TYPES else ([], names)
    title, speaker = _split_speaker_from_title(title, kind, speakers)
    if speaker is not None and surname(speaker) not in {surname(name) for name in speakers}:
        speakers.append(speaker)
    if kind in PAPER_ITEM_TYPES and not authors:
        reader.warn(slot.title_line, f"{kind.value} '{title}' has no authors")
    match = slot.time
    start_at, end_at = clock.resolve(match, slot.first_line) if match else (None, None)
    return {
        "event_id": reader.source.id,
        "title": title,
        "type": kind,
        "type_label": slot.label,
        "authors": authors,
        "speakers": speakers,
        "day": match.group("day") if match else None,
        "start": _shown_clock(match.group("start")) if match else None,
        "end": _shown_clock(match.group("end")) if match else None,
        "start_at": start_at,
        "end_at": end_at,
        "abstract": "\n".join(slot.abstract) or None,
        "poster_spots": slot.spots,
        "links": slot.links,
        "provenance": Provenance(source_id=reader.source.id, line=slot.title_line),
    }


def _build(reader: _Reader, source: Source) -> EventDocument:
    event = _event(reader, source)
    clock = _Clock(reader, source.date, event.timezone)
    session_label = reader.kind_heading.group("word") if reader.kind_heading else None
    drafts = [
        _item_fields(slot, slot.title, session_label, reader, clock)
        for slot in reader.slots
        if slot.title is not None  # finish_slot keeps titled slots only
    ]
    # Ids survive re-runs and lost hyphens; the same title and type twice gets '-2'.
    ids = disambiguate(
        [
            f"{source.id}-{short_hash(normalise_title(draft['title']), draft['type'].value)}"
            for draft in drafts
        ]
    )
    items = [
        ScheduleItem.model_validate({"id": item_id, **draft})
        for item_id, draft in zip(ids, drafts, strict=True)
    ]
    kind: Literal["workshop", "session"] = (
        "session" if event.kind is EventKind.session else "workshop"
    )
    return EventDocument(
        kind=kind, title=event.title, event=event, items=items, warnings=reader.warnings
    )


# --------------------------------------------------------------------------- entry points


def parse_lines(lines: Iterable[VisibleLine], source: Source) -> EventDocument:
    """Parse a visible line stream (from a text capture or from HTML)."""
    reader = _Reader(tokenize(lines), source)
    if all(token.kind is Kind.blank for token in reader.tokens):
        reader.warn(None, "empty document: no text to read")
    else:
        reader.read()
    return _build(reader, source)


def parse_schedule_text(text: str, source: Source) -> EventDocument:
    """Parse the page text a browser copies from a workshop or session page."""
    return parse_lines(text_lines(text), source)


def parse_schedule_html(html: str, source: Source) -> EventDocument:
    """Parse the HTML a virtual site serves for a workshop or session page."""
    try:
        lines = html_lines(html, base_url=source.url)
    except HtmlError as error:
        reader = _Reader([], source)
        reader.warn(None, f"HTML not readable: {error}")
        return _build(reader, source)
    return parse_lines(lines, source)


def looks_like_schedule(text: str) -> bool:
    """Whether a capture (text, or HTML) is a workshop/session page rather than a README."""
    head = text.lstrip()[:1000].lower()
    if head.startswith("<") and ("<html" in head or "<body" in head or "<div" in head):
        try:
            lines = html_lines(text)
        except HtmlError:
            return False
    else:
        lines = text_lines(text)
    tokens = tokenize(lines)
    markers = sum(
        token.kind in {Kind.time, Kind.type, Kind.spot, Kind.video, Kind.end} for token in tokens
    )
    if markers >= 3:
        return True
    first = next((token for token in tokens if token.kind is not Kind.blank), None)
    if first is None or first.kind is not Kind.text or not _KIND_HEADING.match(first.text):
        return False
    reader = _Reader(tokens, Source(id="probe", kind="session", url=""))
    return any(reader.listing_item_starts(index) for index in range(len(tokens)))
