"""The ``feed`` kind: a conference's JSON feed of orals, spotlights and posters
(``<conf>-<year>-orals-posters.json``), every page and the abstracts sidecar, read into one
item per presentation and one paper per group of presentations of the same paper."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.kinds.base import SourceBundle
from pipeline.kinds.event import EventBundle, EventPageKind
from pipeline.link.event_papers import papers_from_event
from pipeline.parse.events.feed import feed_continuations, read_feed
from pipeline.sources.snapshots import Snapshot


@dataclass(frozen=True)
class FeedKind(EventPageKind):
    """Stored like an event page (records, events, papers); read from its JSON."""

    name: str = "feed"

    def continuations(self, snapshot: Snapshot) -> list[str]:
        return feed_continuations(snapshot.text, snapshot.source.url)

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        documents = [snapshot, *snapshot.continuations]
        reading = read_feed([document.text for document in documents], snapshot.source)
        papers = papers_from_event(reading.document, reading.same_paper)
        return EventBundle(snapshot, reading.document, papers)
