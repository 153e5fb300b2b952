"""The guards of issue 16, each against the case that was reproduced: nothing published that
lost data silently, no traceback, a one-line message, a stated bound."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline.cli import main
from pipeline.core.errors import PipelineError
from pipeline.core.settings import Settings
from pipeline.run.refresh import refresh
from pipeline.run.replay import replay
from pipeline.sources import history
from pipeline.sources.config import load_sources
from pipeline.store.versions import latest_version, list_versions, read_manifest, read_table
from tests.conftest import PROJECT_DIR, settings_for

DATASETS = 5  # four sources and the papers


def project(folder: Path) -> Settings:
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    return settings_for(folder)


def serve_sources(folder: Path, server: HTTPServer, body_of: dict[str, tuple[bytes, str]]) -> None:
    """Point every source of the copy's sources.toml at the local server."""
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    text = (folder / "sources.toml").read_text()
    for source in load_sources(folder / "sources.toml"):
        body, content_type = body_of[source.id]
        server.expect_request(f"/{source.id}").respond_with_data(body, content_type=content_type)
        text = text.replace(f'url = "{source.url}"', f'url = "{server.url_for("/" + source.id)}"')
    (folder / "sources.toml").write_text(text)


def counts(settings: Settings) -> dict[str, int]:
    out = {}
    for dataset in sorted(p.name for p in settings.processed_dir.iterdir()):
        manifest = read_manifest(settings.processed_dir, dataset)
        out[dataset] = manifest.record_counts["records"]
    return out


def embedded_bodies(settings: Settings) -> dict[str, bytes]:
    return {
        s.id: (settings.raw_dir / str(s.snapshot)).read_bytes()
        for s in load_sources(settings.sources_file)
    }


def test_good_pages_served_as_text_html_keep_every_record(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    settings = project(tmp_path)
    refresh(settings)  # offline: the embedded captures
    before = counts(settings)
    bodies = embedded_bodies(settings)
    serve_sources(
        tmp_path, httpserver, {k: (v, "text/html; charset=utf-8") for k, v in bodies.items()}
    )

    online = settings.model_copy(update={"offline": False})
    summary = refresh(online)
    assert counts(settings) == before  # sniffed as the page text they are: nothing lost
    assert not [note for note in summary.notes if "not published" in note]


def test_a_page_that_lost_its_content_is_not_published_and_says_why(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    settings = project(tmp_path)
    refresh(settings)
    before = counts(settings)
    hild_before = read_table(settings.processed_dir, "icml-2023-hild")
    sign_in = (
        b"<html><body><h1>Sign in</h1><form>Password <input type=password></form></body></html>"
    )
    bodies = {k: (sign_in, "text/html") for k in embedded_bodies(settings)}
    serve_sources(tmp_path, httpserver, bodies)

    online = settings.model_copy(update={"offline": False})
    summary = refresh(online)
    refused = [note for note in summary.notes if "not published" in note]
    assert len(refused) == 4, summary.notes
    readme = next(note for note in refused if note.startswith("awesome-deep-phenomena:"))
    assert f"0 records against {before['awesome-deep-phenomena']}" in readme
    assert "sign-in page" in readme and "--accept-drop awesome-deep-phenomena" in readme
    assert counts(settings) == before  # every source kept its last good version
    assert read_table(settings.processed_dir, "papers")  # and so did the papers
    # (a new version may carry them: the sources' urls changed, so their definitions did)
    assert read_table(settings.processed_dir, "icml-2023-hild") == hild_before
    assert summary.partial and not summary.complete  # the CLI's exit code 3

    accepted = refresh(online, accept_drop=["icml-2023-hild"])
    assert counts(settings)["icml-2023-hild"] == 0  # published deliberately
    assert len([note for note in accepted.notes if "not published" in note]) == 3


def test_cli_refresh_refuses_an_unknown_accept_drop_source_in_one_line(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh", "--accept-drop", "no-such-source"]) == 2
    error = capsys.readouterr().err
    assert error == "error: --accept-drop no-such-source: no such source in sources.toml\n"


def test_an_edited_latest_is_not_laundered_into_the_papers(tmp_path: Path) -> None:
    settings = project(tmp_path)
    refresh(settings)
    dataset = "icml-2021-overparameterization"
    version = latest_version(settings.processed_dir, dataset)
    records = settings.processed_dir / dataset / str(version) / "papers.json"
    papers = json.loads(records.read_text())
    original = papers[0]["title"]
    papers[0]["title"] = "TAMPERED TITLE"
    records.write_text(json.dumps(papers))

    summary = refresh(settings)
    assert any("does not match its manifest" in note for note in summary.notes), summary.notes
    titles = {paper["title"] for paper in read_table(settings.processed_dir, "papers")}
    assert "TAMPERED TITLE" not in titles and original in titles
    fresh = read_table(settings.processed_dir, dataset, table="papers")
    assert fresh[0]["title"] == original


HOSTILE_NAMES = ["../../x", "/tmp/abs", "papers", "LATEST", "x\n", "a" * 300, "x\x00y"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:12] for n in HOSTILE_NAMES])
def test_replay_name_is_checked_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    history_folder = tmp_path / "history"
    history_folder.mkdir()
    (history_folder / "0001-20250101T000000-abc1234.md").write_text("# x\n\n- [A](https://x.org)\n")
    monkeypatch.setenv("PIPELINE_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "state"))
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["replay", str(history_folder), "--name", name])
    assert code == 2
    assert err.getvalue().startswith("error: --name ") and err.getvalue().count("\n") == 1
    assert not (tmp_path / "processed").exists() and not (tmp_path / "x").exists()


def test_an_archive_member_over_the_cap_is_refused_before_anything_is_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cap is lowered so the test needs no 2 GiB member; the check is the same.
    monkeypatch.setattr(history, "MAX_VERSION_BYTES", 64 * 1024)
    archive = tmp_path / "history.tar.xz"
    small, big = (
        tmp_path / "0001-20250101T000000-abc1234.md",
        tmp_path / "0002-20250102T000000-def5678.md",
    )
    small.write_text("# x\n\n- [A](https://x.org)\n")
    big.write_bytes(b"- [B](https://x.org)\n" * 10_000)
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(small, arcname=small.name)
        tar.add(big, arcname=big.name)
    settings = settings_for(tmp_path)
    with pytest.raises(PipelineError, match="over the 65536-byte limit of one version; nothing"):
        replay(archive, "hist", settings)
    assert list_versions(settings.processed_dir, "hist") == []
