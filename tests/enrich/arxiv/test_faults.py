"""arXiv faults: retries with backoff, timeouts, bad pages, no network. Nothing raises."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport, PaperRef, RetryPolicy, enrich_papers
from pipeline.models import EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, Fault, synthetic_papers

CORPUS = synthetic_papers(150, seed=11)
FAST = RetryPolicy(attempts=3, base_seconds=0.05, max_seconds=5.0)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv(CORPUS) as server:
        yield server


def by_id(count: int = 3) -> list[PaperRef]:
    return [
        PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors, arxiv_id=p.arxiv_id)
        for p in CORPUS[:count]
    ]


def by_title(start: int, count: int) -> list[PaperRef]:
    return [
        PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors)
        for p in CORPUS[start : start + count]
    ]


def statuses(report: EnrichmentReport) -> set[EnrichmentStatus]:
    return {result.status for result in report.results.values()}


# ---------------------------------------------------------------------- retried


def test_503_is_retried_then_enriches(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.unavailable, times=2)
    report = enrich_papers(by_id(), fake.settings(tmp_path), retry=FAST)
    assert [r.status for r in fake.api_requests()] == [503, 503, 200]
    assert report.requests_made == 3
    assert statuses(report) == {EnrichmentStatus.enriched}


def test_429_waits_as_long_as_retry_after_says(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.too_many_requests, retry_after="1")
    report = enrich_papers(by_id(), fake.settings(tmp_path), retry=FAST)
    first, second = fake.api_requests()
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.95  # not the 0.05 s backoff
    assert statuses(report) == {EnrichmentStatus.enriched}


def test_retry_after_beyond_our_patience_is_an_error_without_waiting(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.too_many_requests, retry_after="3600")
    report = enrich_papers(by_id(), fake.settings(tmp_path), retry=FAST)
    assert report.requests_made == 1
    result = next(iter(report.results.values()))
    assert result.status is EnrichmentStatus.error and "3600" in result.reason


def test_persistent_503_gives_error_after_the_policy_attempts(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.unavailable, times=None)
    report = enrich_papers(by_id(), fake.settings(tmp_path), retry=FAST)
    assert report.requests_made == FAST.attempts
    result = next(iter(report.results.values()))
    assert result.status is EnrichmentStatus.error
    assert "HTTP 503" in result.reason and "3 attempts" in result.reason
    assert any("HTTP 503" in w for w in report.warnings)


def test_hanging_response_times_out_and_is_retried(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.hang, hang_seconds=3)
    settings = fake.settings(tmp_path, arxiv_timeout_seconds=0.3)
    report = enrich_papers(by_id(), settings, retry=FAST)
    assert report.requests_made == 2
    assert statuses(report) == {EnrichmentStatus.enriched}


def test_an_endpoint_that_never_answers_leaves_every_paper_pending_after_one_batch(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.hang, times=None, hang_seconds=3)
    settings = fake.settings(tmp_path, arxiv_timeout_seconds=0.2)
    papers = [*by_id(150), *by_title(0, 20)]  # two id batches and four title searches
    report = enrich_papers(papers, settings, retry=RetryPolicy(attempts=2, base_seconds=0.01))
    assert statuses(report) == {EnrichmentStatus.pending}
    assert report.requests_made == 2  # the first batch's two attempts; nothing after
    assert any("did not answer" in w and "no response within 0.2 s" in w for w in report.warnings)


# ---------------------------------------------------------------------- not retried


def test_http_400_for_a_single_id_is_not_retried_and_marks_it_invalid(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.bad_request, times=None)
    report = enrich_papers(by_id(1), fake.settings(tmp_path), retry=FAST)
    assert report.requests_made == 1
    result = next(iter(report.results.values()))
    assert result.status is EnrichmentStatus.invalid_id
    assert "HTTP 400" in result.reason and "incorrect id format" in result.reason


# ---------------------------------------------------------------------- bad pages


def test_malformed_page_fails_its_batch_and_the_run_continues(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fault, words = Fault.malformed_xml, "malformed response"
    fake.inject(fault, times=FAST.attempts)  # every attempt of the first batch
    papers = by_id(150)  # two id batches: 100 + 50
    report = enrich_papers(papers, fake.settings(tmp_path), retry=FAST)

    first_batch = sorted(p.key for p in papers)[:100]
    errors = {k for k, r in report.results.items() if r.status is EnrichmentStatus.error}
    assert errors == set(first_batch)
    assert all(words in report.results[k].reason for k in errors)
    assert report.status_counts()[EnrichmentStatus.enriched] == 50
    assert report.requests_made == FAST.attempts + 1

    # Errors are not cached: the next run asks again and fills them in.
    fake.reset_requests()
    again = enrich_papers(papers, fake.settings(tmp_path), retry=FAST)
    assert again.requests_made == 1
    assert again.status_counts() == {EnrichmentStatus.enriched: 150}


def test_malformed_page_in_a_title_search_is_an_error(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.malformed_xml, times=None)
    report = enrich_papers(by_title(0, 2), fake.settings(tmp_path), retry=FAST)
    assert statuses(report) == {EnrichmentStatus.error}
    assert all(r.method == "title" for r in report.results.values())


# ---------------------------------------------------------------------- no network


def test_offline_setting_marks_everything_pending_without_requests(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    papers = by_id(3) + by_title(10, 4)
    report = enrich_papers(papers, fake.settings(tmp_path, offline=True))
    assert fake.api_requests() == [] and report.requests_made == 0
    assert statuses(report) == {EnrichmentStatus.pending}
    assert "offline" in report.warnings[0] and "7 papers pending" in report.warnings[0]


def test_offline_still_answers_from_the_cache(fake: FakeArxiv, tmp_path: Path) -> None:
    enrich_papers(by_id(2), fake.settings(tmp_path))
    report = enrich_papers(by_id(3), fake.settings(tmp_path, offline=True))
    assert [r.status for r in report.results.values()] == [
        EnrichmentStatus.enriched,
        EnrichmentStatus.enriched,
        EnrichmentStatus.pending,
    ]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_marks_papers_pending_after_one_attempt(tmp_path: Path) -> None:
    settings = Settings(
        state_dir=tmp_path,
        arxiv_api_url=f"http://127.0.0.1:{closed_port()}/api/query",
        arxiv_delay_seconds=0,
    )
    report = enrich_papers(by_id(150) + by_title(0, 7), settings, retry=FAST)
    assert report.requests_made == 1  # no point asking again: later batches are pending too
    assert statuses(report) == {EnrichmentStatus.pending}
    assert any("unreachable" in w and "157 papers pending" in w for w in report.warnings)


def test_dns_failure_marks_papers_pending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    settings = Settings(state_dir=tmp_path, arxiv_api_url="http://export.arxiv.invalid/api/query")
    report = enrich_papers(by_id(2), settings, retry=FAST)
    assert statuses(report) == {EnrichmentStatus.pending}
    assert "no network" in next(iter(report.results.values())).reason
    assert any("unreachable" in warning for warning in report.warnings)
