"""The ``readme`` kind: an awesome-list README, read into paper cards."""

from __future__ import annotations

from typing import cast

from pipeline.core.ids import first_openreview_id
from pipeline.kinds.base import EnrichmentOf, SourceBundle, TableReader
from pipeline.link.papers import Mention
from pipeline.models import Appearance, AppearanceKind, PaperCard, ParseWarning, ReadmeDocument
from pipeline.parse.readme import read_readme
from pipeline.sources.snapshots import Snapshot
from pipeline.store.versions import MAIN_TABLE, Table


def _document(bundle: SourceBundle) -> ReadmeDocument:
    return cast(ReadmeDocument, bundle.document)


class ReadmeKind:
    name = "readme"

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        fmt = snapshot.format or snapshot.source.format
        return SourceBundle(snapshot, read_readme(snapshot.text, snapshot.source.id, fmt).document)

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
                enrichment=card.enrichment,
                rank=0,  # README cards keep the hyphens page copies lose: preferred titles
            )
            for card in _document(bundle).items
        ]

    def with_enrichment(self, bundle: SourceBundle, enrichment_of: EnrichmentOf) -> SourceBundle:
        document = _document(bundle)
        cards = [
            card.model_copy(update={"enrichment": enrichment_of(card.id)})
            for card in document.items
        ]
        return SourceBundle(bundle.snapshot, document.model_copy(update={"items": cards}))

    def tables(self, bundle: SourceBundle) -> list[Table]:
        return [Table(MAIN_TABLE, PaperCard, _document(bundle).items)]
