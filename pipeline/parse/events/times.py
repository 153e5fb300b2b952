"""Times as the virtual sites show them, and their resolution into zoned datetimes.

Each form is a named rule, tried in order (:data:`TIME_FORMS`); a line matches one only as a
whole (or, for the dated forms, as its end: :func:`time_at_end`):

* ``weekday``: ``Sat 9:00 a.m. - 9:05 a.m.`` (the dash may be lost: ``Sat 9:00 a.m.  9:05 a.m.``)
* ``dated``: ``Sat 3 Dec 07:30 a.m.``, ``Tue 12 Dec 05:45 PM CET``, ``Sat 18 July 2:00 - 18:00 PDT``
* ``multitrack``: ``Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @ Room 201`` (the older
  ``ScheduleMultitrack`` pages)
* ``clock``: ``8:50 a.m. - 9:00 a.m.`` or ``noon`` (no day: the event's date)

Clocks are 12-hour (``9:00 a.m.``, ``9 a.m.``, ``09:00 AM``), ``noon``/``midnight`` (what
Django prints for 12:00 p.m. and a.m.) or 24-hour (``18:00``) when no half is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "TIME_FORMS",
    "ShownTime",
    "clock_time",
    "known_zone",
    "parse_time",
    "resolve_time",
    "time_at_end",
]

_WEEKDAY = r"(?P<day>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?)"
_HALF = r"[ap]\.?\s*m\.?"
_CLOCK = rf"(?:\d{{1,2}}(?::\d{{2}})?\s*{_HALF}|\d{{1,2}}:\d{{2}}|noon|midnight)"
_DASH = r"\s*(?:--|[-–—]|to)?\s*"
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DOM = r"(?P<dom>\d{1,2})"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?"
# Case-sensitive even in the case-insensitive rules: 'PDT' is a zone, 'late' is not.
_ZONE = r"(?:\s+\(?(?P<zone>(?-i:[A-Z]{2,5}|UTC[+-]\d{1,2}(?::?\d{2})?))\)?)?"
_RANGE = rf"(?P<start>{_CLOCK})(?:{_DASH}(?P<end>{_CLOCK}))?"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STARTS = frozenset(_WEEKDAYS)
_DIGIT = re.compile(r"\d")
_NAMED = ("noon", "midnight")
_CLOCK_PARTS = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)

# Abbreviations the sites print after times, as fixed offsets (hours from UTC). CST is
# taken as US Central (NeurIPS New Orleans), not China; ambiguous ones (IST) are left out.
ZONE_OFFSETS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5,
    "EDT": -4, "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "SGT": 8, "HKT": 8,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ShownTime:
    """A time as shown: its parts as written; ``form`` names the rule that read it."""

    form: str
    text: str
    start: str
    end: str | None = None
    day: str | None = None  # the weekday as shown ('Sat')
    day_of_month: int | None = None
    month: int | None = None
    year: int | None = None
    zone: str | None = None  # an abbreviation ('PDT') or offset ('UTC-7') as shown
    room: str | None = None  # what follows '@' on ScheduleMultitrack pages


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^{pattern}$", re.IGNORECASE)


_ROOM = r"(?:\s*@\s*(?P<room>.*?))?"
# Ordered: the first that matches the whole text reads it.
TIME_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("weekday", _rule(rf"{_WEEKDAY}\s+{_RANGE}{_ZONE}")),
    ("dated", _rule(rf"{_WEEKDAY},?\s+{_DOM}\s+{_MONTH}{_YEAR},?\s+{_RANGE}{_ZONE}")),
    ("multitrack", _rule(rf"{_WEEKDAY},?\s+{_MONTH}\s+{_DOM}{_YEAR},?\s+{_RANGE}{_ZONE}{_ROOM}")),
    ("clock", _rule(rf"{_RANGE}{_ZONE}")),
)
# The forms that may end a line of other text ('Poster Sat 3 Dec 07:30 a.m.'): a weekday and
# a date make them unmistakable; a bare clock at a line's end is left to the line.
_AT_END = tuple(
    (name, re.compile(rf"\s(?P<time>{pattern.pattern[1:-1]})$", re.IGNORECASE))
    for name, pattern in TIME_FORMS
    if name in {"dated", "multitrack"}
)


@lru_cache(maxsize=4096)  # a listing shows the same few slot times hundreds of times
def parse_time(text: str) -> ShownTime | None:
    """The time a whole line shows, by the first form that reads it; None if none does."""
    if not text or len(text) > 80:
        return None
    # The cheap test first: every form starts with a weekday, a digit, noon or midnight.
    first = text[:3].lower()
    starts_like_a_time = (first[0].isdigit() or first in _STARTS) and _DIGIT.search(text)
    if not starts_like_a_time and not text.lower().startswith(_NAMED):
        return None
    for name, pattern in TIME_FORMS:
        match = pattern.match(text)
        if match is None:
            continue
        if name == "clock" and not _is_clock_line(match):
            continue
        return _shown(name, match, text)
    return None


def time_at_end(text: str) -> tuple[str, ShownTime] | None:
    """``('Poster', <Sat 3 Dec 07:30 a.m.>)`` for a line that ends with a dated time."""
    if _DIGIT.search(text, max(0, len(text) - 40)) is None:
        return None
    # A dated time is at most ~60 characters: searching from there keeps long lines cheap
    # (a multitrack room after '@' may be longer: those lines are short anyway).
    start = max(0, len(text) - 90)
    for name, pattern in _AT_END:
        match = pattern.search(text, start)
        if match is None:
            continue
        head = text[: match.start()].rstrip(" ,·|-–—")
        shown = parse_time(match.group("time"))
        if head and shown is not None and shown.form == name:
            return head, shown
    return None


def _is_clock_line(match: re.Match[str]) -> bool:
    """A day-less line is a time only when it cannot be a number: a half or a range."""
    start = match.group("start")
    return (
        bool(match.group("end")) or not start[0].isdigit() or not start.replace(":", "").isdigit()
    )


def _shown(form: str, match: re.Match[str], text: str) -> ShownTime:
    groups = match.groupdict()
    month = groups.get("month")
    return ShownTime(
        form=form,
        text=text,
        start=" ".join(groups["start"].split()),
        end=" ".join(groups["end"].split()) if groups.get("end") else None,
        day=groups.get("day"),
        day_of_month=int(groups["dom"]) if groups.get("dom") else None,
        month=_MONTHS[month.lower().rstrip(".")] if month else None,
        year=int(groups["year"]) if groups.get("year") else None,
        zone=groups.get("zone"),
        room=(groups.get("room") or None),
    )


def clock_time(shown: str) -> time | None:
    """'9:05 a.m.' -> 09:05; 'noon' -> 12:00; '18:00' -> 18:00; None if not a clock."""
    folded = shown.strip().lower()
    if folded == "noon":
        return time(12, 0)
    if folded == "midnight":
        return time(0, 0)
    match = _CLOCK_PARTS.match(shown.strip())
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    elif match.group(2) is None:
        return None  # a bare number is no clock
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone(name: str) -> tzinfo | None:
    """An IANA name, an abbreviation of :data:`ZONE_OFFSETS` or 'UTC-7'; None if unknown."""
    upper = name.upper()
    if upper in ZONE_OFFSETS:
        return timezone(timedelta(hours=ZONE_OFFSETS[upper]), upper)
    if match := re.fullmatch(r"UTC([+-])(\d{1,2})(?::?(\d{2}))?", upper):
        sign = 1 if match.group(1) == "+" else -1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _nearest_weekday(day: str, around: Date) -> Date:
    """The date of a weekday shown next to a slot: the event's date or a day around it."""
    weekday = _WEEKDAYS.index(day[:3].lower())
    for offset in (0, 1, -1, 2, -2, 3, -3):
        candidate = around + timedelta(days=offset)
        if candidate.weekday() == weekday:
            return candidate
    raise AssertionError("seven offsets cover every weekday")


def _calendar_date(shown: ShownTime, year: int) -> Date | None:
    try:
        return Date(year, shown.month or 0, shown.day_of_month or 0)
    except ValueError:
        return None


def _shown_date(shown: ShownTime, event_date: Date | None, year: int | None) -> Date | None:
    if shown.month is not None and shown.day_of_month is not None:
        if shown.year is not None:
            return _calendar_date(shown, shown.year)
        year = event_date.year if event_date else year
        if year is None:
            return None
        # The year is the event's unless the weekday shown says the year before or after
        # (a December conference's page read in January, a source dated loosely).
        candidates = [_calendar_date(shown, year + offset) for offset in (0, -1, 1)]
        if shown.day is not None:
            weekday = _WEEKDAYS.index(shown.day[:3].lower())
            for candidate in candidates:
                if candidate is not None and candidate.weekday() == weekday:
                    return candidate
        return candidates[0]
    if event_date is None:
        return None
    if shown.day is not None:
        return _nearest_weekday(shown.day, event_date)
    return event_date


@lru_cache(maxsize=4096)
def resolve_time(
    shown: ShownTime, event_date: Date | None, zone_name: str | None, year: int | None = None
) -> tuple[datetime | None, datetime | None, str | None]:
    """``(start_at, end_at, problem)``: zoned datetimes when the date and zone are known.

    The zone shown with the time wins over the event's; the date comes from the time's own
    day and month, else the weekday nearest the event's date, else the event's date. A slot
    whose end is before its start runs past midnight. ``problem`` says why a time that
    should resolve does not (an unknown zone, an impossible date).
    """
    zone = _zone(shown.zone) if shown.zone else None
    if shown.zone and zone is None:
        return None, None, f"time zone '{shown.zone}' of '{shown.text}' is not known"
    if zone is None and zone_name:
        zone = _zone(zone_name)
    day = _shown_date(shown, event_date, year)
    weekday = _WEEKDAYS.index(shown.day[:3].lower()) if shown.day else None
    if day is not None and shown.month is not None and weekday not in {None, day.weekday()}:
        return None, None, f"'{shown.text}': {day.isoformat()} is not a {shown.day}"
    if zone is None or day is None:
        if shown.month is not None and day is None and (event_date or year or shown.year):
            return None, None, f"'{shown.text}' is not a date"
        return None, None, None
    start = clock_time(shown.start)
    end = clock_time(shown.end) if shown.end else None
    if start is None or (shown.end and end is None):
        return None, None, f"time slot '{shown.text}' not understood"
    start_at = datetime.combine(day, start, zone)
    if end is None:
        return start_at, None, None
    end_at = datetime.combine(day, end, zone)
    if end_at < start_at:  # the slot runs past midnight
        end_at = datetime.combine(day + timedelta(days=1), end, zone)
    return start_at, end_at, None
