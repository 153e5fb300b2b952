"""Exports of any version (JSON Lines, CSV, Parquet, BibTeX, CSL-JSON) and the Frictionless
datapackage.json every version carries, on the embedded default's datasets."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import bibtexparser
import frictionless
import pytest

from pipeline.core.errors import PipelineError
from pipeline.models import (
    Appearance,
    AppearanceKind,
    ArxivMetadata,
    Enrichment,
    EnrichmentStatus,
    Paper,
    PaperCard,
    ScheduleItem,
)
from pipeline.run.refresh import refresh
from pipeline.store.citations import BibtexWriter, CslJsonWriter, split_name
from pipeline.store.export import export_table
from pipeline.store.tables import read_records
from pipeline.store.tabular import arrow_schema, read_parquet
from pipeline.store.versions import Table, latest_version, list_versions, read_table
from tests.conftest import PROJECT_DIR, settings_for

README = "awesome-deep-phenomena"
HILD = "icml-2023-hild"


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    refresh(settings_for(folder))
    return folder / "processed"


def test_json_lines_load_back_equal_to_the_version(processed: Path) -> None:
    exported = export_table(processed, README, format_name="jsonl")
    rows = [json.loads(line) for line in exported.data.decode().splitlines()]
    assert rows == read_table(processed, README) and exported.records == 543


@pytest.mark.parametrize(
    ("dataset", "table"), [(README, "records"), (HILD, "records"), ("papers", "records")]
)
def test_parquet_loads_back_equal_to_the_records(processed: Path, dataset: str, table: str) -> None:
    version = latest_version(processed, dataset)
    assert version is not None
    original = read_records(processed, dataset, version, table)
    exported = export_table(processed, dataset, format_name="parquet", table=table)
    assert read_parquet(exported.data, original.model) == list(original.records)


def test_parquet_columns_are_typed_from_the_models() -> None:
    import pyarrow as pa

    cards, items = arrow_schema(PaperCard), arrow_schema(ScheduleItem)
    assert cards.field("year").type == pa.int64()
    assert cards.field("authors").type == pa.list_(pa.string())
    assert pa.types.is_struct(cards.field("provenance").type)
    assert items.field("start_at").type == pa.timestamp("us", tz="UTC")
    description = PaperCard.model_fields["year"].description
    assert description and cards.field("year").metadata[b"description"] == description.encode()


def test_csv_has_a_column_per_field_and_a_row_per_record(processed: Path) -> None:
    exported = export_table(processed, HILD, format_name="csv")
    rows = list(csv.DictReader(io.StringIO(exported.data.decode())))
    assert list(rows[0]) == list(ScheduleItem.model_fields) and len(rows) == 62
    poster = next(row for row in rows if row["type"] == "poster" and ";" in row["authors"])
    assert (
        poster["authors"].count("; ")
        == len(json.loads(json.dumps(poster["authors"].split("; ")))) - 1
    )


def test_where_filters_keep_the_matching_records(processed: Path) -> None:
    recent = export_table(processed, README, format_name="jsonl", where=["year>=2023"])
    years = [json.loads(line)["year"] for line in recent.data.decode().splitlines()]
    assert years and all(year >= 2023 for year in years) and len(years) < 543
    topic = export_table(processed, "papers", format_name="jsonl", where=["topic=Others"])
    assert all("Others" in json.loads(line)["topics"] for line in topic.data.decode().splitlines())
    with pytest.raises(PipelineError, match="no field 'colour'"):
        export_table(processed, README, format_name="jsonl", where=["colour=red"])
    with pytest.raises(PipelineError, match="write FIELD OP VALUE"):
        export_table(processed, README, format_name="jsonl", where=["year"])


def test_an_older_compacted_version_exports_too(processed: Path, tmp_path: Path) -> None:
    capture = processed.parent / "raw" / "000_9da80035aa0ccbc3.txt"
    original = capture.read_text()
    capture.write_text(original.replace("Abide by the law", "Abide by the Law"))
    try:
        refresh(settings_for(processed.parent))
    finally:
        capture.write_text(original)
    dataset = "neurips-2023-oral-1d-dl-theory"
    first = list_versions(processed, dataset)[0]
    assert not (processed / dataset / first / "records.json").exists()  # compacted
    exported = export_table(processed, dataset, format_name="jsonl", version=first)
    assert exported.version == first and exported.records == 3


def test_unknown_formats_and_tables_are_one_line_errors(processed: Path) -> None:
    with pytest.raises(PipelineError, match="not a format"):
        export_table(processed, README, format_name="xlsx")
    with pytest.raises(PipelineError, match="no table 'posters'"):
        export_table(processed, HILD, format_name="csv", table="posters")
    with pytest.raises(PipelineError, match="not papers with titles and authors"):
        export_table(processed, HILD, format_name="bibtex", table="events")


def _paper(paper_id: str, title: str, authors: list[str], **fields: object) -> Paper:
    appearance = Appearance(
        source_id="s", record_id=paper_id, kind=AppearanceKind.readme_card, title=title
    )
    return Paper(id=paper_id, title=title, authors=authors, appearances=[appearance], **fields)


def _enriched(arxiv_id: str, category: str) -> dict[str, Enrichment]:
    metadata = ArxivMetadata(
        arxiv_id=arxiv_id, version=2, title="x", primary_category=category, doi="10.1/x"
    )
    return {
        "arxiv": Enrichment(status=EnrichmentStatus.enriched, reason="by id", metadata=metadata)
    }


def test_bibtex_parses_with_a_bibtex_library_and_keys_are_unique(processed: Path) -> None:
    exported = export_table(processed, "papers", format_name="bibtex")
    library = bibtexparser.parse_string(exported.data.decode())
    assert not library.failed_blocks
    keys = [entry.key for entry in library.entries]
    assert len(keys) == 631 and len(set(keys)) == 631


def test_bibtex_entry_types_follow_arxiv_and_venue() -> None:
    papers = [
        _paper("arxiv:2105.12806", "A Universal Law of Robustness via Isoperimetry",
               ["Sébastien Bubeck", "Mark Sellke"], arxiv_id="2105.12806",
               enrichments=_enriched("2105.12806", "cs.LG")),
        _paper("paper-b", "A Universal Law", ["Ada Bubeck"]),
    ]  # fmt: skip
    text = BibtexWriter().write(Table("records", Paper, papers)).decode()
    library = bibtexparser.parse_string(text)
    first, second = library.entries
    assert first.entry_type == "misc" and first.key == "bubecknduniversal"
    assert first.fields_dict["eprint"].value == "2105.12806"
    assert first.fields_dict["archivePrefix"].value == "arXiv"
    assert first.fields_dict["primaryClass"].value == "cs.LG"
    assert first.fields_dict["author"].value == "Bubeck, Sébastien and Sellke, Mark"
    assert second.key == "bubecknduniversal-2"  # the same base key, kept unique
    cards = [
        PaperCard(id="card-1", title="Deep Double Descent", authors=["Preetum Nakkiran"],
                  venue="ICLR 2020", year=2020, provenance={"source_id": "s"}),
        PaperCard(id="card-2", title="AI models collapse", authors=["Ilia Shumailov"],
                  venue="Nature", year=2024, provenance={"source_id": "s"}),
    ]  # fmt: skip
    venue, journal = bibtexparser.parse_string(
        BibtexWriter().write(Table("records", PaperCard, cards)).decode()
    ).entries
    assert (
        venue.entry_type == "inproceedings" and venue.fields_dict["booktitle"].value == "ICLR 2020"
    )
    assert venue.key == "nakkiran2020deep"
    assert journal.entry_type == "article" and journal.fields_dict["journal"].value == "Nature"


def test_csl_json_has_family_given_names_and_date_parts() -> None:
    cards = [
        PaperCard(id="card-1", title="Visualizing Data using t-SNE",
                  authors=["Laurens van der Maaten", "Geoffrey Hinton"], venue="JMLR",
                  year=2008, provenance={"source_id": "s"}),
    ]  # fmt: skip
    (item,) = json.loads(CslJsonWriter().write(Table("records", PaperCard, cards)))
    assert item["author"][0] == {"family": "van der Maaten", "given": "Laurens"}
    assert item["issued"] == {"date-parts": [[2008]]} and item["type"] == "article-journal"
    assert item["container-title"] == "JMLR"


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [
        ("Sébastien Bubeck", "Sébastien", "Bubeck"),
        ("Bubeck, Sébastien", "Sébastien", "Bubeck"),
        ("Murat A. Erdogdu Jr.", "Murat A.", "Erdogdu"),
        ("Plato", "", "Plato"),
    ],
)
def test_names_split_into_given_and_family(name: str, given: str, family: str) -> None:
    parts = split_name(name)
    assert (parts.given, parts.family) == (given, family)


@pytest.mark.parametrize("dataset", [README, HILD, "neurips-2023-oral-1d-dl-theory", "papers"])
def test_every_version_carries_a_datapackage_that_frictionless_validates(
    processed: Path, dataset: str
) -> None:
    folder = processed / dataset / str(latest_version(processed, dataset))
    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    # frictionless reads JSON tables with ijson, which bypasses its byte counter: it cannot
    # compute bytes and hash for JSON resources, so those two checks are the test's (above).
    checklist = frictionless.Checklist(skip_errors=["byte-count", "hash-count"])
    report = frictionless.validate(str(folder / "datapackage.json"), checklist=checklist)
    assert report.valid, report.flatten(["type", "note"])
