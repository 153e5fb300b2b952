"""One-off README ingestion: from a path or a URL to its own dataset, or a one-line refusal."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline.core.errors import PipelineError
from pipeline.core.settings import Settings, get_settings
from pipeline.models import SnapshotMeta, Source, SourceFormat
from pipeline.parse.readme.cards import parse_readme_markdown
from pipeline.run.ingest_readme import dataset_name, default_name, ingest_readme
from pipeline.run.refresh import refresh as run_refresh
from pipeline.sources.config import add_source, load_sources
from pipeline.sources.fetch import DEFAULT_ROBOTS
from pipeline.store.versions import latest_version, read_manifest, read_table
from tests.conftest import (
    CORPUS_DIR,
    PROJECT_DIR,
    README_AD1EB52,
    SHARED_DIR,
    require,
    settings_for,
)
from tests.fake_arxiv import FakeArxiv, FakePaper

CORPUS_SNAPSHOTS = [
    "README@e0e7b2a-2020-06-27.md",
    "README@bc38380-2022-05-15.md",
    "README@4c8f6b1-2024-01-15.md",
    "README@ad1eb52-2025-01-07.md",
]

TABLE_README = textwrap.dedent(
    """\
    # Awesome Grokking

    ## Papers

    | Title | Authors | Venue | Year | Link |
    |---|---|---|---|---|
    | Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets | Alethea Power, Yuri Burda | ICLR Workshop | 2022 | [arXiv](https://arxiv.org/abs/2201.02177) |
    | Omnigrok: Grokking Beyond Algorithmic Data | Ziming Liu, Max Tegmark | ICLR | 2023 | [pdf](https://openreview.net/pdf?id=zDiHoIWa0q1) |
    """  # noqa: E501
)

LINK_README = textwrap.dedent(
    """\
    # Reading List

    ## Transformers

    - [Attention Is All You Need](https://arxiv.org/abs/1706.03762) - the transformer.
    * [BERT: Pre-training of Deep Bidirectional Transformers](https://arxiv.org/abs/1810.04805): encoders.
    """  # noqa: E501
)

NO_LIST_README = textwrap.dedent(
    """\
    # A Tool

    It does things.

    ## Install

    - pip install tool
    - run `tool`

    ## Options

    | Option | Meaning |
    |---|---|
    | -v | verbose |
    """
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture(autouse=True)
def fresh_robots() -> Iterator[None]:
    # fetch() keeps robots.txt per origin for the process; another test's rules must not leak.
    DEFAULT_ROBOTS.clear()
    yield
    DEFAULT_ROBOTS.clear()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- from a path


@pytest.mark.parametrize("snapshot", CORPUS_SNAPSHOTS)
def test_every_corpus_snapshot_ingests_with_the_markdown_parsers_card_count(
    snapshot: str, settings: Settings
) -> None:
    path = require(CORPUS_DIR / snapshot)
    expected = len(parse_readme_markdown(path.read_text(encoding="utf-8")).items)
    result = ingest_readme(str(path), settings, name="adp")
    assert result.cards == expected > 0
    assert read_manifest(settings.processed_dir, "adp").record_counts == {"records": expected}
    records = read_table(settings.processed_dir, "adp")
    assert {record["provenance"]["source_id"] for record in records} == {"adp"}
    assert {record["enrichments"]["arxiv"]["status"] for record in records} == {
        "pending"
    }  # offline
    # the file is kept in raw/ like a fetched page, and the dataset names it as its input
    assert result.snapshot_path.parent == settings.raw_dir / "adp"
    assert result.snapshot_path.read_bytes() == path.read_bytes()
    inputs = read_manifest(settings.processed_dir, "adp").inputs
    assert inputs[0].path == f"adp/{result.snapshot_path.name}"


def test_the_latest_corpus_readme_gives_543_cards(settings: Settings) -> None:
    result = ingest_readme(str(require(README_AD1EB52)), settings)
    assert result.source.id == "readme-ad1eb52-2025-01-07"
    assert result.cards == 543
    assert result.source.title == "Awesome Deep Phenomena"


def test_a_table_of_papers_is_ingested_with_its_columns(tmp_path: Path, settings: Settings) -> None:
    result = ingest_readme(str(write(tmp_path, "grokking.md", TABLE_README)), settings)
    assert result.source.id == "grokking"
    grokking, omnigrok = read_table(settings.processed_dir, "grokking")
    assert grokking["authors"] == ["Alethea Power", "Yuri Burda"]
    assert (grokking["venue"], grokking["year"], grokking["arxiv_id"]) == (
        "ICLR Workshop",
        2022,
        "2201.02177",
    )
    assert omnigrok["links"] == [
        {"label": "pdf", "url": "https://openreview.net/pdf?id=zDiHoIWa0q1"}
    ]
    assert omnigrok["section"] == "Papers"


def test_link_items_are_ingested_as_cards_with_their_notes(
    tmp_path: Path, settings: Settings
) -> None:
    result = ingest_readme(str(write(tmp_path, "reading.md", LINK_README)), settings)
    records = read_table(settings.processed_dir, result.source.id)
    assert [(r["title"], r["digest"], r["arxiv_id"]) for r in records] == [
        ("Attention Is All You Need", "the transformer.", "1706.03762"),
        ("BERT: Pre-training of Deep Bidirectional Transformers", "encoders.", "1810.04805"),
    ]


def test_a_readme_without_a_paper_list_is_refused_in_one_line_and_writes_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    path = write(tmp_path, "tool.md", NO_LIST_README)
    with pytest.raises(PipelineError) as refused:
        ingest_readme(str(path), settings)
    message = str(refused.value)
    assert "\n" not in message
    assert message == (
        f"{path}: no paper list recognised: 3 headings, 1 paragraph, "
        "2 list items without paper links, "
        "1 table without a title or paper column (columns: Option | Meaning)"
    )
    assert not settings.processed_dir.exists() and not settings.raw_dir.exists()


def test_plain_text_that_is_no_readme_says_how_it_was_read(
    tmp_path: Path, settings: Settings
) -> None:
    path = write(tmp_path, "notes.txt", "Some notes.\nNothing else.\n")
    with pytest.raises(PipelineError, match=r"no paper list recognised: no headings, .*as page"):
        ingest_readme(str(path), settings)


# --------------------------------------------------------------------------- from a URL


def serve_readme(httpserver: HTTPServer, path: str, text: str) -> str:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    # raw.githubusercontent.com answers text/plain: the '.md' in the URL names the format
    httpserver.expect_request(path).respond_with_data(
        text, content_type="text/plain; charset=utf-8"
    )
    return httpserver.url_for(path)


def test_a_url_is_fetched_kept_in_raw_enriched_and_written(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    url = serve_readme(httpserver, "/lists/awesome-grokking/README.md", TABLE_README)
    paper = FakePaper(
        arxiv_id="2201.02177",
        title="Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets",
        authors=["Alethea Power", "Yuri Burda"],
    )
    with FakeArxiv([paper]) as fake:
        settings = fake.settings(
            tmp_path / "state", raw_dir=tmp_path / "raw", processed_dir=tmp_path / "processed"
        )
        result = ingest_readme(url, settings)
    assert result.source.id == "awesome-grokking"
    assert result.source.url == url and result.source.format is SourceFormat.markdown
    assert result.snapshot_path.parent == tmp_path / "raw" / "awesome-grokking"
    meta_path = result.snapshot_path.with_name(result.snapshot_path.stem + ".meta.json")
    meta = SnapshotMeta.model_validate_json(meta_path.read_bytes())
    assert (meta.url, meta.http_status, meta.format) == (url, 200, SourceFormat.markdown)
    records = read_table(tmp_path / "processed", "awesome-grokking")
    assert len(records) == 2
    assert records[0]["enrichments"]["arxiv"]["status"] == "enriched"
    assert records[0]["enrichments"]["arxiv"]["metadata"]["arxiv_id"] == "2201.02177"


def test_an_unreachable_url_reuses_the_last_snapshot_of_it_with_a_note(
    tmp_path: Path, httpserver: HTTPServer, settings: Settings
) -> None:
    url = serve_readme(httpserver, "/reading/README.md", LINK_README)
    online = settings.model_copy(update={"offline": False, "arxiv_api_url": "http://127.0.0.1:9"})
    first = ingest_readme(url, online)
    again = ingest_readme(url, settings)  # offline now
    assert again.snapshot_path == first.snapshot_path and again.cards == first.cards == 2
    assert any("fetch failed (offline)" in note for note in again.notes)


def test_an_unreachable_url_never_fetched_before_is_a_one_line_error(settings: Settings) -> None:
    with pytest.raises(PipelineError, match=r"^cannot fetch .*PIPELINE_OFFLINE"):
        ingest_readme("https://github.com/owner/repo", settings)
    assert not settings.processed_dir.exists()


# --------------------------------------------------------------------------- linked list files

INDEX_README = textwrap.dedent(
    """\
    # Awesome Index

    The lists live in their own files:

    - [Vision](paper_list/vision.md)
    - [Language](paper_list/language.md)
    - [Contributing](CONTRIBUTING.md)
    """
)
VISION_LIST = textwrap.dedent(
    """\
    # Vision

    ## Papers

    - (2015-12) **Deep Residual Learning for Image Recognition** [paper](https://arxiv.org/abs/1512.03385)
    - (2020-10) **An Image is Worth 16x16 Words** [paper](https://arxiv.org/abs/2010.11929) | [code](https://github.com/google-research/vision_transformer)

    ## Useful Resources

    - [timm](https://github.com/huggingface/pytorch-image-models) - PyTorch image models.
    - [mmcv](https://github.com/open-mmlab/mmcv) - OpenMMLab computer vision foundation.
    - [torchvision](https://github.com/pytorch/vision) - Datasets and models.
    """
)
LANGUAGE_LIST = "# Language\n\n## Papers\n\n- (2017-06) **Attention Is All You Need** [paper](https://arxiv.org/abs/1706.03762)\n"


def write_index(folder: Path) -> Path:
    (folder / "paper_list").mkdir(parents=True)
    write(folder / "paper_list", "vision.md", VISION_LIST)
    write(folder / "paper_list", "language.md", LANGUAGE_LIST)
    write(folder, "CONTRIBUTING.md", "# Contributing\n\n- Open a pull request.\n")
    return write(folder, "README.md", INDEX_README)


def test_a_readme_whose_lists_live_in_linked_files_is_ingested_through_its_links(
    tmp_path: Path, settings: Settings
) -> None:
    readme = write_index(tmp_path / "awesome-index")
    result = ingest_readme(str(readme), settings)
    records = read_table(settings.processed_dir, "awesome-index")
    assert [(r["title"], r["provenance"]["file"], r["year"]) for r in records] == [
        ("Deep Residual Learning for Image Recognition", "paper_list/vision.md", 2015),
        ("An Image is Worth 16x16 Words", "paper_list/vision.md", 2020),
        ("Attention Is All You Need", "paper_list/language.md", 2017),
    ]
    assert records[0]["provenance"]["line"] == 5  # the line in its own file
    assert result.cards == 3
    # every file is kept in raw/<name>/ and is an input of the version
    inputs = read_manifest(settings.processed_dir, "awesome-index").inputs
    kept = sorted(p.name for p in (settings.raw_dir / "awesome-index").glob("*.md"))
    assert len(kept) == 3 and len(inputs) == 4  # README, two list files, the definition
    assert {i.path for i in inputs[:3]} == {f"awesome-index/{name}" for name in kept}


def test_a_changed_list_file_makes_a_new_version_and_an_unchanged_one_none(
    tmp_path: Path, settings: Settings
) -> None:
    readme = write_index(tmp_path / "awesome-index")
    first = ingest_readme(str(readme), settings)
    again = ingest_readme(str(readme), settings)
    assert again.write.status == "unchanged" and again.write.version == first.write.version
    vision = tmp_path / "awesome-index" / "paper_list" / "vision.md"
    vision.write_text(VISION_LIST.replace("16x16 Words", "16x16 Words: Transformers"))
    changed = ingest_readme(str(readme), settings)
    assert changed.write.status == "written" and changed.write.version != first.write.version


def test_list_files_are_fetched_beside_the_readme_and_a_missing_one_is_a_note(
    tmp_path: Path, httpserver: HTTPServer, settings: Settings
) -> None:
    url = serve_readme(httpserver, "/owner/repo/HEAD/README.md", INDEX_README)
    httpserver.expect_request("/owner/repo/HEAD/paper_list/vision.md").respond_with_data(
        VISION_LIST, content_type="text/plain; charset=utf-8"
    )
    httpserver.expect_request("/owner/repo/HEAD/paper_list/language.md").respond_with_data(
        "not found", status=404
    )
    online = settings.model_copy(update={"offline": False, "arxiv_api_url": "http://127.0.0.1:9"})
    result = ingest_readme(url, online, name="index")
    assert result.cards == 2
    assert any("list file paper_list/language.md not read" in note for note in result.notes)
    meta_urls = {
        SnapshotMeta.model_validate_json(path.read_bytes()).url
        for path in (settings.raw_dir / "index").glob("*.meta.json")
    }
    assert url.replace("README.md", "paper_list/vision.md") in meta_urls
    assert "CONTRIBUTING" not in " ".join(request.path for request, _ in httpserver.log)


def test_a_refresh_reads_the_linked_list_files_again_and_reuses_an_unchanged_version(
    project_copy: Path,
) -> None:
    settings = get_settings()
    readme = write_index(project_copy / "awesome-index")
    result = ingest_readme(str(readme), settings)
    add_source(settings.sources_file, result.source)
    summary = run_refresh(settings)
    outcome = {r.dataset: r for r in summary.results}["awesome-index"]
    assert (outcome.status, outcome.version) == ("unchanged", result.write.version)
    (project_copy / "awesome-index" / "paper_list" / "language.md").write_text(
        LANGUAGE_LIST + "- (2018-10) **BERT** [paper](https://arxiv.org/abs/1810.04805)\n"
    )
    summary = run_refresh(settings)
    outcome = {r.dataset: r for r in summary.results}["awesome-index"]
    assert outcome.status == "written" and outcome.record_counts == {"records": 4}


AWESOME_LLM_PAPER_LIST = SHARED_DIR / "corpus" / "lists" / "Awesome-LLM" / "paper_list"


def test_awesome_llm_paper_lists_are_read_through_the_readmes_links(
    tmp_path: Path, httpserver: HTTPServer, settings: Settings
) -> None:
    """The corpus README at this commit no longer links its paper_list/; an index README
    written here links every file, served from 127.0.0.1 like raw.githubusercontent.com."""
    folder = require(AWESOME_LLM_PAPER_LIST)
    files = sorted(path.name for path in folder.glob("*.md"))
    index = "# Awesome-LLM paper lists\n\n" + "".join(
        f"- [{name.removesuffix('.md')}](paper_list/{name})\n" for name in files
    )
    url = serve_readme(httpserver, "/Hannibal046/Awesome-LLM/538eed0/README.md", index)
    for name in files:
        httpserver.expect_request(
            f"/Hannibal046/Awesome-LLM/538eed0/paper_list/{name}"
        ).respond_with_data((folder / name).read_bytes(), content_type="text/plain; charset=utf-8")
    online = settings.model_copy(update={"offline": False, "arxiv_api_url": "http://127.0.0.1:9"})
    result = ingest_readme(url, online, name="awesome-llm")
    records = read_table(settings.processed_dir, "awesome-llm")
    # the papers: '- (YYYY-MM) **Title** [paper](url)' items, counted apart from the parser
    papers = [
        (name, match.group(1).rstrip(".").strip())
        for name in files
        for match in re.finditer(r"^- \(\S+\)\s+\*\*(.*?)\*\*", (folder / name).read_text(), re.M)
    ]
    assert result.cards == len(papers) == 59
    assert [(r["provenance"]["file"].removeprefix("paper_list/"), r["title"]) for r in records] == (
        papers
    )
    by_title = {r["title"]: r for r in records}
    # read by hand from the files
    flexgen = by_title[
        "High-throughput Generative Inference of Large Language Models with a single GPU"
    ]
    assert (flexgen["authors"], flexgen["authors_et_al"], flexgen["year"]) == (
        ["Ying Sheng"],
        True,
        2023,
    )
    flan = by_title["Scaling Instruction-Finetuned Language Models"]  # '(20220-10)' in the file
    assert (flan["year"], flan["arxiv_id"]) == (2022, "2210.11416")
    cot = by_title["Chain of Thought Prompting Elicits Reasoning in Large Language Models"]
    assert (cot["provenance"]["file"], cot["year"], cot["arxiv_id"]) == (
        "paper_list/chain_of_thougt.md",
        2021,
        "2201.11903",
    )
    assert not [r for r in records if "Resource" in (r["section"] or "")]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("https://github.com/Ada/awesome-x", "ada-awesome-x"),
        ("https://github.com/Owner/Repo/blob/ad1eb52/README.md", "owner-repo"),
        ("https://github.com/Owner/Repo/tree/main/docs", "owner-repo"),
        ("https://raw.githubusercontent.com/Owner/Repo/HEAD/README.md", "owner-repo"),
        ("https://example.org/lists/Awesome_GNN/README.md", "awesome-gnn"),
        ("/home/me/awesome-llm/README.md", "awesome-llm"),
        ("/home/me/My Papers.md", "my-papers"),
    ],
)
def test_the_dataset_is_named_after_the_repository_or_the_file(target: str, name: str) -> None:
    assert default_name(target) == name


@pytest.mark.parametrize("name", ["Bad Name", "-x", "papers"])
def test_a_name_that_cannot_be_a_dataset_is_refused(name: str) -> None:
    with pytest.raises(PipelineError, match=r"^--name"):
        dataset_name("/x/README.md", name)


# --------------------------------------------------------------------------- sources.toml


def copy_sources(tmp_path: Path) -> Path:
    return Path(shutil.copy(PROJECT_DIR / "sources.toml", tmp_path / "sources.toml"))


def test_add_source_appends_a_table_that_loads_and_keeps_the_comments(tmp_path: Path) -> None:
    sources_file = copy_sources(tmp_path)
    before = sources_file.read_text(encoding="utf-8")
    source = Source(
        id="quoted",
        kind="readme",
        url="file:///tmp/x.md",
        snapshot="quoted/abc.md",
        format=SourceFormat.markdown,
        title='A "quoted" \\ title — ünïcode',
    )
    add_source(sources_file, source)
    after = sources_file.read_text(encoding="utf-8")
    assert after.startswith(before)  # comments and layout untouched
    loaded = load_sources(sources_file)
    assert loaded[-1] == source
    assert [s.id for s in loaded[:-1]] == [s.id for s in load_sources(PROJECT_DIR / "sources.toml")]


def test_add_source_refuses_a_duplicate_id_and_leaves_the_file_alone(tmp_path: Path) -> None:
    sources_file = copy_sources(tmp_path)
    before = sources_file.read_bytes()
    duplicate = Source(id="icml-2023-hild", kind="readme", url="file:///x.md")
    with pytest.raises(PipelineError, match="already there") as refused:
        add_source(sources_file, duplicate)
    assert "\n" not in str(refused.value)
    assert sources_file.read_bytes() == before


def test_a_refresh_after_add_reads_the_readme_as_the_ingestion_did(
    project_copy: Path,
) -> None:
    settings = get_settings()  # project_copy points PIPELINE_* at the copy, offline
    result = ingest_readme(str(write(project_copy, "reading.md", LINK_README)), settings)
    add_source(settings.sources_file, result.source)
    summary = run_refresh(settings)
    outcome = {r.dataset: r for r in summary.results}["reading"]
    assert (outcome.status, outcome.version) == ("unchanged", result.write.version)
    papers = read_table(settings.processed_dir, "papers")
    assert any(a["source_id"] == "reading" for p in papers for a in p["appearances"])


# --------------------------------------------------------------------------- command line


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIPELINE_SOURCES_FILE": str(tmp_path / "sources.toml"),
        "PIPELINE_RAW_DIR": str(tmp_path / "raw"),
        "PIPELINE_PROCESSED_DIR": str(tmp_path / "processed"),
        "PIPELINE_STATE_DIR": str(tmp_path / "state"),
        "PIPELINE_OFFLINE": "true",
    }
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest-readme", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_refused(result: subprocess.CompletedProcess[str], tmp_path: Path) -> str:
    """Exit 2, one 'error:' line, no traceback, and nothing written: returns the line."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert not (tmp_path / "processed").exists() and not (tmp_path / "raw").exists()
    return lines[0]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (NO_LIST_README.encode(), "no paper list recognised: 3 headings, 1 paragraph, 2 list"),
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ],
    ids=["no-paper-list", "empty", "binary"],
)
def test_cli_refuses_what_is_no_paper_list_in_one_line_before_prefect_starts(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "input.md"
    path.write_bytes(content)
    line = assert_refused(cli(tmp_path, str(path)), tmp_path)
    assert said in line


def test_cli_add_refuses_a_duplicate_id_before_reading_anything(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    result = cli(tmp_path, str(tmp_path / "missing.md"), "--name", "icml-2023-hild", "--add")
    assert "already there" in assert_refused(result, tmp_path)


@pytest.mark.slow
def test_cli_ingests_a_readme_through_the_prefect_flow_and_adds_it(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    path = write(tmp_path, "reading.md", LINK_README)
    result = cli(tmp_path, str(path), "--name", "x", "--add", "--verbose")
    output = result.stdout + result.stderr
    assert result.returncode == 3, output  # done; its papers are pending (offline)
    assert "Traceback" not in output and "| ERROR" not in output
    assert "Flow run" in result.stderr  # it did run as a Prefect flow (-v shows its log)
    version = latest_version(tmp_path / "processed", "x")
    assert version is not None
    assert f"x: written {version} (2 cards; 0 parse warnings)" in result.stdout
    assert "x" in [s.id for s in load_sources(tmp_path / "sources.toml")]
    records = json.loads((tmp_path / "processed" / "x" / version / "records.json").read_bytes())
    assert records[0]["title"] == "Attention Is All You Need"
