"""A source kind is one class plus one registry line: a toy kind, registered from the test,
runs through the whole refresh chain (snapshot, parse, link, enrich, write, reuse)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from pydantic import Field

from pipeline.core.ids import title_key_id
from pipeline.kinds import KINDS, SourceBundle, register_kind
from pipeline.kinds.base import EnrichmentOf, TableReader
from pipeline.link.papers import Mention
from pipeline.models import (
    Appearance,
    AppearanceKind,
    Enrichments,
    ParseWarning,
    Provenance,
    Record,
)
from pipeline.run.refresh import refresh
from pipeline.sources.snapshots import Snapshot
from pipeline.store.versions import MAIN_TABLE, Table, read_table
from tests.conftest import PROJECT_DIR, settings_for

SHARED_TITLE = "A Universal Law of Robustness via Isoperimetry"  # also a README card


class TitleLine(Record):
    id: str
    title: str
    provenance: Provenance
    enrichments: Enrichments = Field(default_factory=dict)


class TitleList(Record):
    items: list[TitleLine] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)


class TitleListKind:
    """A reading list of one paper title per line; '#' lines are comments."""

    name = "title-list"
    parsed = 0

    def parse(self, snapshot: Snapshot) -> SourceBundle:
        TitleListKind.parsed += 1
        document = TitleList()
        for number, line in enumerate(snapshot.text.split("\n"), start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if len(text) < 10:
                document.warnings.append(ParseWarning(line=number, message=f"too short: {text}"))
                continue
            provenance = Provenance(source_id=snapshot.source.id, line=number)
            item_id = title_key_id("title", text)
            document.items.append(TitleLine(id=item_id, title=text, provenance=provenance))
        return SourceBundle(snapshot, document)

    def reload(self, snapshot: Snapshot, table: TableReader) -> SourceBundle:
        document = TitleList(
            items=[TitleLine.model_validate(row) for row in table(MAIN_TABLE)],
            warnings=[ParseWarning.model_validate(row) for row in table("warnings")],
        )
        return SourceBundle(snapshot, document)

    def mentions(self, bundle: SourceBundle) -> list[Mention]:
        items = cast(TitleList, bundle.document).items
        return [
            Mention(
                appearance=Appearance(
                    source_id=bundle.source.id,
                    record_id=item.id,
                    kind=AppearanceKind.other,
                    title=item.title,
                ),
                title=item.title,
                authors=[],
                rank=2,
            )
            for item in items
        ]

    def with_enrichment(self, bundle: SourceBundle, enrichment_of: EnrichmentOf) -> SourceBundle:
        document = cast(TitleList, bundle.document)
        items = [
            item.model_copy(update={"enrichments": enrichment_of(item.id)})
            for item in document.items
        ]
        return replace(bundle, document=document.model_copy(update={"items": items}))

    def tables(self, bundle: SourceBundle) -> list[Table]:
        return [Table(MAIN_TABLE, TitleLine, cast(TitleList, bundle.document).items)]


@pytest.fixture
def title_list_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[TitleListKind]:
    kind = TitleListKind()
    monkeypatch.setitem(KINDS, kind.name, kind)  # undone after the test
    register_kind(kind)
    yield kind


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    (tmp_path / "raw" / "reading.txt").write_text(
        f"# what to read\n{SHARED_TITLE}\nGrokking at the Edge of Numerical Stability\nshort\n"
    )
    sources = (PROJECT_DIR / "sources.toml").read_text()
    sources += (
        '\n[[source]]\nid = "reading"\nkind = "title-list"\n'
        'url = "file:///reading.txt"\nsnapshot = "reading.txt"\nformat = "text"\n'
    )
    (tmp_path / "sources.toml").write_text(sources)
    return tmp_path


def test_a_registered_kind_runs_through_the_whole_refresh(
    title_list_kind: TitleListKind, project: Path
) -> None:
    summary = refresh(settings_for(project))
    written = {result.dataset: result for result in summary.results}
    assert written["reading"].status == "written"
    assert written["reading"].record_counts == {"records": 2}
    assert summary.warnings["reading"] == 1  # 'short' is a warning, not a silent drop

    rows = read_table(project / "processed", "reading")
    assert [row["title"] for row in rows] == [
        SHARED_TITLE,
        "Grokking at the Edge of Numerical Stability",
    ]
    assert all(row["enrichments"]["arxiv"]["status"] == "pending" for row in rows)  # offline

    papers = read_table(project / "processed", "papers")
    shared = [p for p in papers if any(a["source_id"] == "reading" for a in p["appearances"])]
    linked = next(p for p in shared if p["title"] == SHARED_TITLE)
    sources = sorted({a["source_id"] for a in linked["appearances"]})
    assert sources == ["awesome-deep-phenomena", "icml-2021-overparameterization", "reading"]

    parsed = TitleListKind.parsed
    again = refresh(settings_for(project))
    assert {result.status for result in again.results} == {"unchanged"}
    assert TitleListKind.parsed == parsed  # the stored version was reused, not re-parsed


def test_an_unknown_kind_is_one_line_naming_the_known_ones(project: Path) -> None:
    from pipeline.core.errors import SourceConfigError
    from pipeline.sources.config import load_sources

    with pytest.raises(SourceConfigError, match=r"kind 'title-list' is not a source kind \("):
        load_sources(project / "sources.toml")
