"""History replay: one version per historical README, in commit order, with changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from itertools import islice, pairwise
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.run.replay import replay_versions
from pipeline.sources.history import read_history
from pipeline.store.versions import (
    latest_version,
    list_versions,
    read_manifest,
    read_table,
    read_version_file,
)
from tests.conftest import HISTORY_TARBALL, PROJECT_DIR, assert_same_files, require, run_python

CARD = "- {title}. [[paper]](https://arxiv.org/abs/{arxiv})\n  - Ada Lovelace.\n"


def write_readme(path: Path, cards: list[tuple[str, str]]) -> None:
    body = "".join(CARD.format(title=title, arxiv=arxiv) for title, arxiv in cards)
    path.write_text(f"# List\n\n## Topic\n\n### Topic: 2024\n\n{body}")


def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def test_first_120_versions_of_the_real_history_replay_in_commit_order(tmp_path: Path) -> None:
    history = list(islice(read_history(require(HISTORY_TARBALL)), 120))
    summary = replay_versions(history, "adp", Settings(processed_dir=tmp_path))
    versions = list_versions(tmp_path, "adp")
    assert len(summary.written) == 120 and versions == summary.written
    by_name = {v.name[:4]: name for v, name in zip(history, summary.written, strict=True)}
    assert summary.cards[by_name["0011"]] == 4
    assert summary.cards[by_name["0077"]] == 43
    for before, after in pairwise(versions):
        manifest = read_manifest(tmp_path, "adp", after)
        assert manifest.created_at >= read_manifest(tmp_path, "adp", before).created_at
    changes = json.loads(read_version_file(tmp_path / "adp" / versions[77] / "changes.json"))
    assert changes[0]["from_version"] == versions[76]
    # an old version is compressed and still reads with one call
    assert not (tmp_path / "adp" / versions[10] / "records.json").exists()
    assert len(read_table(tmp_path, "adp", by_name["0011"])) == 4

    again = replay_versions(history, "adp", Settings(processed_dir=tmp_path))
    assert again.written == [] and again.already_present == 120


def test_git_history_gives_a_version_per_commit_dated_with_its_commit_time(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    cards = [("Deep Double Descent", "1912.02292")]
    write_readme(repo / "README.md", cards)
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "first", when="2021-01-01T10:00:00+00:00")
    cards.append(("Grokking", "2201.02177"))
    write_readme(repo / "README.md", cards)
    git(repo, "commit", "-qam", "second", when="2022-02-02T10:00:00+00:00")
    summary = replay_versions(read_history(repo), "list", Settings(processed_dir=tmp_path / "out"))
    assert [summary.cards[v] for v in summary.written] == [1, 2]
    assert summary.written == ["20210101T100000Z", "20220202T100000Z"]
    (changes,) = json.loads(
        (tmp_path / "out" / "list" / "20220202T100000Z" / "changes.json").read_text()
    )
    assert [entry["title"] for entry in changes["added"]] == ["Grokking"]
    # Each version names the commit it was read at, as a refresh of a tracked README does.
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H", "--reverse"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for version, commit in zip(summary.written, log, strict=True):
        manifest = json.loads((tmp_path / "out" / "list" / version / "manifest.json").read_text())
        assert [entry["commit"] for entry in manifest["inputs"]] == [commit]


def test_folder_history_and_an_unreadable_version_give_a_warning_not_a_crash(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    write_readme(folder / "0001-20200101T000000-aaaaaaa.md", [("A Paper", "2001.00001")])
    (folder / "0002-20200201T000000-bbbbbbb.md").write_bytes(b"\x00\x01binary")
    summary = replay_versions(
        read_history(folder), "list", Settings(processed_dir=tmp_path / "out")
    )
    assert len(summary.written) == 2 and summary.warnings == 1
    assert latest_version(tmp_path / "out", "list") == summary.written[-1]


@pytest.mark.slow
def test_replay_on_a_two_worker_dask_cluster_is_byte_identical_to_in_process(
    tmp_path: Path,
) -> None:
    tarball = require(HISTORY_TARBALL)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from pipeline.core.settings import Settings
        from flows.prefect_env import configure_prefect

        if __name__ == "__main__":  # Dask spawns worker processes that import this module
            base = Path({str(tmp_path)!r})
            configure_prefect(Settings(state_dir=base / "state"))
            from flows.replay import replay
            from flows.runners import task_runner

            for runner in ("local", "dask"):
                settings = Settings(
                    state_dir=base / "state",
                    processed_dir=base / runner,
                    task_runner=runner,
                    dask_workers=2,
                )
                flow = replay.with_options(task_runner=task_runner(settings))
                summary = flow(Path({str(tarball)!r}), "adp", settings, limit=50)
                print(runner, len(summary.written))
        """
    )
    (tmp_path / "run.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPELINE_", "PREFECT_"))}
    result = subprocess.run(
        [sys.executable, str(tmp_path / "run.py")],
        cwd=PROJECT_DIR,
        env={**env, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    assert "local 50" in result.stdout and "dask 50" in result.stdout
    assert_same_files(tmp_path / "local", tmp_path / "dask", at_least=50 * 5)


def test_reading_ahead_in_a_worker_writes_the_same_files_as_parsing_in_process(
    tmp_path: Path,
) -> None:
    tarball = require(HISTORY_TARBALL)
    # A clean interpreter: pytest's process may run threads, where no worker is made.
    script = textwrap.dedent(
        f"""
        import threading
        from pathlib import Path
        from unittest import mock
        from pipeline.core.settings import Settings
        from pipeline.run import ahead
        from pipeline.run.replay import replay

        base = Path({str(tmp_path)!r})
        forks = []
        real = ahead._fork_context
        with mock.patch.object(ahead, "_fork_context", lambda: forks.append(1) or real()):
            for read_ahead in (True, False):
                settings = Settings(
                    processed_dir=base / str(read_ahead), replay_read_ahead=read_ahead
                )
                summary = replay(Path({str(tarball)!r}), "adp", settings, limit=60)
                print(read_ahead, len(summary.written), threading.active_count())
        print("forks", len(forks))
        """
    )
    result = run_python(script, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["True 60 1", "False 60 1", "forks 1"], result.stdout
    assert_same_files(tmp_path / "True", tmp_path / "False", at_least=60 * 5)
