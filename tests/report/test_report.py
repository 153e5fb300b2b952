"""The curator's report over the embedded default: facts, Markdown, and the static HTML page
rendered in headless Chromium, each chart drawn."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.report import build_report, write_report
from pipeline.report.render import render_html, render_markdown
from pipeline.run.refresh import refresh
from pipeline.sources.config import load_sources
from tests.conftest import PROJECT_DIR, settings_for

SCREENSHOT = PROJECT_DIR / ".state" / "test-artifacts" / "report.png"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    refresh(settings_for(folder))
    # a second version of one dataset, so the report has a history to draw
    capture = folder / "raw" / "000_9da80035aa0ccbc3.txt"
    capture.write_text(capture.read_text().replace("Abide by the law", "Abide by the Law"))
    refresh(settings_for(folder))
    return folder


def report_of(project: Path):  # type: ignore[no-untyped-def]
    sources = [source.id for source in load_sources(project / "sources.toml")]
    return build_report(project / "processed", project / "state", source_ids=sources)


def test_the_report_gathers_what_a_curator_fixes_next(project: Path) -> None:
    report = report_of(project)
    assert set(report.datasets) == {
        "awesome-deep-phenomena",
        "icml-2021-overparameterization",
        "icml-2023-hild",
        "neurips-2023-oral-1d-dl-theory",
        "papers",
    }
    assert sum(report.enrichment_by_status.values()) == 631
    assert report.enrichment_by_status["pending"] == 631  # offline
    assert report.papers_by_topic["Others"] > 0
    assert report.warnings_by_source["icml-2021-overparameterization"] == 3
    assert len(report.near_misses) == 2
    # the changed session and the papers it feeds have a history of two versions
    growth = {g.dataset: [count for _, count in g.points] for g in report.growth}
    assert growth == {"neurips-2023-oral-1d-dl-theory": [3, 3], "papers": [631, 631]}
    # offline, every source was served from raw/: none is fresh
    assert {s.source_id: s.stale for s in report.sources} == dict.fromkeys(
        [s.source_id for s in report.sources], True
    )
    assert {s.status for s in report.sources} == {"embedded"}


def test_the_markdown_has_every_section(project: Path) -> None:
    markdown = render_markdown(report_of(project))
    for heading in (
        "## Papers per topic",
        "## Papers per year",
        "## Enrichment coverage",
        "## Parse warnings by source",
        "## Growth over the history",
        "## Titles that differ from arXiv's",
        "## Workshop papers with no arXiv match",
        "## Similar titles not merged (near misses)",
        "## Sources",
    ):
        assert heading in markdown
    assert "| icml-2021-overparameterization | 3 |" in markdown


def test_the_html_page_needs_no_server_and_escapes_what_it_shows(project: Path) -> None:
    report = report_of(project)
    report.title_mismatches.append(("p", "<script>alert(1)</script>", "x"))
    page = render_html(report)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page.split("<h2>Sources")[0]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        # CI machines start without a browser: the test installs Debian's own.
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            if subprocess.run(command, env=env, capture_output=True, timeout=900).returncode:
                break
        found = shutil.which("chromium")
        if found:
            return found
    pytest.skip("Chromium is not installed and cannot be installed here (needs root and apt)")


@pytest.mark.slow
def test_every_chart_draws_in_headless_chromium(project: Path, tmp_path: Path) -> None:
    browser = _chromium()
    _, page = write_report(report_of(project), tmp_path / "site")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dumped = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = lxml_html.fromstring(dumped.stdout)
    assert dom.body.get("data-rendered") == "true", dumped.stderr[-2000:]
    figures = dom.xpath("//figure[contains(@class, 'plot')]")
    names = [figure.get("data-plot") for figure in figures]
    assert {"topics", "years", "enrichment", "warnings"} <= set(names)
    assert any(name.startswith("growth-") for name in names)
    for figure in figures:
        assert figure.get("data-drawn") == "true", figure.get("data-plot")
        assert int(figure.get("data-marks")) > 0
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [browser, *flags, "--window-size=1280,2400", f"--screenshot={SCREENSHOT}", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert SCREENSHOT.stat().st_size > 10_000
