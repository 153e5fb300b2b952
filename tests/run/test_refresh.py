"""The papers dataset over the embedded default: one paper, every place it appeared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.core.text import normalise_title
from pipeline.models import AppearanceKind, EnrichmentStatus
from pipeline.run.refresh import refresh as run_refresh
from pipeline.run.steps import PAPERS_DATASET
from pipeline.store.versions import latest_version, read_table
from tests.conftest import PROJECT_DIR, README_AD1EB52, require, settings_for

WORKSHOP_2021 = "icml-2021-overparameterization"


def paper_titled(papers: list[dict[str, object]], title: str) -> dict[str, object]:
    key = normalise_title(title)
    found = [paper for paper in papers if normalise_title(str(paper["title"])) == key]
    assert len(found) == 1, f"{len(found)} papers titled {title!r}"
    return found[0]


def kinds(paper: dict[str, object]) -> list[tuple[str, str]]:
    appearances = paper["appearances"]
    assert isinstance(appearances, list)
    return sorted((a["source_id"], a["kind"]) for a in appearances)


@pytest.fixture(scope="module")
def default_papers(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    folder = tmp_path_factory.mktemp("default")
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    run_refresh(settings_for(folder))
    return read_table(folder / "processed", PAPERS_DATASET)


@pytest.fixture(scope="module")
def markdown_readme_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default sources, with the README read from its markdown (links, arXiv ids)."""
    markdown = require(README_AD1EB52)
    folder = tmp_path_factory.mktemp("markdown")
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(markdown, folder / "raw" / "README.md")
    text = (PROJECT_DIR / "sources.toml").read_text()
    text = text.replace(
        'snapshot = "003_67aa5497667b379c.txt"\nformat = "text"',
        'snapshot = "README.md"\nformat = "markdown"',
    )
    assert 'snapshot = "README.md"' in text
    (folder / "sources.toml").write_text(text)
    run_refresh(settings_for(folder))
    return folder


def test_one_paper_with_an_oral_a_poster_and_a_readme_card(
    default_papers: list[dict[str, object]],
) -> None:
    paper = paper_titled(
        default_papers,
        "Sharpness Minimization Algorithms Do Not Only Minimize Sharpness To Achieve Better "
        "Generalization",
    )
    assert kinds(paper) == [
        ("awesome-deep-phenomena", AppearanceKind.readme_card.value),
        ("icml-2023-hild", AppearanceKind.poster.value),
        ("neurips-2023-oral-1d-dl-theory", AppearanceKind.oral.value),
    ]


def test_spotlights_that_are_also_posters_are_papers_with_two_appearances(
    default_papers: list[dict[str, object]],
) -> None:
    twice = [
        paper
        for paper in default_papers
        if [source for source, _ in kinds(paper)].count(WORKSHOP_2021) == 2
    ]
    assert len(twice) == 8
    for paper in twice:
        workshop = [kind for source, kind in kinds(paper) if source == WORKSHOP_2021]
        assert workshop == ["poster", "spotlight"], paper["title"]


def test_hyphens_lost_in_a_capture_still_link_to_the_readme_card(
    default_papers: list[dict[str, object]],
) -> None:
    paper = paper_titled(
        default_papers,
        "Increasing Depth Leads to U-Shaped Test Risk in Over-parameterized Convolutional Networks",
    )
    assert paper["title"] == (
        "Increasing Depth Leads to U-Shaped Test Risk in Over-parameterized Convolutional Networks"
    )
    assert ("awesome-deep-phenomena", "readme_card") in kinds(paper)
    assert (WORKSHOP_2021, "poster") in kinds(paper)


def test_talks_that_are_not_papers_stay_out_of_the_papers_dataset(
    default_papers: list[dict[str, object]],
) -> None:
    titles = {normalise_title(str(paper["title"])) for paper in default_papers}
    assert normalise_title("Opening Remarks") not in titles
    assert normalise_title("Live Q&A with Peter Bartlett") not in titles


def test_offline_run_marks_papers_pending(default_papers: list[dict[str, object]]) -> None:
    statuses = {paper["enrichments"]["arxiv"]["status"] for paper in default_papers}  # type: ignore[index]
    assert statuses <= {EnrichmentStatus.pending.value, EnrichmentStatus.invalid_id.value}


def test_workshop_papers_link_to_the_readme_cards_arxiv_id(markdown_readme_folder: Path) -> None:
    papers = read_table(markdown_readme_folder / "processed", PAPERS_DATASET)
    paper = paper_titled(papers, "A Universal Law of Robustness via Isoperimetry")
    assert paper["id"] == "arxiv:2105.12806"
    assert paper["arxiv_id"] == "2105.12806"
    assert kinds(paper) == [
        ("awesome-deep-phenomena", "readme_card"),
        (WORKSHOP_2021, "poster"),
        (WORKSHOP_2021, "spotlight"),
    ]
    rules = [evidence["rule"] for evidence in paper["evidence"]]  # type: ignore[union-attr]
    assert rules[0] == "first" and set(rules[1:]) <= {"title_key", "fuzzy_title"}


def test_rerun_on_the_same_inputs_gives_byte_identical_papers(
    markdown_readme_folder: Path, tmp_path: Path
) -> None:
    shutil.copytree(markdown_readme_folder / "raw", tmp_path / "raw")
    shutil.copy(markdown_readme_folder / "sources.toml", tmp_path / "sources.toml")
    summary = run_refresh(settings_for(tmp_path))
    assert {result.status for result in summary.results} == {"written"}
    for dataset in (PAPERS_DATASET, WORKSHOP_2021):
        ours = (
            tmp_path / "processed" / dataset / str(latest_version(tmp_path / "processed", dataset))
        )
        theirs = (
            markdown_readme_folder
            / "processed"
            / dataset
            / str(latest_version(markdown_readme_folder / "processed", dataset))
        )
        assert (ours / "records.json").read_bytes() == (theirs / "records.json").read_bytes()
    again = run_refresh(settings_for(tmp_path))
    assert {result.status for result in again.results} == {"unchanged"}


def test_papers_keep_their_ids_when_a_source_brings_their_arxiv_ids(tmp_path: Path) -> None:
    """The page-text README gives no arXiv ids; its markdown gives 523. The papers keep the
    ids they had: changes.json reports arXiv ids changed, not papers removed and added."""
    markdown = require(README_AD1EB52)
    shutil.copytree(PROJECT_DIR / "raw", tmp_path / "raw")
    shutil.copy(markdown, tmp_path / "raw" / "README.md")
    text = (PROJECT_DIR / "sources.toml").read_text()
    (tmp_path / "sources.toml").write_text(text)
    run_refresh(settings_for(tmp_path))
    before = {paper["id"] for paper in read_table(tmp_path / "processed", PAPERS_DATASET)}

    (tmp_path / "sources.toml").write_text(
        text.replace(
            'snapshot = "003_67aa5497667b379c.txt"\nformat = "text"',
            'snapshot = "README.md"\nformat = "markdown"',
        )
    )
    run_refresh(settings_for(tmp_path))
    processed = tmp_path / "processed"
    papers = read_table(processed, PAPERS_DATASET)
    paper = paper_titled(papers, "A Universal Law of Robustness via Isoperimetry")
    assert paper["arxiv_id"] == "2105.12806" and paper["id"] in before
    changes = json.loads(
        (
            processed
            / PAPERS_DATASET
            / str(latest_version(processed, PAPERS_DATASET))
            / "changes.json"
        ).read_text()
    )[0]
    assert (changes["added"], changes["removed"], changes["renamed"]) == ([], [], [])
    gained = [c for c in changes["changed"] if "arxiv_id" in {f["field"] for f in c["fields"]}]
    assert len(gained) >= 500  # without carried ids: as many removed and as many added
