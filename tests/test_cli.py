"""The command line: JSON on stdout, one-line errors with exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, README_AD1EB52, require


def run_cli(*args: str, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


def test_parse_prints_the_readme_capture_as_json_document() -> None:
    result = run_cli("parse", "raw/003_67aa5497667b379c.txt")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "readme"
    assert document["title"] == "Awesome Deep Phenomena"
    assert len(document["items"]) == 543
    assert set(document) >= {"kind", "title", "items", "warnings"}


def test_parse_detects_markdown_and_reads_arxiv_ids() -> None:
    result = run_cli("parse", str(require(README_AD1EB52)))
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert len(items) == 543
    assert sum(1 for item in items if item["arxiv_id"]) == 523


def test_parse_format_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(
        "# List\n\n## Topic\n\n- A Paper. [[paper]](https://arxiv.org/abs/2101.00001)\n"
    )
    forced = run_cli("parse", str(path), "--format", "markdown")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["items"][0]["arxiv_id"] == "2101.00001"


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".MD"])
def test_parse_reads_a_md_file_as_markdown_even_when_it_opens_with_html(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"README{suffix}"
    path.write_text(
        '<div align="center"><img src="logo.png"></div>\n\n# List\n\n## Topic\n\n'
        "- A Paper. [[paper]](https://arxiv.org/abs/2101.00001)\n"
    )
    result = run_cli("parse", str(path))
    assert result.returncode == 0, result.stderr
    assert [item["arxiv_id"] for item in json.loads(result.stdout)["items"]] == ["2101.00001"]


def test_parse_empty_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("")
    assert_one_line_error(run_cli("parse", str(path)))


def test_parse_binary_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_line_error(run_cli("parse", str(path)))


def test_parse_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("parse", str(tmp_path / "nope.md")))


@pytest.mark.parametrize(
    "text",
    [
        "Just a shopping list.\nEggs\nMilk\n",
        "# Notes\n\nSome prose with a [link](https://example.org) and no list.\n",
    ],
)
def test_parse_text_that_is_no_readme_gives_zero_items_and_a_warning(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(text)
    result = run_cli("parse", str(path))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["items"] == []
    assert document["warnings"], "an empty result must say why"


def test_broken_sources_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text("[[source]]\nid = 'Bad Id'\nkind = 'readme'\n")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "sources"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_DIR)},
        timeout=60,
    )
    assert_one_line_error(result)


def test_a_bad_setting_is_a_one_line_error_naming_the_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "refresh"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "PIPELINE_ARXIV_DELAY_SECONDS": "soon"},
        timeout=60,
    )
    assert_one_line_error(result)
    assert "PIPELINE_ARXIV_DELAY_SECONDS" in result.stderr
