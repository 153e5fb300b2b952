"""Source kinds, by name: what ``kind = "..."`` in sources.toml means.

To add a kind: a module in this package with a class that implements
:class:`~pipeline.kinds.base.SourceKind` (parse, reload, mentions, with_enrichment, tables;
optionally ``continuations`` and ``parts``, or ``gather_parts`` for the files a snapshot
links to) and one line in :data:`KINDS`. Tests and plug-ins may call :func:`register_kind`.
"""

from __future__ import annotations

from pipeline.core.errors import SourceConfigError
from pipeline.core.settings import Settings
from pipeline.kinds.base import (
    FollowsDocuments,
    HasParts,
    LinksFiles,
    NotesFromStore,
    SourceBundle,
    SourceKind,
    snapshot_notes,
)
from pipeline.kinds.conference import ConferenceKind
from pipeline.kinds.event import EventBundle, EventPageKind
from pipeline.kinds.feed import FeedKind
from pipeline.kinds.readme import ReadmeKind
from pipeline.sources.snapshots import Snapshot

KINDS: dict[str, SourceKind] = {
    kind.name: kind
    for kind in (
        ReadmeKind(),
        EventPageKind("workshop"),
        EventPageKind("session"),
        EventPageKind("listing"),  # a list of orals, posters or workshops
        FeedKind(),  # a conference's JSON feed
        ConferenceKind(),  # a conference: its workshops and its feed
    )
}


def register_kind(kind: SourceKind) -> None:
    """Make ``kind = "<kind.name>"`` mean this kind (replacing any of that name)."""
    KINDS[kind.name] = kind


def check_kind(name: str) -> SourceKind:
    """The kind of that name, or a one-line error naming the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise SourceConfigError(f"kind {name!r} is not a source kind ({known})") from None


def kind_of(bundle: SourceBundle) -> SourceKind:
    return check_kind(bundle.source.kind)


def with_linked_files(snapshot: Snapshot, settings: Settings) -> Snapshot:
    """The snapshot with the other files its kind reads records from (most kinds: none)."""
    kind = check_kind(snapshot.source.kind)
    return kind.gather_parts(snapshot, settings) if isinstance(kind, LinksFiles) else snapshot


__all__ = [
    "KINDS",
    "EventBundle",
    "FollowsDocuments",
    "HasParts",
    "LinksFiles",
    "NotesFromStore",
    "SourceBundle",
    "SourceKind",
    "check_kind",
    "kind_of",
    "register_kind",
    "snapshot_notes",
    "with_linked_files",
]
