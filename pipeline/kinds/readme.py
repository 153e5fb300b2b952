"""The ``readme`` kind: an awesome-list README, read into paper cards, with the list files
of its repository it links to (``FULL_LIST.md``, ``paper_list/*.md``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import orjson

from pipeline import __version__
from pipeline.core.errors import PipelineError
from pipeline.core.files import write_atomic
from pipeline.core.ids import first_openreview_id, sha256_bytes
from pipeline.core.settings import Settings
from pipeline.kinds.base import EnrichmentOf, SourceBundle, TableReader
from pipeline.link.papers import Mention
from pipeline.models import (
    Appearance,
    AppearanceKind,
    PaperCard,
    ParseWarning,
    ReadmeDocument,
    SourceFormat,
)
from pipeline.parse.readme import read_readme, with_list_files
from pipeline.parse.readme.list_files import ListFile, linked_list_files
from pipeline.sources.fetch import resolve_source_url
from pipeline.sources.snapshots import Snapshot, SnapshotPart, load_part
from pipeline.store.versions import MAIN_TABLE, Table


def _document(bundle: SourceBundle) -> ReadmeDocument:
    return cast(ReadmeDocument, bundle.document)


def readme_url(snapshot: Snapshot) -> str:
    """Where the README was read from, for its relative links: the raw file on GitHub, at
    the commit it was read at (a tracked README's list files are read at the same one)."""
    return resolve_source_url(snapshot.source.url).at(snapshot.commit)


def gather_list_files(
    snapshot: Snapshot, settings: Settings, base_url: str | None = None
) -> tuple[tuple[SnapshotPart, ...], list[str]]:
    """The list files a markdown README links to, fetched and kept in raw/<source>/, and a
    note for each that could not be read."""
    fmt = snapshot.format or snapshot.source.format
    if fmt is not SourceFormat.markdown:
        return (), []  # page text and HTML keep no links to follow
    parts: list[SnapshotPart] = []
    notes: list[str] = []
    for linked in remembered_list_files(snapshot, base_url or readme_url(snapshot), settings):
        try:
            part = load_part(snapshot.source, linked.name, linked.url, settings)
        except PipelineError as exc:
            notes.append(f"{snapshot.source.id}: list file {linked.name} not read: {exc}")
            continue
        parts.append(part)
        if part.note:
            notes.append(part.note)
    return tuple(parts), notes


LIST_FILES_STATE = "list-files"  # state_dir/list-files/<source_id>.json


def remembered_list_files(snapshot: Snapshot, base_url: str, settings: Settings) -> list[ListFile]:
    """The snapshot's :func:`linked_list_files`, remembered per source in the state folder
    for the same text, base URL and pipeline version: finding the links means tokenising the whole
    markdown, which a refresh of an unchanged README would otherwise do every run (the
    bulk of its cost). A missing or unreadable entry is found again."""
    text = snapshot.text
    key = {"pipeline_version": __version__, "sha256": sha256_bytes(text.encode()), "base": base_url}
    path = settings.state_dir / LIST_FILES_STATE / f"{snapshot.source.id}.json"
    known = _read_remembered(path, key)
    if known is not None:
        return known
    found = linked_list_files(text, base_url)
    entry = {**key, "files": [[linked.name, linked.url] for linked in found]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, orjson.dumps(entry))
    except OSError:
        pass  # only the next run's time is lost
    return found


def _read_remembered(path: Path, key: dict[str, str]) -> list[ListFile] | None:
    try:
        entry = orjson.loads(path.read_bytes())
        if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in key.items()):
            return None
        return [ListFile(str(name), str(url)) for name, url in entry["files"]]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def read_with_list_files(snapshot: Snapshot) -> ReadmeDocument:
    """The README's cards, then each linked list file's, as one document."""
    source_id = snapshot.source.id
    fmt = snapshot.format or snapshot.source.format
    readme = read_readme(snapshot.text, source_id, fmt).document
    files = [
        (part.name, read_readme(part.text, source_id, part.format or SourceFormat.markdown))
        for part in snapshot.parts
    ]
    return with_list_files(readme, [(name, reading.document) for name, reading in files])


class ReadmeKind:
    name = "readme"

    def gather_parts(self, snapshot: Snapshot, settings: Settings) -> Snapshot:
        parts, notes = gather_list_files(snapshot, settings)
        if not parts and not notes:
            return snapshot
        note = "; ".join(note for note in (snapshot.note, *notes) if note) or None
        return replace(snapshot, parts=parts, note=note)

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        return SourceBundle(snapshot, read_with_list_files(snapshot))

    def reload(self, snapshot: Snapshot, table: TableReader) -> SourceBundle:
        document = ReadmeDocument(
            items=[PaperCard.model_validate(record) for record in table(MAIN_TABLE)],
            warnings=[ParseWarning.model_validate(w) for w in table("warnings")],
        )
        return SourceBundle(snapshot, document)

    def mentions(self, bundle: SourceBundle) -> list[Mention]:
        source = bundle.source
        return [
            Mention(
                appearance=Appearance(
                    source_id=source.id,
                    record_id=card.id,
                    kind=AppearanceKind.readme_card,
                    title=card.title,
                    section=card.section,
                    url=source.url,
                ),
                title=card.title,
                authors=card.authors,
                arxiv_id=card.arxiv_id,
                openreview_id=first_openreview_id(link.url for link in card.links),
                abstract=None,
                keywords=card.keywords,
                topic=card.topic,
                enrichments=card.enrichments,
                venue=card.venue,
                year=card.year,
                links=card.links,
                arxiv_version=card.arxiv_version,
                rank=0,  # README cards keep the hyphens page copies lose: preferred titles
            )
            for card in _document(bundle).items
        ]

    def with_enrichment(self, bundle: SourceBundle, enrichment_of: EnrichmentOf) -> SourceBundle:
        document = _document(bundle)
        cards = [
            card.model_copy(update={"enrichments": enrichment_of(card.id)})
            for card in document.items
        ]
        return SourceBundle(bundle.snapshot, document.model_copy(update={"items": cards}))

    def tables(self, bundle: SourceBundle) -> list[Table]:
        return [Table(MAIN_TABLE, PaperCard, _document(bundle).items)]
