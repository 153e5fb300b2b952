"""The request limiter: one request per delay across threads and processes of a run."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.settings import Settings
from pipeline.enrich import PaperRef, enrich_papers
from pipeline.enrich.arxiv.limiter import RequestLimiter
from pipeline.models import EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, request_gaps, synthetic_papers

DELAY = 0.3
CORPUS = synthetic_papers(600, seed=5)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv(CORPUS) as server:
        yield server


def refs(start: int, count: int) -> list[PaperRef]:
    return [
        PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors, arxiv_id=p.arxiv_id)
        for p in CORPUS[start : start + count]
    ]


def run_in_process(settings_json: str, start: int, count: int, barrier: Any, out: Any) -> None:
    """A separate worker process of the same run: same state folder, own papers."""
    settings = Settings.model_validate_json(settings_json)
    barrier.wait()  # both processes ask arXiv at the same time
    report = enrich_papers(refs(start, count), settings)
    statuses = sorted({r.status.value for r in report.results.values()})
    out.put((report.requests_made, statuses, report.warnings))


def test_delay_holds_across_two_processes(fake: FakeArxiv, tmp_path: Path) -> None:
    settings = fake.settings(tmp_path, arxiv_delay_seconds=DELAY)
    context = multiprocessing.get_context("spawn")  # no fork of the server's threads
    barrier, out = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=run_in_process,
            args=(settings.model_dump_json(), start, 250, barrier, out),
        )
        for start in (0, 300)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert [r[:2] for r in results] == [(3, ["enriched"]), (3, ["enriched"])], results
    requests = fake.api_requests()
    assert len(requests) == 6, [(r.at, r.status, r.fault) for r in requests]
    # Both processes' batches were served, interleaved or not, never closer than the delay.
    assert min(request_gaps(requests)) >= DELAY * 0.9


def test_delay_holds_across_threads(fake: FakeArxiv, tmp_path: Path) -> None:
    settings = fake.settings(tmp_path, arxiv_delay_seconds=DELAY)
    reports = []

    def work(start: int) -> None:
        reports.append(enrich_papers(refs(start, 150), settings))

    threads = [threading.Thread(target=work, args=(start,)) for start in (0, 300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.requests_made for r in reports) == len(fake.api_requests()) == 4
    assert min(request_gaps(fake.api_requests())) >= DELAY * 0.9
    assert all(r.status_counts() == {EnrichmentStatus.enriched: 150} for r in reports)


def test_limiter_waits_only_for_what_is_left_of_the_delay(tmp_path: Path) -> None:
    limiter = RequestLimiter(tmp_path / "lock", delay_seconds=DELAY)
    with limiter.slot():
        pass
    time.sleep(DELAY / 2)
    started = time.monotonic()
    with limiter.slot():
        waited = time.monotonic() - started
    assert DELAY * 0.3 <= waited <= DELAY * 0.8


def test_limiter_ignores_a_garbled_lock_file(tmp_path: Path) -> None:
    (tmp_path / "lock").write_text("not a time")
    started = time.monotonic()
    with RequestLimiter(tmp_path / "lock", delay_seconds=5).slot():
        assert time.monotonic() - started < 1
