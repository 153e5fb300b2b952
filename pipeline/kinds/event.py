"""The ``workshop``, ``session`` and ``listing`` kinds: an event page (a workshop, a session,
a list of orals, posters or workshops), read into its items, the event itself and the
papers it presents (one per paper)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

from pipeline.kinds.base import EnrichmentOf, SourceBundle, TableReader, snapshot_notes
from pipeline.link.event_papers import papers_from_event
from pipeline.link.papers import Mention
from pipeline.models import (
    Appearance,
    Event,
    EventDocument,
    EventPaper,
    ParseWarning,
    ScheduleItem,
    appearance_kind,
)
from pipeline.parse.detect import detect_format
from pipeline.parse.events import read_event_page
from pipeline.sources.snapshots import Snapshot
from pipeline.store.versions import MAIN_TABLE, Table


@dataclass(frozen=True)
class EventBundle(SourceBundle):
    """An event page's bundle: also the papers it presents."""

    event_papers: list[EventPaper] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [*super().notes, *_sign_in_notes(self.snapshot, event_document(self).event)]


def _sign_in_notes(snapshot: Snapshot, event: Event) -> list[str]:
    if not event.sign_in_required:
        return []
    return [
        f"{snapshot.source.id}: {event.url or snapshot.source.url} asks to sign in: its "
        "content is not shown to signed-out visitors, so the dataset holds no items"
    ]


def _bundle(bundle: SourceBundle) -> EventBundle:
    return cast(EventBundle, bundle)


def event_document(bundle: SourceBundle) -> EventDocument:
    return cast(EventDocument, bundle.document)


@dataclass(frozen=True)
class EventPageKind:
    name: str

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        source = snapshot.source
        fmt = snapshot.format or source.format or detect_format(snapshot.text)
        document = read_event_page(snapshot.text, source, fmt)
        return EventBundle(snapshot, document, papers_from_event(document))

    def reload(self, snapshot: Snapshot, table: TableReader) -> SourceBundle:
        (event,) = [Event.model_validate(record) for record in table("events")]
        document = EventDocument(
            kind=event.kind.value,
            title=event.title,
            event=event,
            items=[ScheduleItem.model_validate(record) for record in table(MAIN_TABLE)],
            warnings=[ParseWarning.model_validate(w) for w in table("warnings")],
        )
        papers = [EventPaper.model_validate(record) for record in table("papers")]
        return EventBundle(snapshot, document, papers)

    def stored_notes(self, snapshot: Snapshot, table: TableReader) -> list[str]:
        # The events table is one record: the notes need nothing else of the version.
        (event,) = [Event.model_validate(record) for record in table("events")]
        return [*snapshot_notes(snapshot), *_sign_in_notes(snapshot, event)]

    def mentions(self, bundle: SourceBundle) -> list[Mention]:
        source, event = bundle.source, event_document(bundle).event
        return [
            Mention(
                appearance=Appearance(
                    source_id=source.id,
                    record_id=presentation.item_id,
                    kind=appearance_kind(presentation.type),
                    title=paper.title,
                    event=event.title,
                    time=presentation.start_at,
                    url=presentation.url or event.url or source.url,
                ),
                title=paper.title,
                authors=paper.authors,
                arxiv_id=paper.arxiv_id,
                openreview_id=paper.openreview_id,
                abstract=paper.abstract,
                keywords=paper.keywords,
                topic=paper.topic,
                enrichments=paper.enrichments,
                venue=event.venue,
                year=event.year,
                links=paper.links,
                rank=1,
            )
            for paper in _bundle(bundle).event_papers
            for presentation in paper.presentations
        ]

    def with_enrichment(self, bundle: SourceBundle, enrichment_of: EnrichmentOf) -> SourceBundle:
        papers = [
            paper.model_copy(update={"enrichments": enrichment_of(paper.presentations[0].item_id)})
            if paper.presentations
            else paper
            for paper in _bundle(bundle).event_papers
        ]
        return replace(_bundle(bundle), event_papers=papers)

    def tables(self, bundle: SourceBundle) -> list[Table]:
        document = event_document(bundle)
        return [
            Table(MAIN_TABLE, ScheduleItem, document.items),
            Table("events", Event, [document.event]),
            Table("papers", EventPaper, _bundle(bundle).event_papers),
        ]
