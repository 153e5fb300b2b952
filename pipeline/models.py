"""The pipeline's records: the one schema every parser, output file and test derives from.

Every model is frozen-by-convention plain data (pydantic v2). ``schema.json`` in each output
version is generated from these classes (see :mod:`pipeline.schema`); nothing restates them.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pipeline.core.ids import name_problem

SCHEMA_VERSION = "1"


class Record(BaseModel):
    """Base for every record: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


def record_model(name: str) -> type[Record]:
    """The record class of that name (as a version's schema.json names it), or KeyError."""
    pending: list[type[Record]] = [Record]
    while pending:
        model = pending.pop()
        if model.__name__ == name and model is not Record:
            return model
        pending.extend(model.__subclasses__())
    raise KeyError(name)


# --------------------------------------------------------------------------- sources


class SourceFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    text = "text"  # the page text a browser copies
    json = "json"  # the virtual sites' JSON feed


def _checked_name(name: str) -> str:
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


class Source(Record):
    """One entry of sources.toml: where a document comes from and what it is."""

    id: Annotated[
        str,
        AfterValidator(_checked_name),
        Field(description="slug, unique, at most 64 characters, not a reserved name"),
    ]
    kind: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description=(
            "a registered source kind (pipeline/kinds): readme, workshop, session, listing, "
            "feed, conference"
        ),
    )
    url: str
    snapshot: str | None = Field(
        default=None, description="path of the embedded snapshot, relative to the raw folder"
    )
    format: SourceFormat | None = Field(
        default=None, description="format of the snapshot; detected when absent"
    )
    title: str | None = None
    venue: str | None = None
    year: int | None = None
    date: Date | None = None
    timezone: str | None = Field(default=None, description="IANA name, e.g. America/Los_Angeles")


class SnapshotMeta(Record):
    """The metadata file kept next to every snapshot in raw/."""

    source_id: str
    url: str
    kind: str
    format: SourceFormat
    sha256: str
    captured_at: datetime | None = None
    venue: str | None = None
    date: Date | None = None
    timezone: str | None = None
    note: str | None = None
    # Set on snapshots the pipeline fetched itself (raw/<source_id>/); absent on embedded ones.
    # captured_at is the first fetch that returned these bytes, fetched_at the latest one.
    fetched_at: datetime | None = None
    final_url: str | None = Field(default=None, description="after GitHub resolution, redirects")
    commit: str | None = Field(default=None, description="the commit the url names, if any")
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = Field(default=None, description="sent back as If-None-Match")
    last_modified: str | None = Field(default=None, description="sent back as If-Modified-Since")


# --------------------------------------------------------------------------- shared parts


class Link(Record):
    label: str
    url: str


class Provenance(Record):
    source_id: str
    line: int | None = Field(default=None, description="1-based line in the snapshot")


class ParseWarning(Record):
    line: int | None = Field(default=None, description="1-based line in the snapshot")
    message: str


# --------------------------------------------------------------------------- arXiv enrichment


class EnrichmentStatus(StrEnum):
    enriched = "enriched"
    not_found = "not_found"  # a valid id arXiv does not know
    invalid_id = "invalid_id"  # malformed id, never sent to arXiv
    no_match = "no_match"  # title search found no acceptable candidate
    ambiguous = "ambiguous"  # two close candidates; both kept
    error = "error"  # arXiv failed after retries
    pending = "pending"  # no network this run; the next run fills it in


class ArxivMetadata(Record):
    arxiv_id: str = Field(description="base id, without version")
    version: int | None = None
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    categories: list[str] = Field(default_factory=list)
    primary_category: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    abs_url: str | None = None
    pdf_url: str | None = None


class TitleCandidate(Record):
    metadata: ArxivMetadata
    score: float = Field(description="similarity of normalised titles, 0..1")
    shared_surnames: list[str] = Field(default_factory=list)


class TitleMismatch(Record):
    ours: str
    arxiv: str


class Enrichment(Record):
    status: EnrichmentStatus
    reason: str
    method: Literal["id", "title"] | None = None
    metadata: ArxivMetadata | None = None
    candidates: list[TitleCandidate] = Field(default_factory=list)
    title_mismatch: TitleMismatch | None = None


# --------------------------------------------------------------------------- README cards


class PaperCard(Record):
    """One paper entry of an awesome-list README."""

    id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    venue: str | None = None
    year: int | None = Field(default=None, description="from the section heading")
    topic: str | None = Field(default=None, description="the '## Topic' heading")
    section: str | None = Field(default=None, description="the innermost heading, as written")
    keywords: list[str] = Field(default_factory=list)
    digest: str | None = None
    links: list[Link] = Field(default_factory=list)
    arxiv_id: str | None = Field(default=None, description="base id, without version")
    arxiv_version: int | None = None
    provenance: Provenance
    enrichment: Enrichment | None = None


# --------------------------------------------------------------------------- events


class EventKind(StrEnum):
    workshop = "workshop"
    session = "session"
    listing = "listing"  # a page listing events: orals, posters, workshops, a day's program
    presentation = "presentation"  # one oral's or poster's own page
    feed = "feed"  # a conference's JSON feed of orals, spotlights and posters


class ItemType(StrEnum):
    invited_talk = "invited_talk"
    spotlight = "spotlight"
    oral = "oral"
    poster = "poster"
    contributed_talk = "contributed_talk"
    remarks = "remarks"
    discussion = "discussion"
    break_ = "break"
    workshop = "workshop"  # a workshop on a listing of workshops
    tutorial = "tutorial"
    other = "other"


# The item types that present a paper (as opposed to talks, breaks, remarks...).
PAPER_ITEM_TYPES = frozenset({ItemType.poster, ItemType.spotlight, ItemType.oral})


class Organizer(Record):
    name: str
    affiliation: str | None = None
    bio: str | None = Field(default=None, description="the page's 'Author Information' text")
    role: str | None = Field(default=None, description="as the page names it: 'Moderator'")


class Author(Record):
    """An author as the JSON feed gives them: the name, and the institution when shown."""

    name: str
    institution: str | None = Field(default=None, description="HTML entities decoded")
    url: str | None = Field(default=None, description="the author's profile on the site")


class Event(Record):
    """A workshop or session page, a listing of events, or a conference's feed."""

    id: str
    title: str | None = None
    venue: str | None = None
    year: int | None = None
    date: Date | None = None
    timezone: str | None = None
    kind: EventKind
    url: str | None = None
    description: str | None = None
    organizers: list[Organizer] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    site_id: str | None = Field(
        default=None, description="the virtual site's id of the event (its page URL's number)"
    )
    room: str | None = Field(default=None, description="where, as the page shows it")
    time: str | None = Field(default=None, description="when, as the page's header shows it")
    sign_in_required: bool = Field(
        default=False,
        description="the page shows signed-out visitors a sign-in notice instead of its content",
    )
    provenance: Provenance


class ScheduleItem(Record):
    """One slot of an event: a talk, a poster, a break..."""

    id: str
    event_id: str
    title: str
    type: ItemType
    type_label: str | None = Field(default=None, description="the type as the page shows it")
    authors: list[str] = Field(default_factory=list)
    speakers: list[str] = Field(default_factory=list)
    day: str | None = Field(default=None, description="as shown, e.g. 'Sat'")
    start: str | None = Field(default=None, description="as shown, e.g. '9:00 a.m.'")
    end: str | None = None
    start_at: datetime | None = Field(default=None, description="ISO 8601, when date+tz known")
    end_at: datetime | None = None
    abstract: str | None = None
    poster_spots: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    site_id: str | None = Field(
        default=None, description="the virtual site's id of the item (its page URL's number)"
    )
    url: str | None = Field(default=None, description="the item's own page on the site")
    session: str | None = Field(
        default=None,
        description="the session it belongs to: the slot a '→' paper is listed under, the feed's",
    )
    room: str | None = None
    poster_position: str | None = Field(default=None, description="the poster board: '#2504'")
    decision: str | None = Field(default=None, description="as the feed gives it: 'Accept (oral)'")
    topic: str | None = Field(default=None, description="the feed's topic")
    keywords: list[str] = Field(default_factory=list)
    author_details: list[Author] = Field(
        default_factory=list, description="the authors with their institutions (the JSON feed)"
    )
    provenance: Provenance


class Presentation(Record):
    """One way a paper was presented at an event (a spotlight, a poster...)."""

    item_id: str
    type: ItemType
    start_at: datetime | None = None
    start: str | None = None
    poster_spots: list[str] = Field(default_factory=list)
    session: str | None = None
    room: str | None = None
    poster_position: str | None = None
    url: str | None = Field(default=None, description="the presentation's own page")


class EventPaper(Record):
    """A paper presented at an event: the same paper shown twice is one record."""

    id: str
    event_id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    presentations: list[Presentation]
    links: list[Link] = Field(default_factory=list)
    arxiv_id: str | None = Field(default=None, description="from an arXiv link, base id")
    openreview_id: str | None = Field(default=None, description="from an OpenReview forum link")
    decision: str | None = None
    topic: str | None = None
    keywords: list[str] = Field(default_factory=list)
    author_details: list[Author] = Field(default_factory=list)
    enrichment: Enrichment | None = None


# --------------------------------------------------------------------------- parsed documents


class ReadmeDocument(Record):
    """What a README parser returns: its cards and everything it could not read."""

    kind: Literal["readme"] = "readme"
    title: str | None = None
    items: list[PaperCard] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)


class EventDocument(Record):
    """What an event page (workshop, session, listing) or feed parser returns."""

    kind: Literal["workshop", "session", "listing", "presentation", "feed"]
    title: str | None = None
    event: Event
    items: list[ScheduleItem] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)


# --------------------------------------------------------------------------- output versions


class InputFile(Record):
    source_id: str
    path: str
    sha256: str


class OutputFile(Record):
    name: str
    sha256: str
    bytes: int


class Manifest(Record):
    """manifest.json of one dataset version."""

    dataset: str
    version: str
    created_at: datetime
    pipeline_version: str
    schema_version: str
    inputs: list[InputFile]
    record_counts: dict[str, int]
    warning_count: int
    files: list[OutputFile]


# --------------------------------------------------------------------------- what changed


class FieldChange(Record):
    field: str
    before: Any = None
    after: Any = None


class RecordChange(Record):
    id: str
    title: str = ""
    fields: list[FieldChange] = Field(default_factory=list)


class ChangeSet(Record):
    """changes.json of a version: against the version before it."""

    dataset: str
    table: str = "records"
    from_version: str | None
    to_version: str
    added: list[RecordChange] = Field(default_factory=list)
    removed: list[RecordChange] = Field(default_factory=list)
    changed: list[RecordChange] = Field(default_factory=list)


# --------------------------------------------------------------------------- linked papers


class AppearanceKind(StrEnum):
    readme_card = "readme_card"
    poster = "poster"
    spotlight = "spotlight"
    oral = "oral"
    contributed_talk = "contributed_talk"
    invited_talk = "invited_talk"
    other = "other"


def appearance_kind(item_type: ItemType) -> AppearanceKind:
    """How an event item appears on a paper: its own type where the vocabulary has it."""
    try:
        return AppearanceKind(item_type.value)
    except ValueError:
        return AppearanceKind.other


class Appearance(Record):
    """One place a paper appeared: a README card, a poster, an oral..."""

    source_id: str
    record_id: str
    kind: AppearanceKind
    title: str = Field(description="the title as that source writes it")
    section: str | None = Field(default=None, description="README section")
    event: str | None = Field(default=None, description="event title")
    time: datetime | None = None
    url: str | None = None


class MatchRule(StrEnum):
    first = "first"  # the appearance the paper started from
    arxiv_id = "arxiv_id"
    openreview_id = "openreview_id"  # the same OpenReview forum
    title_key = "title_key"  # equal normalised titles
    fuzzy_title = "fuzzy_title"  # similar titles and a shared author surname


class MatchEvidence(Record):
    record_id: str
    source_id: str
    rule: MatchRule
    score: float | None = None
    matched_record_id: str | None = None
    shared_surnames: list[str] = Field(default_factory=list)


class Paper(Record):
    """One paper across every source, with every place it appeared."""

    id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    arxiv_id: str | None = None
    openreview_ids: list[str] = Field(
        default_factory=list, description="every OpenReview forum it appears under"
    )
    keywords: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    appearances: list[Appearance]
    evidence: list[MatchEvidence] = Field(default_factory=list)
    enrichment: Enrichment | None = None


class NearMiss(Record):
    """Two papers with similar titles that were not merged, and why."""

    id: str = Field(description="the two paper ids, joined by '~'")
    paper_ids: list[str]
    titles: list[str]
    score: float
    reason: str
