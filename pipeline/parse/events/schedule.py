"""The line grammar: event pages read from their visible lines -> Event + ScheduleItems.

A browser's text copy and HTML no page template knows go through this one grammar: the
text is split into lines, the HTML becomes the same stream of visible lines
(:func:`pipeline.parse.events.html_lines.html_lines`, which also keeps each line's links).

Each line is first classified by its own shape (a time in one of the forms of
:mod:`~pipeline.parse.events.times`, a type marker, a poster spot or number, an author line
ending in '🔗', a section heading, site chrome, plain text...); the site's menu before the
content, its footer and sign-in notices are set aside. The grammar then reads the stream:

* schedule layout (workshops): ``[time] title [type] (spot | video | text)* [names 🔗]``;
  ``→ title`` lines are papers of the session slot above them; then the optional 'Author
  Information' (organisers) and 'More from the Same Authors' (other events, never items)
  sections;
* listing layout (session pages, lists of orals, posters or workshops): a heading such as
  ``<Kind> Session`` and its title, then ``title [label] names [time] [room] [#nn] abstract``
  cards.

Nothing in the grammar depends on hyphens (browser copies drop them). Every line it cannot
place becomes a :class:`~pipeline.models.ParseWarning`; known page furniture ('|', '🔗',
'SlidesLive Video »', the site's menu) is consumed silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, auto

from pipeline.models import EventDocument, Link, Organizer, ParseWarning, Source
from pipeline.parse.events.chrome import Chrome, chrome_of
from pipeline.parse.events.html_lines import HtmlError, VisibleLine, html_lines
from pipeline.parse.events.names import looks_like_name, looks_like_name_list, split_names
from pipeline.parse.events.records import (
    EventDraft,
    ItemDraft,
    PageKind,
    build_document,
    is_type_label,
    normalise_label,
)
from pipeline.parse.events.times import ShownTime, parse_time, time_at_end

__all__ = [
    "guess_page_kind",
    "looks_like_schedule",
    "parse_lines",
    "parse_schedule_html",
    "parse_schedule_text",
]


# --------------------------------------------------------------------------- line shapes

_TYPE_INLINE = re.compile(r"^\(\s*([^()]{1,40}?)\s*\)$")
_BRACKETED = re.compile(r"^\[\s*(.{1,80}?)\s*\]$")
_SPOT = re.compile(r"\bSpot\s+(\S+)", re.IGNORECASE)
_SLIDES = re.compile(r"^SlidesLive Video\s*»?\s*", re.IGNORECASE)
_ABSTRACT_LABEL = re.compile(r"^Abstract\s*:\s*", re.IGNORECASE)
_LINK_WIDGET = re.compile(r"^[^»]{1,24}»$")  # 'link »', 'Timezone: »'
_TIMEZONE = re.compile(r"^Time\s*zone\s*:\s*(?P<zone>[^»]*?)\s*»?$", re.IGNORECASE)
_POSITION = re.compile(r"^(?:Poster\s+)?(?P<position>#\s?\d{1,5})$", re.IGNORECASE)
_ROOM_POSITION = re.compile(r"^(?P<room>.*?)\s*(?P<position>#\s?\d{1,5})$")
_ARROW = re.compile(r"^(?:→|->|➔)\s*(?P<title>\S.*)$")
_END_MARK = "🔗"
_LABELLED_URL = re.compile(r"^(?P<label>[^:]{1,60}?)\s*:\s*(?P<url>https?://\S+)$")
_ORGANISER = re.compile(r"^(?P<name>[^()]{2,80}?)\s*\((?P<affiliation>.+)\)$")
_ROLE = re.compile(
    r"^(?P<role>(?:Session )?(?:Moderator|Chair|Host)s?)\s*[:»]?\s*(?P<names>.*)$", re.I
)
_AUTHOR_SECTIONS = frozenset({"author information", "organizers", "organisers"})
_OTHER_EVENTS_SECTIONS = frozenset({"more from the same authors"})

# 'Oral Session', 'Workshop': the first line of a page that shows its kind above its title.
_KIND_HEADING = re.compile(r"^(?:(?P<word>[A-Za-z]+)\s+)?(?P<kind>Session|Workshop)$")
# Pages of one kind of event with a program, and pages of one presentation.
_PROGRAM_HEADINGS = frozenset(
    {"tutorial", "social", "affinity workshop", "affinity event", "competition", "expo workshop"}
)
_PRESENTATION_HEADINGS = frozenset(
    {"poster", "oral", "spotlight", "spotlight poster", "invited talk", "expo talk panel"}
)
# Type labels a card or schedule row shows on a line of their own ('Poster', not '(Poster)').
_CARD_LABELS = frozenset(
    {
        "poster", "spotlight poster", "spotlight", "oral", "invited talk", "contributed talk",
        "keynote", "workshop", "affinity workshop", "tutorial", "remark", "opening remark",
        "closing remark", "panel", "panel discussion", "break", "poster session",
    }
)  # fmt: skip
# Card furniture of listings: the abstract toggle and media buttons, as their label shows.
_CARD_WIDGETS = frozenset(
    {"abstract", "show abstract", "hide abstract", "slides", "video", "chat", "pdf", "paper",
     "openreview", "code", "project page", "website", "poster", "visit", "more"}
)  # fmt: skip


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
    position = auto()  # '#36': a poster's board number
    arrow = auto()  # '→ title': a paper of the session slot above
    authors_section = auto()
    other_events_section = auto()
    menu = auto()  # the site's navigation (only before the page's content)
    footer = auto()  # the site's footer: never content
    sign_in = auto()  # 'Log in and register to view live content'
    text = auto()


_BLANK = frozenset({Kind.blank})
_FILLER = frozenset({Kind.blank, Kind.separator})  # never content, never warned about
# Sets of kinds the grammar asks about (made once: a page has 100k+ lines).
_FURNITURE = frozenset({Kind.footer, Kind.sign_in})
_ITEM_MARKS = frozenset({Kind.type, Kind.end})
_TIMED = frozenset({Kind.time, Kind.dash})
_SLOT_STARTS = frozenset({Kind.time, Kind.dash, Kind.arrow})
_SECTIONS = frozenset({Kind.authors_section, Kind.other_events_section})
_CARD_PREFIXES = frozenset({Kind.time, Kind.position})
_CARD_DETAILS = frozenset({Kind.time, Kind.position, Kind.widget})
_ORGANISER_FILLER = frozenset({Kind.blank, Kind.separator, Kind.dash})
_SCHEDULE_MARKERS = frozenset({Kind.time, Kind.type, Kind.spot, Kind.video, Kind.end})
_SCHEDULE_ONLY = frozenset({Kind.type, Kind.spot, Kind.video, Kind.end, Kind.arrow})


@dataclass(slots=True)
class Token:
    kind: Kind
    text: str  # the payload: title, label, spot, names...
    line: int | None
    links: tuple[Link, ...] = ()
    raw: str = ""
    shown: ShownTime | None = None  # a time's parts


def _classify(line: VisibleLine) -> list[Token]:
    raw = " ".join(line.text.split())  # = collapse_spaces, cheaper on 10 MB pages
    text = raw
    while text.endswith("|"):  # the copy's cell separators trail some lines
        text = text[:-1].rstrip()
    if not text:
        return [Token(Kind.separator if raw else Kind.blank, "", line.line, line.links, raw)]
    kind, payload = _shape(text)
    if kind is Kind.time:
        return [Token(kind, payload, line.line, line.links, raw, parse_time(payload))]
    if kind is Kind.text and (split := time_at_end(text)) is not None:
        # 'Poster Session 2 Sat 3 Dec 07:30 a.m.': the slot's time, then its text.
        head, shown = split
        head_kind, head_payload = _shape(head)
        return [
            Token(Kind.time, shown.text, line.line, (), raw, shown),
            Token(head_kind, head_payload, line.line, line.links, raw),
        ]
    return [Token(kind, payload, line.line, line.links, raw)]


def _shape(text: str) -> tuple[Kind, str]:
    """The kind of a non-empty line and its payload, from the line's own shape."""
    if text in {"-", "–", "—"}:
        return Kind.dash, ""
    if text.endswith(_END_MARK):
        return Kind.end, text[: -len(_END_MARK)].strip()
    if text in {"(", ")"}:
        return Kind.text, text  # merged with its label by _merge_split_types
    if parse_time(text) is not None:
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
        if match := _POSITION.match(text):
            return Kind.position, match.group("position").replace(" ", "")
    if match := _ARROW.match(text):
        return Kind.arrow, match.group("title")
    chrome = chrome_of(text)
    if chrome is not None:
        return _CHROME_KINDS[chrome], text
    return Kind.text, text


_CHROME_KINDS = {Chrome.menu: Kind.menu, Chrome.footer: Kind.footer, Chrome.sign_in: Kind.sign_in}


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


def _set_chrome_aside(tokens: list[Token]) -> bool:
    """Blank the site's furniture; True when the page asks to sign in.

    The menu is furniture only before the page's own content: a 'Schedule' or 'Posters'
    line later is content again. Footer and sign-in lines are furniture anywhere.
    """
    sign_in = False
    leading = True
    for token in tokens:
        kind = token.kind
        if kind is Kind.blank:
            continue
        sign_in = sign_in or kind is Kind.sign_in
        if kind in _FURNITURE or (leading and kind is Kind.menu):
            token.kind, token.text = Kind.blank, ""
            continue
        leading = False
        if kind is Kind.menu:
            token.kind = Kind.text
    return sign_in


def _skip(tokens: list[Token], index: int, kinds: frozenset[Kind]) -> int:
    while index < len(tokens) and tokens[index].kind in kinds:
        index += 1
    return index


def tokenize(lines: Iterable[VisibleLine]) -> tuple[list[Token], bool]:
    """Classify every visible line by its shape; True when the page asks to sign in."""
    tokens = [token for line in lines for token in _classify(line)]
    sign_in = _set_chrome_aside(tokens)
    return _merge_split_types(tokens), sign_in


def text_lines(text: str) -> list[VisibleLine]:
    """A text capture as visible lines, numbered as an editor numbers them."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return [VisibleLine(line, number) for number, line in enumerate(normalised.split("\n"), 1)]


def _is_card_label(token: Token | None) -> bool:
    return (
        token is not None
        and token.kind is Kind.text
        and len(token.text) <= 30
        and normalise_label(token.text) in _CARD_LABELS
    )


def _hosts(text: str) -> list[Organizer]:
    """'Moderator: Ann Lee' (a session page's host line) as organisers with their role."""
    match = _ROLE.match(text)
    names = split_names(match.group("names")) if match else []
    if not match or not names or not all(looks_like_name(name) for name in names):
        return []
    return [Organizer(name=name, role=match.group("role")) for name in names]


def _is_names_paragraph(text: str) -> bool:
    return looks_like_name_list(text) or (looks_like_name(text) and len(text.split()) <= 4)


def _heading_kind(text: str) -> tuple[PageKind, str | None] | None:
    """The page kind a first line names, and the label it gives the page's items."""
    folded = text.casefold()
    if folded in _PRESENTATION_HEADINGS:
        return "presentation", text
    if folded in _PROGRAM_HEADINGS:
        return "workshop", None
    match = _KIND_HEADING.match(text)
    if match is None:
        return None
    word = match.group("word")
    if word is not None and not is_type_label(word):
        return None  # 'HiLD Workshop' is a title, not the page's kind
    return ("session" if match.group("kind") == "Session" else "workshop"), word


# --------------------------------------------------------------------------- the grammar


class _Reader:
    """Reads the token stream of one page into an EventDraft and ItemDrafts."""

    def __init__(self, tokens: list[Token], source: Source) -> None:
        self.tokens = tokens
        self.source = source
        self.warnings: list[ParseWarning] = []
        self.slots: list[ItemDraft] = []
        self.event = EventDraft()
        self.uses_end_marks = any(token.kind is Kind.end for token in tokens)
        self.slots_without_end_marks = False
        self.session: str | None = None  # the slot '→' papers belong to

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(ParseWarning(line=line, message=message))

    def at(self, index: int) -> Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def next_content(self, index: int) -> int:
        return _skip(self.tokens, index, _FILLER)

    # ------------------------------------------------------------------ layouts

    def layout(self, start: int) -> str | None:
        kinds = {token.kind for token in self.tokens[start:]}
        if kinds & _SCHEDULE_ONLY:
            return "schedule"
        if any(self.listing_item_starts(index) for index in range(start, len(self.tokens))):
            return "listing"
        if Kind.time in kinds:
            return "schedule"
        return None

    def read(self) -> None:
        index = self.heading(self.next_content(0))
        layout = self.layout(index)
        if layout is None:
            if self.event.sign_in_required:
                return  # the reason is the sign-in notice, said by parse_lines
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
        """'Oral Session' / 'Workshop' then the title, when the capture starts with them,
        then what a page's header shows under its title: organisers, room and time."""
        token = self.at(index)
        if token is None or token.kind is not Kind.text:
            return index
        heading = _heading_kind(token.text)
        if heading is None:
            return index
        self.event.kind, self.event.item_label = heading
        title_at = self.next_content(index + 1)
        title = self.at(title_at)
        if title is not None and title.kind is Kind.time:
            # 'Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @ Room' above the title (2019-2021).
            self.event.time = title.shown.text if title.shown else title.text
            if title.shown is not None and title.shown.room:
                self.event.room = title.shown.room
            title_at = self.next_content(title_at + 1)
            title = self.at(title_at)
        if title is None or title.kind is not Kind.text:
            self.warn(token.line, f"'{token.text}' heading without a title after it")
            return index + 1
        self.event.title, self.event.title_line = title.text, title.line
        self.event.links.extend(token.links + title.links)
        if self.event.kind == "presentation":
            return title_at  # the page's one presentation is read as its item
        index = title_at + 1
        after = self.next_content(index)
        names = self.at(after)
        if names is not None and names.kind is Kind.text and looks_like_name_list(names.text):
            self.event.organizers = [Organizer(name=name) for name in split_names(names.text)]
            index = after + 1
        return self.header_details(index)

    def header_details(self, index: int) -> int:
        """A room and a time right under the heading are the event's, not a first slot's
        (a slot's time is followed by its title and that title's type or names)."""
        first_at = self.next_content(index)
        first = self.at(first_at)
        if first is not None and first.kind is Kind.time and not self.titled_item_at(first_at + 1):
            self.event.time = first.text
            return first_at + 1
        second_at = self.next_content(first_at + 1)
        second = self.at(second_at)
        if (
            first is not None
            and first.kind is Kind.text
            and len(first.text) <= 80
            and second is not None
            and second.kind is Kind.time
            and not self.titled_item_at(second_at + 1)
        ):
            self.event.room, self.event.time = first.text, second.text
            return second_at + 1
        return index

    def titled_item_at(self, index: int) -> bool:
        """A title whose type marker, label or names follow: an item, not header text."""
        title_at = self.next_content(index)
        title = self.at(title_at)
        if title is None or title.kind is not Kind.text:
            return title is not None and title.kind is Kind.arrow
        after = self.at(self.next_content(title_at + 1))
        return after is not None and (
            after.kind in _ITEM_MARKS
            or _is_card_label(after)
            or (after.kind is Kind.text and looks_like_name_list(after.text))
        )

    # ------------------------------------------------------------------ schedule layout

    def schedule_item_starts(self, index: int) -> bool:
        token = self.at(index)
        if token is None:
            return False
        if token.kind in _SLOT_STARTS:
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
        slot = ItemDraft()
        token = self.tokens[index]
        slot.first_line = token.line
        slot.keep_links(token.links)
        if token.kind in _TIMED:
            if token.kind is Kind.time:
                slot.time = token.shown
            index = self.next_content(index + 1)
            while (dash := self.at(index)) is not None and dash.kind is Kind.dash:
                index = self.next_content(index + 1)  # '-' then a time: one slot
            token_or_none = self.at(index)
            if token_or_none is not None and token_or_none.kind is Kind.time and slot.time is None:
                slot.time = token_or_none.shown
                index = self.next_content(index + 1)
        title = self.at(index)
        if title is not None and title.kind is Kind.arrow:
            slot.title, slot.title_line, slot.session = title.text, title.line, self.session
            slot.keep_links(title.links)
            index += 1
        elif title is not None and title.kind is Kind.text:
            slot.title, slot.title_line = title.text, title.line
            slot.keep_links(title.links)
            self.session = title.text
            index += 1
        marker_at = self.next_content(index)
        marker = self.at(marker_at)
        if marker is not None and (marker.kind is Kind.type or _is_card_label(marker)):
            slot.label = marker.text
            slot.keep_links(marker.links)
            index = marker_at + 1
        index = self.read_body(slot, index)
        self.finish_slot(slot, at_end=index >= len(self.tokens))
        return index

    def read_body(self, slot: ItemDraft, index: int) -> int:
        while index < len(self.tokens):
            token = self.tokens[index]
            kind = token.kind
            if kind in _FILLER:
                index += 1
                continue
            if kind is Kind.end:
                slot.keep_links(token.links)
                self.take_names(slot, token)
                slot.ended = True
                return index + 1
            if kind in _SECTIONS:
                return index
            if self.schedule_item_starts(index):
                return index
            slot.keep_links(token.links)
            if kind is Kind.spot:
                slot.spots.append(token.text)
            elif kind is Kind.video:
                if token.text:
                    slot.abstract.append(token.text)
            elif kind is Kind.text:
                slot.abstract.append(token.text)
            elif kind is Kind.widget:
                pass  # its URL, when the HTML has it, is kept with the links
            elif kind is Kind.position and slot.poster_position is None:
                slot.poster_position = token.text
            else:
                self.unplaced(token, f"inside item '{slot.title or '?'}'")
            index += 1
        return index

    def take_names(self, slot: ItemDraft, token: Token) -> None:
        text = token.text
        if not text and slot.abstract and _is_names_paragraph(slot.abstract[-1]):
            text = slot.abstract.pop()  # names and '🔗' on separate lines (some HTML layouts)
        slot.names = self.dedupe_names(split_names(text), token.line)

    def dedupe_names(self, names: list[str], line: int | None) -> list[str]:
        kept: list[str] = []
        for name in names:
            if kept and kept[-1] == name:
                self.warn(line, f"repeated name '{name}' dropped from the author line")
                continue
            kept.append(name)
        return kept

    def finish_slot(self, slot: ItemDraft, *, at_end: bool) -> None:
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
        # Pages without '🔗' (schedule rows) end a slot with its names line; a row with a
        # type label of its own may hold a single name.
        if not self.uses_end_marks and not slot.names and slot.abstract:
            last = slot.abstract[-1]
            if looks_like_name_list(last) or (
                slot.label is not None and len(slot.abstract) == 1 and _is_names_paragraph(last)
            ):
                slot.names = self.dedupe_names(split_names(slot.abstract.pop()), line)
        self.slots.append(slot)

    # ------------------------------------------------------------------ listing layout

    def listing_item_starts(self, index: int) -> bool:
        """A title, then its names (a card's type label may stand before either)."""
        token = self.tokens[index]
        if token.kind is not Kind.text or looks_like_name_list(token.text):
            return False
        if _is_card_label(token):
            title_at = _skip(self.tokens, index + 1, _BLANK)
            return (
                title_at < len(self.tokens)
                and not _is_card_label(self.tokens[title_at])
                and self._names_follow(title_at, labelled=True)
            )
        return self._names_follow(index, labelled=False)

    def _names_follow(self, title_at: int, *, labelled: bool) -> bool:
        title = self.tokens[title_at]
        if title.kind is not Kind.text or looks_like_name_list(title.text):
            return False
        after_at = _skip(self.tokens, title_at + 1, _BLANK)
        after = self.at(after_at)
        if _is_card_label(after):
            labelled = True
            after = self.at(_skip(self.tokens, after_at + 1, _BLANK))
        if after is None or after.kind is not Kind.text:
            return False
        return looks_like_name_list(after.text) or (labelled and looks_like_name(after.text))

    def read_listing(self, index: int) -> None:
        in_preamble = True
        pending: ItemDraft | None = None  # a time or number shown before its card's title
        while index < len(self.tokens):
            token = self.tokens[index]
            if not self.listing_item_starts(index):
                if in_preamble and not self.ahead_of_item(index):
                    self.preamble_line(token)
                elif token.kind in _CARD_PREFIXES and self.ahead_of_item(index):
                    pending = pending or ItemDraft()
                    self.card_detail(pending, token)
                else:
                    self.unplaced(token, "outside any item")
                index += 1
                continue
            in_preamble = False
            index = self.read_card(index, pending or ItemDraft())
            pending = None

    def ahead_of_item(self, index: int) -> bool:
        """Whether only times and numbers stand between this line and the next card."""
        if self.tokens[index].kind not in _CARD_PREFIXES:
            return False
        later = self.next_content(index + 1)
        while later < len(self.tokens) and self.tokens[later].kind in _CARD_PREFIXES:
            later = self.next_content(later + 1)
        return later < len(self.tokens) and self.listing_item_starts(later)

    def read_card(self, index: int, slot: ItemDraft) -> int:
        token = self.tokens[index]
        if _is_card_label(token):
            slot.label = token.text
            slot.keep_links(token.links)
            index = _skip(self.tokens, index + 1, _BLANK)
            token = self.tokens[index]
        slot.title, slot.title_line, slot.first_line = token.text, token.line, token.line
        slot.keep_links(token.links)
        names_at = _skip(self.tokens, index + 1, _BLANK)
        if _is_card_label(self.tokens[names_at]):
            slot.label = self.tokens[names_at].text
            slot.keep_links(self.tokens[names_at].links)
            names_at = _skip(self.tokens, names_at + 1, _BLANK)
        names = self.tokens[names_at]
        slot.keep_links(names.links)
        slot.names = self.dedupe_names(split_names(names.text), names.line)
        slot.ended = True
        index = names_at + 1
        while index < len(self.tokens) and not self.listing_item_starts(index):
            body = self.tokens[index]
            if self.ahead_of_item(index):
                break  # the next card's time or number
            if body.kind is Kind.text and normalise_label(body.text) in _CARD_WIDGETS:
                slot.keep_links(body.links)  # 'Abstract', 'Slides': buttons of the card
            elif body.kind is Kind.text:
                slot.abstract.append(body.text)
                slot.keep_links(body.links)
            elif body.kind in _CARD_DETAILS:
                self.card_detail(slot, body)
            elif body.kind not in _FILLER:
                self.unplaced(body, f"inside item '{slot.title}'")
            index += 1
        self.slots.append(slot)
        return index

    def card_detail(self, slot: ItemDraft, token: Token) -> None:
        """A card's time, '[ room #nn ]' or '#nn' line."""
        slot.keep_links(token.links)
        if token.kind is Kind.time and slot.time is None:
            slot.time = token.shown
        elif token.kind is Kind.position and slot.poster_position is None:
            slot.poster_position = token.text
        elif token.kind is Kind.widget and normalise_label(token.text) not in _CARD_WIDGETS:
            if slot.room is None and not token.links:
                match = _ROOM_POSITION.match(token.text)
                if match and slot.poster_position is None:
                    slot.poster_position = match.group("position").replace(" ", "")
                slot.room = (match.group("room") if match else token.text) or None
        elif token.kind is not Kind.widget:
            self.unplaced(token, f"inside item '{slot.title or '?'}' (shown twice)")

    # ------------------------------------------------------------------ other sections

    def preamble_line(self, token: Token) -> None:
        if token.kind in _FILLER:
            return
        if token.kind is Kind.timezone:
            self.event.timezone_shown = token.text or None
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
        hosts = _hosts(token.text)
        if hosts:
            self.event.organizers.extend(hosts)
            return
        self.event.description.append(token.text)

    def add_event_links(self, links: Iterable[Link]) -> None:
        for link in links:
            for position, known in enumerate(self.event.links):
                if known.url == link.url:
                    # A label the text gives ('Gathertown room1 link') beats the bare URL.
                    if known.label == known.url:
                        self.event.links[position] = link
                    break
            else:
                self.event.links.append(link)

    def read_organizers(self, index: int) -> int:
        organizers = self.event.organizers
        bios: dict[int, list[str]] = {}
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.kind is Kind.other_events_section or self.schedule_item_starts(index):
                break
            if token.kind is Kind.text:
                match = _ORGANISER.match(token.text)
                if match and looks_like_name(match.group("name")):
                    name, affiliation = match.group("name"), match.group("affiliation")
                    organizers.append(Organizer(name=name, affiliation=affiliation))
                elif looks_like_name(token.text):
                    organizers.append(Organizer(name=token.text))
                elif organizers:
                    bios.setdefault(len(organizers) - 1, []).append(token.text)
                else:
                    self.unplaced(token, "in 'Author Information' before any organiser")
            elif token.kind not in _ORGANISER_FILLER:
                self.unplaced(token, "in 'Author Information'")
            index += 1
        for position, paragraphs in bios.items():
            organizer = organizers[position]
            organizers[position] = organizer.model_copy(update={"bio": "\n".join(paragraphs)})
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


# --------------------------------------------------------------------------- entry points

SIGN_IN_WARNING = (
    "the page asks to sign in ('Log in and register to view live content'): "
    "its schedule is not shown to signed-out visitors"
)


def parse_lines(lines: Iterable[VisibleLine], source: Source) -> EventDocument:
    """Parse a visible line stream (from a text capture or from HTML)."""
    tokens, sign_in = tokenize(lines)
    reader = _Reader(tokens, source)
    reader.event.sign_in_required = sign_in
    if sign_in:
        reader.warn(None, SIGN_IN_WARNING)
    if all(token.kind is Kind.blank for token in reader.tokens):
        if not sign_in:
            reader.warn(None, "empty document: no text to read")
    else:
        reader.read()
    return build_document(source, reader.event, reader.slots, reader.warnings)


def parse_schedule_text(text: str, source: Source) -> EventDocument:
    """Parse the page text a browser copies from a workshop or session page."""
    return parse_lines(text_lines(text), source)


def parse_schedule_html(html: str, source: Source) -> EventDocument:
    """Parse the HTML of an event page through the line grammar (no page template)."""
    try:
        lines = html_lines(html, base_url=source.url)
    except HtmlError as error:
        warnings = [ParseWarning(line=None, message=f"HTML not readable: {error}")]
        return build_document(source, EventDraft(), [], warnings)
    return parse_lines(lines, source)


def _probe(text: str) -> tuple[_Reader, int] | None:
    """The page read up to its content (its heading, if any), or None for unreadable HTML."""
    head = text.lstrip()[:1000].lower()
    if head.startswith("<") and ("<html" in head or "<body" in head or "<div" in head):
        try:
            lines = html_lines(text)
        except HtmlError:
            return None
    else:
        lines = text_lines(text)
    tokens, _ = tokenize(lines)
    reader = _Reader(tokens, Source(id="probe", kind="workshop", url=""))
    return reader, reader.heading(reader.next_content(0))


def _is_event_page(reader: _Reader, start: int) -> bool:
    tokens = reader.tokens
    markers = sum(token.kind in _SCHEDULE_MARKERS for token in tokens)
    if markers >= 3:
        return True
    starts = [index for index in range(start, len(tokens)) if reader.listing_item_starts(index)]
    if reader.event.kind is not None:
        return bool(starts)
    # Without a heading, a listing shows itself by its cards' type labels.
    labelled = sum(
        _is_card_label(tokens[index]) or _is_card_label(reader.at(reader.next_content(index + 1)))
        for index in starts
    )
    return labelled >= 3


def looks_like_schedule(text: str) -> bool:
    """Whether a capture (text, or HTML) is an event page rather than a README."""
    probe = _probe(text)
    return probe is not None and _is_event_page(*probe)


def guess_page_kind(text: str) -> PageKind | None:
    """What event page a capture is, from its heading and layout; None: not one."""
    probe = _probe(text)
    if probe is None or not _is_event_page(*probe):
        return None
    reader, start = probe
    if reader.event.kind is not None:
        return reader.event.kind
    return "listing" if reader.layout(start) == "listing" else "workshop"
