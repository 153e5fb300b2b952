"""``arxiv-index update``: the title index's harvest from the command line (against a fake
OAI-PMH interface on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.commands import ARXIV_INDEX_LOCK
from pipeline.core.locks import exclusive
from tests.conftest import PROJECT_DIR
from tests.fake_arxiv import synthetic_papers
from tests.fake_oai import FakeOai, OaiRecord


def harvest_env(monkeypatch: pytest.MonkeyPatch, state: Path, oai: FakeOai) -> None:
    for name, value in {
        "STATE_DIR": str(state),
        "ARXIV_OAI_URL": oai.url,
        "ARXIV_DELAY_SECONDS": "0",
        "OFFLINE": "false",
    }.items():
        monkeypatch.setenv(f"PIPELINE_{name}", value)


def test_the_command_harvests_and_says_what_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = synthetic_papers(4, seed=5)
    with FakeOai([OaiRecord(p, "2026-11-20") for p in papers], page_size=3) as oai:
        harvest_env(monkeypatch, tmp_path, oai)
        assert main(["arxiv-index", "update", "--set", "cs"]) == 0
    out = capsys.readouterr().out
    assert "cs: 4 records stored" in out and "4 papers in the index" in out


def test_json_gives_the_summary_as_json_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = synthetic_papers(5, seed=6)
    records = [OaiRecord(p, "2026-11-20", set_spec="cs") for p in papers[:3]]
    records += [OaiRecord(p, "2026-11-21", set_spec="stat") for p in papers[3:]]
    with FakeOai(records, page_size=2) as oai:
        harvest_env(monkeypatch, tmp_path, oai)
        assert main(["arxiv-index", "update", "--set", "cs", "--set", "stat", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == {"cs": 3, "stat": 2}
    assert summary["size"] == 5 and summary["deleted"] == 0 and summary["requests"] >= 2


@pytest.mark.parametrize(
    ("args", "setting", "message"),
    [
        (["--from", "yesterday"], {}, "--from 'yesterday': not a day"),
        ([], {"PIPELINE_OFFLINE": "true"}, "PIPELINE_OFFLINE is set"),
    ],
)
def test_a_refused_update_is_one_line_with_exit_code_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    setting: dict[str, str],
    message: str,
) -> None:
    with FakeOai([]) as oai:
        harvest_env(monkeypatch, tmp_path, oai)
        for name, value in setting.items():
            monkeypatch.setenv(name, value)
        assert main(["arxiv-index", "update", *args]) == 2
        assert oai.requests == []
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_a_second_update_at_once_is_refused_naming_the_first(tmp_path: Path) -> None:
    with FakeOai([]) as oai:
        env = {
            **os.environ,
            "PIPELINE_STATE_DIR": str(tmp_path),
            "PIPELINE_ARXIV_OAI_URL": oai.url,
            "PIPELINE_OFFLINE": "false",
            "PIPELINE_LOCK_WAIT_SECONDS": "0",
        }
        with exclusive(tmp_path / ARXIV_INDEX_LOCK, "index", "held", wait=0):
            result = subprocess.run(
                [sys.executable, "-m", "pipeline", "arxiv-index", "update"],
                cwd=PROJECT_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        assert oai.requests == []
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "the arXiv title index is being updated by PID" in result.stderr
