"""Scheduled refreshes of a README that follows its repository (a GitHub stand-in on
127.0.0.1), beside a workshop page: each new commit is a version recording it, an unchanged
run writes nothing; ``source_ids`` refreshes only the named sources and relinks the papers
from the others' latest versions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from pipeline.core.errors import PipelineError
from pipeline.core.locks import LockBusy
from pipeline.core.settings import Settings
from pipeline.run import steps
from pipeline.run.refresh import refresh
from pipeline.sources.config import load_sources, source_table
from pipeline.store.versions import list_versions, read_manifest, read_table
from tests.conftest import PROJECT_DIR
from tests.fake_arxiv import FakeArxiv
from tests.git_host import GitHost

README = "awesome-tracked"
WORKSHOP = "icml-2023-hild"
SHARED = "Sharpness Minimization Algorithms Do Not Only Minimize Sharpness To Achieve Better"
CARDS = [
    f"- [{SHARED} Generalization](https://arxiv.org/abs/2307.11007) - also a HiLD poster\n",
    "- [Deep Double Descent](https://arxiv.org/abs/1912.02292) - bigger models, more data\n",
    "- [Omnigrok: Grokking Beyond Algorithmic Data](https://arxiv.org/abs/2210.01117) - more\n",
]


def readme(cards: int) -> str:
    return "# Awesome Tracked\n\n## Papers\n\n" + "".join(CARDS[:cards])


@pytest.fixture
def host(httpserver: HTTPServer) -> GitHost:
    """The GitHub stand-in, and the HiLD workshop capture served as a page beside it (with
    an ETag: unchanged, it is a 304)."""
    capture = (PROJECT_DIR / "raw" / "002_018b3c99b71c7c41.txt").read_bytes()

    def page(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"hild"':
            return Response(status=304, headers={"ETag": '"hild"'})
        return Response(
            capture, headers={"ETag": '"hild"'}, content_type="text/plain; charset=utf-8"
        )

    httpserver.expect_request("/pages/hild").respond_with_handler(page)
    made = GitHost()
    made.install(httpserver)
    return made


@pytest.fixture
def settings(tmp_path: Path, host: GitHost, httpserver: HTTPServer) -> Iterator[Settings]:
    (tmp_path / "raw").mkdir()
    hild = next(s for s in load_sources(PROJECT_DIR / "sources.toml") if s.id == WORKSHOP)
    for name in (str(hild.snapshot), str(hild.snapshot).replace(".txt", ".meta.json")):
        (tmp_path / "raw" / name).write_bytes((PROJECT_DIR / "raw" / name).read_bytes())
    page = hild.model_copy(update={"url": httpserver.url_for("/pages/hild")})
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nid = "{README}"\nkind = "readme"\nurl = "{host.url}"\n\n' + source_table(page)
    )
    with FakeArxiv() as arxiv:
        yield arxiv.folder_settings(
            tmp_path, fetch_delay_seconds=0.0, **host.settings_for(httpserver)
        )


def statuses(summary: Any) -> dict[str, str]:
    return {result.dataset: result.status for result in summary.results}


def files(*folders: Path) -> dict[str, int]:
    """Every file under the folders with its modification time: what a run wrote shows
    (lock files, which say who holds them, left out)."""
    return {
        str(path): path.stat().st_mtime_ns
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def commits(settings: Settings, dataset: str) -> list[str | None]:
    """The commit each version of a dataset records for its snapshot, oldest first."""
    return [
        read_manifest(settings.processed_dir, dataset, name).inputs[0].commit
        for name in list_versions(settings.processed_dir, dataset)
    ]


def appearances(settings: Settings) -> set[tuple[str, str]]:
    """(source, title) of every appearance in the papers dataset."""
    return {
        (appearance["source_id"], paper["title"])
        for paper in read_table(settings.processed_dir, steps.PAPERS_DATASET)
        for appearance in paper["appearances"]
    }


# --------------------------------------------------------------------------- scheduled runs


def test_two_scheduled_runs_write_two_versions_with_their_commits_and_a_third_writes_nothing(
    host: GitHost, settings: Settings
) -> None:
    first_sha = host.push({"README.md": readme(2)})
    first = refresh(settings)
    assert statuses(first) == {README: "written", WORKSHOP: "written", "papers": "written"}
    assert first.notes == [] and first.complete

    second_sha = host.push({"README.md": readme(3)})
    second = refresh(settings)
    assert statuses(second) == {README: "written", WORKSHOP: "unchanged", "papers": "written"}
    assert commits(settings, README) == [first_sha, second_sha]
    assert len(read_table(settings.processed_dir, README)) == 3
    (changes,) = read_table(
        settings.processed_dir, README, list_versions(settings.processed_dir, README)[-1], "changes"
    )
    assert [added["title"] for added in changes["added"]] == [
        "Omnigrok: Grokking Beyond Algorithmic Data"
    ]
    papers = read_manifest(settings.processed_dir, steps.PAPERS_DATASET)
    assert next(item.commit for item in papers.inputs if item.source_id == README) == second_sha
    # The README's card and the workshop's poster are one paper.
    assert {(README, SHARED + " Generalization"), (WORKSHOP, SHARED + " Generalization")} <= {
        (source, title) for source, title in appearances(settings)
    }

    written = files(settings.raw_dir, settings.processed_dir)
    asked = len(host.requests)
    third = refresh(settings)
    assert set(statuses(third).values()) == {"unchanged"}
    assert files(settings.raw_dir, settings.processed_dir) == written
    (api,) = host.requests[asked:]  # GitHub was asked one thing: is main still there?
    assert api.api and api.status == 304 and api.if_none_match == f'"{second_sha}"'


def test_a_commit_that_leaves_the_readme_alone_writes_no_version(
    host: GitHost, settings: Settings
) -> None:
    first_sha = host.push({"README.md": readme(2)})
    refresh(settings)
    host.push({"CONTRIBUTING.md": "Open a pull request."})
    again = refresh(settings)
    assert set(statuses(again).values()) == {"unchanged"}
    assert commits(settings, README) == [first_sha]  # the version keeps the commit it was made at


def test_a_tracked_readmes_list_files_are_read_at_the_commit_it_was_read_at(
    host: GitHost, settings: Settings
) -> None:
    index = (
        "# Awesome Tracked\n\n## Papers\n\n"
        + CARDS[1]
        + "\nMore in [the full list](FULL_LIST.md).\n"
    )
    host.push({"README.md": index, "FULL_LIST.md": "# Full list\n\n" + CARDS[2]})
    refresh(settings)
    # Only the list file changes: the README's bytes are the same at the new commit.
    sha = host.push({"FULL_LIST.md": "# Full list\n\n" + CARDS[2] + CARDS[0]})
    second = refresh(settings)
    assert statuses(second)[README] == "written"
    assert f"/raw/ada/awesome-tracked/{sha}/FULL_LIST.md" in [r.path for r in host.requests]
    inputs = read_manifest(settings.processed_dir, README).inputs
    assert [(item.path.rsplit(".", 1)[-1], item.commit) for item in inputs] == [
        ("md", sha),  # the README, read at the new commit (its 304 said: same bytes)
        ("md", sha),  # FULL_LIST.md
        (f"toml#{README}", None),
    ]
    assert [card["provenance"]["file"] for card in read_table(settings.processed_dir, README)] == [
        None,
        "FULL_LIST.md",
        "FULL_LIST.md",
    ]
    asked = len(host.requests)
    third = refresh(settings)
    assert set(statuses(third).values()) == {"unchanged"}
    assert len(host.requests) == asked + 1  # the API's 304; the list file's commit is known


# --------------------------------------------------------------------------- refresh --source


def test_refresh_of_a_named_source_writes_only_its_dataset_and_the_papers(
    host: GitHost, settings: Settings, httpserver: HTTPServer
) -> None:
    host.push({"README.md": readme(2)})
    refresh(settings)
    workshop = files(settings.processed_dir / WORKSHOP, settings.state_dir / "snapshots")
    del workshop[str(settings.state_dir / "snapshots" / f"{README}.json")]
    pages_asked = [r.path for r, _ in httpserver.log].count("/pages/hild")

    host.push({"README.md": readme(3)})
    summary = refresh(settings, source_ids=[README])
    assert statuses(summary) == {README: "written", "papers": "written"}
    assert summary.complete and summary.skipped == []
    assert [r.path for r, _ in httpserver.log].count("/pages/hild") == pages_asked
    after = files(settings.processed_dir / WORKSHOP, settings.state_dir / "snapshots")
    assert {path: after[path] for path in workshop} == workshop  # not read, not written
    # The papers are linked from the new README and the workshop's latest version.
    shown = appearances(settings)
    assert (README, "Omnigrok: Grokking Beyond Algorithmic Data") in shown
    assert (WORKSHOP, SHARED + " Generalization") in shown
    assert len({title for source, title in shown if source == WORKSHOP}) == 50

    # What a full refresh makes of the same inputs: the same papers, so nothing to write.
    full = refresh(settings)
    assert set(statuses(full).values()) == {"unchanged"}


def test_refresh_of_a_named_source_takes_only_its_lock_and_the_papers(
    host: GitHost, settings: Settings
) -> None:
    host.push({"README.md": readme(2)})
    refresh(settings)
    host.push({"README.md": readme(3)})
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from pipeline.core.locks import dataset_locks\n"
            f"with dataset_locks(Path({str(settings.processed_dir)!r}), [{WORKSHOP!r}], wait=0):\n"
            "    print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        quick = settings.model_copy(update={"lock_wait_seconds": 0.0})
        with pytest.raises(LockBusy, match=f"dataset {WORKSHOP} is being written"):
            refresh(quick)
        summary = refresh(quick, source_ids=[README])
        assert statuses(summary) == {README: "written", "papers": "written"}
    finally:
        holder.communicate("", timeout=30)


def test_refresh_of_an_unknown_source_is_refused_before_anything_is_read(
    host: GitHost, settings: Settings
) -> None:
    with pytest.raises(PipelineError, match=r"^--source nope: no such source in sources\.toml$"):
        refresh(settings, source_ids=[README, "nope"])
    assert host.requests == [] and not settings.processed_dir.exists()


def test_sources_never_refreshed_are_left_out_of_the_papers_with_a_note(
    host: GitHost, settings: Settings
) -> None:
    host.push({"README.md": readme(2)})
    summary = refresh(settings, source_ids=[README])
    assert statuses(summary) == {README: "written", "papers": "written"}
    assert summary.skipped == [
        f"{WORKSHOP}: no stored version, so the papers are linked without it"
    ]
    assert not summary.complete  # the papers lack a source: done but partial
    assert {source for source, _ in appearances(settings)} == {README}
