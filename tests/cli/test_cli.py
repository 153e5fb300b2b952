"""The command line: JSON on stdout, one-line errors with exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

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


def test_parse_detects_a_feed_and_a_listing_and_kind_can_be_forced(tmp_path: Path) -> None:
    from tests.parse.events.virtual_site import Card, feed_page, feed_record, listing_page

    feed = tmp_path / "icml-2026-orals-posters.json"
    feed.write_text(feed_page([feed_record(1, "A Paper", abstract="A.")], count=1))
    document = json.loads(run_cli("parse", str(feed)).stdout)
    assert (document["kind"], [item["title"] for item in document["items"]]) == (
        "feed",
        ["A Paper"],
    )
    listing = tmp_path / "posters.html"
    listing.write_text(listing_page([Card(1, "A Poster", "Poster", ["Ann Lee", "Bo Chen"])]))
    assert json.loads(run_cli("parse", str(listing)).stdout)["kind"] == "listing"
    text = tmp_path / "session.txt"
    text.write_text("Oral Session\nOral 1\nA Title\nAnn Lee · Bo Chen\nAn abstract.\n")
    forced = json.loads(run_cli("parse", str(text), "--kind", "workshop").stdout)
    assert forced["event"]["kind"] == "session"  # the page's heading still says what it is
    assert forced["items"][0]["type"] == "oral"
    as_readme = json.loads(run_cli("parse", str(text), "--kind", "readme").stdout)
    assert as_readme["kind"] == "readme"


def test_parse_with_an_unknown_kind_is_a_one_line_error_naming_the_kinds(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("Oral Session\nOral 1\nA Title\nAnn Lee · Bo Chen\n")
    result = run_cli("parse", str(path), "--kind", "poster")
    assert_one_line_error(result)
    assert "feed" in result.stderr and "listing" in result.stderr


# --------------------------------------------------------------------------- every command

COMMANDS = [
    "refresh", "serve", "ingest-readme", "replay", "parse", "datasets", "versions", "diff",
    "export", "validate", "report", "sources", "settings", "arxiv-index", "arxiv-index update",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run_cli(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "Example:" in result.stdout and "Usage:" in result.stdout


@pytest.mark.parametrize("command", ["", "arxiv-index"])
def test_no_arguments_print_the_help_and_no_error_line(command: str) -> None:
    result = run_cli(*command.split())
    assert result.returncode == 2 and "Usage:" in result.stdout + result.stderr
    assert "error" not in result.stderr.lower()


def test_a_usage_error_is_one_line_with_exit_code_2() -> None:
    assert_one_line_error(run_cli("refresh", "--no-such-option"))
    assert_one_line_error(run_cli("no-such-command"))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A scratch project refreshed once (through the library: no Prefect start needed)."""
    import shutil

    from pipeline.run.refresh import refresh
    from tests.conftest import settings_for

    folder = tmp_path_factory.mktemp("cli")
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    refresh(settings_for(folder))
    return {
        **os.environ,
        "PIPELINE_SOURCES_FILE": str(folder / "sources.toml"),
        "PIPELINE_RAW_DIR": str(folder / "raw"),
        "PIPELINE_PROCESSED_DIR": str(folder / "processed"),
        "PIPELINE_STATE_DIR": str(folder / "state"),
        "PIPELINE_OFFLINE": "true",
    }


def run_in(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["datasets"],
        ["versions", "papers"],
        ["diff", "papers"],
        ["sources"],
        ["settings"],
        ["validate"],
    ],
)
def test_json_output_is_json_and_only_json_on_stdout(
    refreshed: dict[str, str], args: list[str]
) -> None:
    result = run_in(refreshed, *args, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is not None


def test_settings_show_a_github_token_masked_in_text_and_json(refreshed: dict[str, str]) -> None:
    env = {**refreshed, "PIPELINE_GITHUB_TOKEN": "ghp_secret"}
    as_json = json.loads(run_in(env, "settings", "--json").stdout)
    assert as_json["PIPELINE_GITHUB_TOKEN"] == "**********"
    text = run_in(env, "settings").stdout
    assert "PIPELINE_GITHUB_TOKEN=**********" in text and "ghp_secret" not in text


def test_datasets_lists_every_dataset_with_its_counts(refreshed: dict[str, str]) -> None:
    rows = json.loads(run_in(refreshed, "datasets", "--json").stdout)
    by_name = {row["dataset"]: row for row in rows}
    assert by_name["papers"]["records"] == {"records": 631, "near_misses": 2}
    assert by_name["awesome-deep-phenomena"]["versions"] == 1


def test_validate_exits_1_naming_a_tampered_version(refreshed: dict[str, str]) -> None:
    processed = Path(refreshed["PIPELINE_PROCESSED_DIR"])
    latest = (processed / "icml-2023-hild" / "LATEST").read_text().strip()
    events = processed / "icml-2023-hild" / latest / "events.json"
    original = events.read_bytes()
    events.write_bytes(original.replace(b"HiLD", b"HILD"))
    try:
        result = run_in(refreshed, "validate", "icml-2023-hild")
    finally:
        events.write_bytes(original)
    assert result.returncode == 1, result.stdout
    assert f"icml-2023-hild {latest}: events.json: checksum differs" in result.stdout


def test_a_closed_pipe_ends_quietly(refreshed: dict[str, str]) -> None:
    export = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "export", "papers", "--format", "jsonl"],
        cwd=PROJECT_DIR,
        env=refreshed,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    export.stdout.readline()
    export.stdout.close()  # as `| head -1` does
    stderr = export.stderr.read().decode()
    assert export.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


# ------------------------------------------------------------- sources, refresh --source


def test_sources_says_the_embedded_default_readme_tracks_its_default_branch(
    refreshed: dict[str, str],
) -> None:
    rows = {row["id"]: row for row in json.loads(run_in(refreshed, "sources", "--json").stdout)}
    readme = rows["awesome-deep-phenomena"]
    assert (readme["kind"], readme["follows"], readme["ref"]) == (
        "readme",
        "tracking",
        "default branch",
    )
    assert readme["last_fetch"]["status"] == "embedded"  # offline: raw/ served
    assert readme["last_fetch"]["commit"] is None and readme["latest_commit"] is None
    assert readme["warnings"] == 0 and readme["latest_version"] is not None
    assert (rows["icml-2023-hild"]["follows"], rows["icml-2023-hild"]["ref"]) == ("page", None)


def test_refresh_of_an_unknown_source_is_a_one_line_error(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    assert main(["refresh", "--source", "icml-2023-hild", "--source", "no-such-source"]) == 2
    assert capsys.readouterr().err == (
        "error: --source no-such-source: no such source in sources.toml\n"
    )
    assert not (project_copy / "processed").exists()


LIST = "# List\n\n## Papers\n\n- {}\n"


def test_sources_and_versions_show_tracking_and_pinned_readmes_with_their_commits(
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pipeline.cli import main
    from pipeline.run.refresh import refresh
    from tests.fake_arxiv import FakeArxiv
    from tests.git_host import GitHost

    host = GitHost()
    host.install(httpserver)
    first = host.push(
        {"README.md": LIST.format("[Deep Double Descent](https://arxiv.org/abs/1912.02292)")}
    )
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nid = "tracked"\nkind = "readme"\nurl = "{host.url}"\n\n'
        f'[[source]]\nid = "pinned"\nkind = "readme"\nurl = "{host.url}/blob/{first}/README.md"\n'
    )
    second = host.push({"README.md": LIST.format("[Grokking](https://arxiv.org/abs/2201.02177)")})
    with FakeArxiv() as arxiv:
        settings = arxiv.folder_settings(tmp_path, **host.settings_for(httpserver))
        refresh(settings)
    for name in ("sources_file", "raw_dir", "processed_dir", "state_dir"):
        monkeypatch.setenv(f"PIPELINE_{name.upper()}", str(getattr(settings, name)))

    assert main(["sources", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    tracked, pinned = rows["tracked"], rows["pinned"]
    assert (tracked["follows"], tracked["ref"]) == ("tracking", "default branch")
    assert (tracked["last_fetch"]["status"], tracked["last_fetch"]["commit"]) == ("fetched", second)
    assert tracked["latest_commit"] == second and tracked["warnings"] == 0
    assert (pinned["follows"], pinned["ref"]) == ("pinned", first)
    assert pinned["latest_commit"] == first

    assert main(["sources"]) == 0
    table = capsys.readouterr().out
    assert "tracking default branch" in table and f"pinned {first[:7]}" in table
    assert f"@ {second[:7]}" in table

    assert main(["versions", "tracked", "--json"]) == 0
    assert [row["commit"] for row in json.loads(capsys.readouterr().out)] == [second]
    assert main(["versions", "pinned"]) == 0
    assert f"commit {first[:7]}" in capsys.readouterr().out
