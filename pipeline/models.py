"""The pipeline's records: the one schema every parser, output file and test derives from.

Every model is frozen-by-convention plain data (pydantic v2). ``schema.json`` in each output
version is generated from these classes (see :mod:`pipeline.schema`); nothing restates them.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from pipeline.core.ids import name_problem

SCHEMA_VERSION = "2"  # see CHANGES.md for what each version changed


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


def _text(description: str) -> Any:
    """A required field with its description (for schema.json and the README's tables)."""
    return Field(description=description)


def _optional(description: str) -> Any:
    return Field(default=None, description=description)


def _many(description: str) -> Any:
    return Field(default_factory=list, description=description)


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
    url: str = _text(
        "where it is read: a page, a feed, or a GitHub repository (tracked) or file (pinned)"
    )
    snapshot: str | None = Field(
        default=None, description="path of the embedded snapshot, relative to the raw folder"
    )
    format: SourceFormat | None = Field(
        default=None, description="format of the snapshot; detected when absent"
    )
    title: str | None = _optional("the title, when the document does not say it")
    venue: str | None = _optional("e.g. 'ICML 2023', for an event's records")
    year: int | None = _optional("the conference year, for an event's records")
    date: Date | None = _optional("the event's day, for times shown without one")
    timezone: str | None = Field(default=None, description="IANA name, e.g. America/Los_Angeles")


class SnapshotMeta(Record):
    """The metadata file kept next to every snapshot in raw/."""

    source_id: str = _text("the source the bytes are of")
    url: str = _text("the source's url when they were read")
    kind: str = _text("the source's kind")
    format: SourceFormat = _text("what the bytes are: markdown, html, text or json")
    sha256: str = _text("hex digest of the bytes")
    captured_at: datetime | None = _optional("when these bytes were first seen")
    venue: str | None = _optional("the source's venue")
    date: Date | None = _optional("the source's date")
    timezone: str | None = _optional("the source's time zone")
    note: str | None = _optional("anything the fetch had to say, in one line")
    # Set on snapshots the pipeline fetched itself (raw/<source_id>/); absent on embedded ones.
    # captured_at is the first fetch that returned these bytes, fetched_at the latest one.
    fetched_at: datetime | None = _optional("the latest fetch that returned these bytes")
    final_url: str | None = Field(default=None, description="after GitHub resolution, redirects")
    commit: str | None = Field(
        default=None,
        description="the commit these bytes were last fetched at: the one the url names, or "
        "the head of the branch it tracks",
    )
    http_status: int | None = _optional("the answer's status")
    content_type: str | None = _optional("the answer's Content-Type")
    etag: str | None = Field(default=None, description="sent back as If-None-Match")
    last_modified: str | None = Field(default=None, description="sent back as If-Modified-Since")


# --------------------------------------------------------------------------- shared parts


class Link(Record):
    """A link as the source writes it."""

    label: str = _text("the link's text as written, e.g. 'paper', 'code', 'arXiv'")
    url: str = _text("the absolute URL")


class Provenance(Record):
    """Where a record was read."""

    source_id: str = _text("the source (sources.toml id) it was read from")
    line: int | None = _optional("1-based line in the snapshot")


class ParseWarning(Record):
    """Something a parser could not read, or a bound it applied."""

    line: int | None = _optional("1-based line in the snapshot; none for the whole document")
    message: str = _text("what was not understood, or what was cut, in one line")


# --------------------------------------------------------------------------- enrichment


class EnrichmentStatus(StrEnum):
    enriched = "enriched"
    not_found = "not_found"  # a valid id arXiv does not know
    invalid_id = "invalid_id"  # malformed id, never sent to arXiv
    no_match = "no_match"  # title search found no acceptable candidate
    ambiguous = "ambiguous"  # two close candidates; both kept
    error = "error"  # arXiv failed after retries
    pending = "pending"  # no network this run; the next run fills it in


class ArxivMetadata(Record):
    """What arXiv says of a paper."""

    arxiv_id: str = _text("base id, without version, e.g. '2012.03107'")
    version: int | None = _optional("the latest version arXiv returned, e.g. 2 for v2")
    title: str = _text("the title on arXiv")
    authors: list[str] = _many("the authors on arXiv, in order")
    abstract: str | None = _optional("the abstract on arXiv")
    published: datetime | None = _optional("when version 1 appeared (UTC)")
    updated: datetime | None = _optional("when the latest version appeared (UTC)")
    categories: list[str] = _many("arXiv categories, e.g. 'cs.LG'")
    primary_category: str | None = _optional("the primary arXiv category")
    doi: str | None = _optional("the DOI the authors gave arXiv")
    journal_ref: str | None = _optional("the journal reference the authors gave arXiv")
    comment: str | None = _optional("the authors' comment on arXiv, e.g. 'ICLR 2021'")
    abs_url: str | None = _optional("the arXiv abstract page")
    pdf_url: str | None = _optional("the arXiv PDF")


class TitleCandidate(Record):
    """An arXiv paper a title search found, with how close it came."""

    metadata: ArxivMetadata = _text("the candidate as arXiv gives it")
    score: float = _text("similarity of normalised titles, 0..1")
    shared_surnames: list[str] = _many("author surnames both author lists share")


class TitleMismatch(Record):
    """A paper found by id whose arXiv title differs from ours."""

    ours: str = _text("the title as our sources write it")
    arxiv: str = _text("the title on arXiv")


class Enrichment(Record):
    """What one enrichment service made of a paper (arXiv today)."""

    status: EnrichmentStatus = _text(
        "enriched, not_found, invalid_id, no_match, ambiguous, error or pending"
    )
    reason: str = _text("why this status, in one line")
    method: Literal["id", "title"] | None = _optional("found by its id or by a title search")
    metadata: ArxivMetadata | None = _optional("the service's record, when enriched")
    candidates: list[TitleCandidate] = _many("the close candidates of an ambiguous search")
    title_mismatch: TitleMismatch | None = _optional("set when found by id under another title")


# Enrichment results by service name ('arxiv'): a second service adds a key, not a field.
Enrichments = dict[str, Enrichment]
ARXIV_SERVICE = "arxiv"  # the key of arXiv's results (the arXiv enricher's name)


def _enrichments() -> Any:
    return Field(
        default_factory=dict,
        description="enrichment results by service ('arxiv'): status, reason, metadata",
    )


# --------------------------------------------------------------------------- README cards


class CardProvenance(Provenance):
    """Where a README card was read: its source, line, and file when not the README itself."""

    file: str | None = _optional(
        "the file of the README's repository the card was read from when not the README: a "
        "list file it links to, e.g. 'FULL_LIST.md' (the line is that file's)"
    )


class PaperCard(Record):
    """One paper entry of an awesome-list README."""

    id: str = _text(
        "id within its source: 'card-' and a hash of its normalised title; '-2' for a repeat"
    )
    title: str = _text("the title, without markup, numbering, venue tags or trailing dots")
    authors: list[str] = _many("the authors as written, in order")
    authors_et_al: bool = Field(
        default=False, description="the author list ends in 'et al.': more authors than listed"
    )
    venue: str | None = _optional("the venue as written, e.g. 'ICLR 2021', 'NeurIPS'")
    year: int | None = _optional("from the entry, its section heading, or else its venue")
    topic: str | None = _optional("the '## Topic' heading")
    section: str | None = _optional("the innermost heading, as written")
    keywords: list[str] = _many("the entry's keyword tags, e.g. 'grokking'")
    digest: str | None = _optional("the entry's one-line summary, when it has one")
    links: list[Link] = _many("every link of the entry: paper, pdf, code, project...")
    arxiv_id: str | None = _optional("base id, without version, from a link or 'arXiv:' text")
    arxiv_version: int | None = _optional("the version the entry links to, e.g. 2 for v2")
    provenance: CardProvenance = _text("where the card was read")
    enrichments: Enrichments = _enrichments()

    @field_validator("provenance", mode="before")
    @classmethod
    def _card_provenance(cls, value: Any) -> Any:
        """A plain Provenance is a card's provenance in the README itself."""
        if isinstance(value, Provenance) and not isinstance(value, CardProvenance):
            return value.model_dump()
        return value


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
    """An organiser or moderator of an event."""

    name: str = _text("the name as the page shows it")
    affiliation: str | None = _optional("the institution as the page shows it")
    bio: str | None = _optional("the page's 'Author Information' text")
    role: str | None = _optional("as the page names it: 'Moderator'")


class Author(Record):
    """An author as the JSON feed gives them: the name, and the institution when shown."""

    name: str = _text("the name as the feed gives it")
    institution: str | None = _optional("HTML entities decoded")
    url: str | None = _optional("the author's profile on the site")


class Event(Record):
    """A workshop or session page, a listing of events, or a conference's feed."""

    id: str = _text("the event's id: its source's id")
    title: str | None = _optional("the event's title")
    venue: str | None = _optional("e.g. 'ICML 2023'")
    year: int | None = _optional("the conference year")
    date: Date | None = _optional("the event's day (its first, for a listing)")
    timezone: str | None = _optional("IANA name the page's times are in")
    kind: EventKind = _text("workshop, session, listing, presentation or feed")
    url: str | None = _optional("the event's page")
    description: str | None = _optional("the page's abstract or call for papers")
    organizers: list[Organizer] = _many("organisers and moderators, in page order")
    links: list[Link] = _many("the page's own links: workshop site, call for papers...")
    site_id: str | None = _optional("the virtual site's id of the event (its page URL's number)")
    room: str | None = _optional("where, as the page shows it")
    time: str | None = _optional("when, as the page's header shows it")
    sign_in_required: bool = Field(
        default=False,
        description="the page shows signed-out visitors a sign-in notice instead of its content",
    )
    provenance: Provenance = _text("where the event was read")


class ScheduleItem(Record):
    """One slot of an event: a talk, a poster, a break..."""

    id: str = _text("id within its source: a hash of source, title and type; '-2' for a repeat")
    event_id: str = _text("the event it belongs to")
    title: str = _text("the title as shown, without the type label")
    type: ItemType = _text("invited_talk, spotlight, oral, poster, contributed_talk, ...")
    type_label: str | None = _optional("the type as the page shows it")
    authors: list[str] = _many("the paper's authors, in order")
    speakers: list[str] = _many("who speaks, for talks and panels")
    day: str | None = _optional("as shown, e.g. 'Sat'")
    start: str | None = _optional("as shown, e.g. '9:00 a.m.'")
    end: str | None = _optional("as shown, e.g. '9:30 a.m.'")
    start_at: datetime | None = _optional("ISO 8601, when date+tz known")
    end_at: datetime | None = _optional("ISO 8601, when date+tz known")
    abstract: str | None = _optional("the abstract as the page or feed gives it")
    poster_spots: list[str] = _many("the poster sessions it is shown in")
    links: list[Link] = _many("the item's links: paper, OpenReview, slides, video...")
    site_id: str | None = _optional("the virtual site's id of the item (its page URL's number)")
    url: str | None = _optional("the item's own page on the site")
    session: str | None = _optional(
        "the session it belongs to: the slot a '→' paper is listed under, the feed's"
    )
    room: str | None = _optional("where, as shown")
    poster_position: str | None = _optional("the poster board: '#2504'")
    decision: str | None = _optional("as the feed gives it: 'Accept (oral)'")
    topic: str | None = _optional("the feed's topic")
    keywords: list[str] = _many("the feed's keywords")
    author_details: list[Author] = _many("the authors with their institutions (the JSON feed)")
    provenance: Provenance = _text("where the item was read")


class Presentation(Record):
    """One way a paper was presented at an event (a spotlight, a poster...)."""

    item_id: str = _text("the schedule item that presents it")
    type: ItemType = _text("how: spotlight, oral, poster...")
    start_at: datetime | None = _optional("when, ISO 8601")
    start: str | None = _optional("when, as shown")
    poster_spots: list[str] = _many("the poster sessions it is shown in")
    session: str | None = _optional("the session it belongs to")
    room: str | None = _optional("where, as shown")
    poster_position: str | None = _optional("the poster board: '#2504'")
    url: str | None = _optional("the presentation's own page")


class EventPaper(Record):
    """A paper presented at an event: the same paper shown twice is one record."""

    id: str = _text("id within its source: a hash of its normalised title")
    event_id: str = _text("the event it was presented at")
    title: str = _text("the title as shown")
    authors: list[str] = _many("the authors, in order")
    abstract: str | None = _optional("the abstract as the page or feed gives it")
    presentations: list[Presentation] = _text("every way it was presented, in schedule order")
    links: list[Link] = _many("its links, from every presentation")
    arxiv_id: str | None = _optional("from an arXiv link, base id")
    openreview_id: str | None = _optional("from an OpenReview forum link")
    decision: str | None = _optional("as the feed gives it: 'Accept (oral)'")
    topic: str | None = _optional("the feed's topic")
    keywords: list[str] = _many("the feed's keywords")
    author_details: list[Author] = _many("the authors with their institutions (the JSON feed)")
    enrichments: Enrichments = _enrichments()


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
    """A file a version was made from."""

    source_id: str = _text("the source it belongs to")
    path: str = _text("relative to the raw folder; 'sources.toml#<id>' for a definition")
    sha256: str = _text("hex digest of its bytes")
    commit: str | None = _optional(
        "the commit it was read at (a GitHub source); provenance, not identity"
    )

    @model_serializer(mode="wrap")
    def _without_no_commit(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Inputs of sources without commits (pages, local files) keep the shape they had.
        data: dict[str, Any] = handler(self)
        if data.get("commit") is None:
            data.pop("commit", None)
        return data


class OutputFile(Record):
    """A file of a version, with its checksum."""

    name: str = _text("file name within the version folder")
    sha256: str = _text("hex digest of its bytes")
    bytes: int = _text("its size")


class Manifest(Record):
    """manifest.json of one dataset version."""

    dataset: str = _text("the dataset's name")
    version: str = _text("the version's name: its UTC time, 'YYYYMMDDTHHMMSSZ'")
    created_at: datetime = _text("when it was written (or the commit time, for a replay)")
    pipeline_version: str = _text("the pipeline that wrote it")
    schema_version: str = _text("the record schema it follows (see CHANGES.md)")
    inputs: list[InputFile] = _text("the files it was made from")
    record_counts: dict[str, int] = _text("records per table")
    warning_count: int = _text("parse warnings it carries")
    files: list[OutputFile] = _text("its files, with checksums")


# --------------------------------------------------------------------------- what changed


class FieldChange(Record):
    """One field of a record, before and after."""

    field: str = _text("the field's name")
    before: Any = _optional("its value in the version before")
    after: Any = _optional("its value in this version")


class RecordChange(Record):
    """A record added, removed or changed."""

    id: str = _text("the record's id")
    title: str = Field(default="", description="its title, for people reading the change")
    fields: list[FieldChange] = _many("the fields that changed (changed records only)")


class RecordRename(Record):
    """A record whose id became an alias of another's: they merged or its id scheme moved."""

    from_id: str = _text("the id in the version before, now in previous_ids")
    to_id: str = _text("the record that carries it now")
    title: str = Field(default="", description="the record's title")


class ChangeSet(Record):
    """changes.json of a version: against the version before it."""

    dataset: str = _text("the dataset's name")
    table: str = Field(default="records", description="the table compared")
    from_version: str | None = _text("the version before; none for the first")
    to_version: str = _text("this version")
    added: list[RecordChange] = _many("records new in this version")
    removed: list[RecordChange] = _many("records gone in this version (renames excepted)")
    changed: list[RecordChange] = _many("records whose fields changed")
    renamed: list[RecordRename] = _many("ids that became aliases (previous_ids) of a record")


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

    source_id: str = _text("the source (dataset) it appeared in")
    record_id: str = _text("the record there: a card's or a schedule item's id")
    kind: AppearanceKind = _text("readme_card, poster, spotlight, oral, talk...")
    title: str = _text("the title as that source writes it")
    section: str | None = _optional("README section")
    event: str | None = _optional("event title")
    time: datetime | None = _optional("when it was presented, ISO 8601")
    url: str | None = _optional("the page it appeared on")


class MatchRule(StrEnum):
    first = "first"  # the appearance the paper started from
    arxiv_id = "arxiv_id"
    openreview_id = "openreview_id"  # the same OpenReview forum
    title_key = "title_key"  # equal normalised titles
    fuzzy_title = "fuzzy_title"  # similar titles and a shared author surname


class MatchEvidence(Record):
    """Why an appearance joined its paper."""

    record_id: str = _text("the appearance's record")
    source_id: str = _text("the appearance's source")
    rule: MatchRule = _text("first, arxiv_id, openreview_id, title_key or fuzzy_title")
    score: float | None = _optional("title similarity, for fuzzy_title")
    matched_record_id: str | None = _optional("the record it was matched to")
    shared_surnames: list[str] = _many("author surnames both share, for fuzzy_title")


class LinkKind(StrEnum):
    """What a paper's link leads to."""

    arxiv = "arxiv"  # the arXiv abstract page
    pdf = "pdf"
    code = "code"  # a repository: GitHub, GitLab, Bitbucket, Hugging Face...
    openreview = "openreview"
    project = "project"  # a project page or blog post
    video = "video"
    paper = "paper"  # the paper elsewhere: a publisher, a proceedings page
    other = "other"


class PaperLink(Record):
    """A link of a paper, with what it leads to."""

    kind: LinkKind = _text("arxiv, pdf, code, openreview, project, video, paper or other")
    url: str = _text("the absolute URL")
    label: str | None = _optional("the link's text as the first source that has it writes it")


class Paper(Record):
    """One paper across every source, with every place it appeared."""

    id: str = _text(
        "stable for life: 'arxiv:<id>' or 'paper-<title hash>' when first seen, kept after"
    )
    previous_ids: list[str] = _many(
        "ids it had before: papers merged into it, or an id scheme it moved from"
    )
    title: str = _text("arXiv's title when enriched, else the preferred source's")
    authors: list[str] = _many("arXiv's authors when enriched, else the first source's")
    year: int | None = _optional(
        "the earliest year its sources give (a venue's, a section's), else arXiv's v1 year"
    )
    venues: list[str] = _many("every venue it appeared at, e.g. 'ICML 2023', 'NeurIPS 2021'")
    abstract: str | None = _optional("arXiv's abstract when enriched, else a source's")
    arxiv_id: str | None = _optional("base id, without version")
    arxiv_version: int | None = _optional("the latest version arXiv returned, else a source's")
    categories: list[str] = _many("arXiv categories, primary first")
    doi: str | None = _optional("the DOI the authors gave arXiv")
    links: list[PaperLink] = _many("every link of every appearance, and arXiv's, once each")
    openreview_ids: list[str] = _many("every OpenReview forum it appears under")
    keywords: list[str] = _many("keywords of its appearances")
    topics: list[str] = _many("README topics and feed topics of its appearances")
    appearances: list[Appearance] = _text("every place it appeared, by source and record")
    evidence: list[MatchEvidence] = _many("why each appearance joined it")
    enrichments: Enrichments = _enrichments()


class NearMiss(Record):
    """Two papers with similar titles that were not merged, and why."""

    id: str = _text("the two paper ids, joined by '~'")
    paper_ids: list[str] = _text("the two papers")
    titles: list[str] = _text("their titles, in the same order")
    score: float = _text("title similarity, 0..1")
    reason: str = _text("why they were left apart")
