"""What a source kind is: the protocol every kind module implements, and its bundle.

A run takes every source through the same steps; the kind decides what each step means for
its documents: how a snapshot is parsed, which of its records are papers to link, where an
enrichment lands, which tables its dataset version holds, and how a stored version is read
back when the snapshot has not changed. Two optional abilities: a kind may read a source
from several documents (:class:`FollowsDocuments`) and may name further sources, each its own
dataset (:class:`HasParts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from pipeline.core.settings import Settings
from pipeline.link.papers import Mention
from pipeline.models import Enrichments, ParseWarning, Source
from pipeline.sources.snapshots import Snapshot
from pipeline.store.versions import Table

# A stored version's table, by name, as dicts (what read_table gives).
TableReader = Callable[[str], list[dict[str, Any]]]
# The enrichments of one of a bundle's records (by record id), by service; empty if none.
EnrichmentOf = Callable[[str], Enrichments]


class Document(Protocol):
    """What every parser returns: records and what it could not read."""

    @property
    def items(self) -> Sequence[BaseModel]: ...

    @property
    def warnings(self) -> Sequence[ParseWarning]: ...


@dataclass(frozen=True)
class SourceBundle:
    """One source after parsing: its snapshot and its document (a kind may add more)."""

    snapshot: Snapshot
    document: Document

    @property
    def source(self) -> Source:
        return self.snapshot.source

    @property
    def warnings(self) -> Sequence[ParseWarning]:
        return self.document.warnings

    @property
    def notes(self) -> list[str]:
        """What a person should know about how this source was read (a fallback snapshot)."""
        return snapshot_notes(self.snapshot)


def snapshot_notes(snapshot: Snapshot) -> list[str]:
    """The notes of a snapshot and of the further documents it was read with."""
    return [each.note for each in (snapshot, *snapshot.continuations) if each.note]


class SourceKind(Protocol):
    """One kind of source (``kind = "<name>"`` in sources.toml)."""

    @property
    def name(self) -> str: ...

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        """The snapshot's records and warnings; never raises on content."""
        ...

    def reload(self, snapshot: Snapshot, table: TableReader) -> SourceBundle:
        """The bundle a stored version of the same snapshot holds (raise ValueError if not)."""
        ...

    def mentions(self, bundle: SourceBundle) -> list[Mention]:
        """The papers this source shows, for linking across sources."""
        ...

    def with_enrichment(self, bundle: SourceBundle, enrichment_of: EnrichmentOf) -> SourceBundle:
        """The bundle with each paper record carrying its linked paper's enrichments."""
        ...

    def tables(self, bundle: SourceBundle) -> list[Table]:
        """The tables of the source's dataset version (``records`` first)."""
        ...


# Abilities a kind may have besides the protocol; the chains ask with isinstance().


@runtime_checkable
class FollowsDocuments(Protocol):
    """A kind whose source is read from several documents (a paginated feed, its sidecar)."""

    def continuations(self, snapshot: Snapshot) -> list[str]:
        """URLs of further documents of the same source this document names, in order.

        The snapshot step fetches each (politely, through the snapshot store) and asks
        again of what it fetched; the kind's parse gets them as ``snapshot.continuations``.
        """
        ...


@runtime_checkable
class HasParts(Protocol):
    """A kind whose source names further sources, each a dataset of its own (a conference:
    its workshops and its feed)."""

    def parts(self, bundle: SourceBundle) -> list[Source]:
        """The sources this one names; a run reads them as if sources.toml listed them."""
        ...


@runtime_checkable
class NotesFromStore(Protocol):
    """A kind whose bundles add notes of their own to their snapshot's (an event page that
    asks to sign in): it says them of a stored version from as little of it as it needs, so
    that a source reused unchanged is not read back whole for them."""

    def stored_notes(self, snapshot: Snapshot, table: TableReader) -> list[str]:
        """What ``reload(snapshot, table).notes`` would be."""
        ...


@runtime_checkable
class LinksFiles(Protocol):
    """A kind whose records also come from other files its snapshot names (a README's linked
    list files): it fetches them in the snapshot step, so that they are inputs of the version
    (a changed part means a new version, an unchanged one lets a stored version be reused)."""

    def gather_parts(self, snapshot: Snapshot, settings: Settings) -> Snapshot:
        """The snapshot with its parts (and a note for any that could not be read)."""
        ...
