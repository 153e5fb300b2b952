"""arXiv answers that must not cost papers: refused ids, empty and short answers, floods,
silence, non-ASCII queries, entity bombs. Nothing doubtful is cached."""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from pipeline.enrich import PaperRef, RetryPolicy, enrich_papers
from pipeline.models import EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, FakePaper, Fault, gzip_bomb, synthetic_papers

CORPUS = synthetic_papers(120, seed=5)
FAST = RetryPolicy(attempts=2, base_seconds=0.01, max_seconds=0.1)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv(CORPUS) as server:
        yield server


def by_id(papers: list[FakePaper]) -> list[PaperRef]:
    return [
        PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors, arxiv_id=p.arxiv_id)
        for p in papers
    ]


def counts(report: object) -> dict[EnrichmentStatus, int]:
    return report.status_counts()  # type: ignore[attr-defined, no-any-return]


def test_one_refused_id_is_isolated_by_halving_and_the_other_99_enrich(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    bad = CORPUS[37].arxiv_id
    fake.refused_ids = {bad}
    report = enrich_papers(by_id(CORPUS[:100]), fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 99, EnrichmentStatus.invalid_id: 1}
    assert report.results[bad].status is EnrichmentStatus.invalid_id
    assert "refuses" in report.results[bad].reason
    # Halving: two requests per level at most, log2(100) levels.
    assert report.requests_made <= 1 + 2 * math.ceil(math.log2(100))

    fake.reset_requests()  # the 99 are cached; the refused id is not, and is asked again
    again = enrich_papers(by_id(CORPUS[:100]), fake.settings(tmp_path), retry=FAST)
    assert fake.ids_requested() == [bad]
    assert counts(again)[EnrichmentStatus.enriched] == 99


def test_an_empty_answer_to_valid_ids_is_asked_again_once_and_never_cached_as_not_found(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.empty_page, times=1)
    report = enrich_papers(by_id(CORPUS[:50]), fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 50}
    assert report.requests_made == 2


def test_an_empty_answer_for_one_id_is_confirmed_alone_before_not_found(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    ghost = PaperRef(key="ghost", title="Ghost", arxiv_id="2105.99999")
    report = enrich_papers([ghost], fake.settings(tmp_path), retry=FAST)
    assert report.results["ghost"].status is EnrichmentStatus.not_found
    assert [r.id_list for r in fake.api_requests()] == [["2105.99999"], ["2105.99999"]]


def test_ids_left_out_of_an_empty_answer_are_each_confirmed_alone(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.empty_page, times=1)
    ghosts = [PaperRef(key=f"g{i}", title="Ghost", arxiv_id=f"2105.9999{i}") for i in range(3)]
    report = enrich_papers([*by_id(CORPUS[:2]), *ghosts], fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 2, EnrichmentStatus.not_found: 3}
    assert [len(r.id_list) for r in fake.api_requests()] == [5, 5, 1, 1, 1]


def test_ids_left_out_of_two_empty_answers_are_each_asked_alone(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.empty_page, times=2)
    report = enrich_papers(by_id(CORPUS[:20]), fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 20}
    assert [len(r.id_list) for r in fake.api_requests()] == [20, 20, *[1] * 20]


def test_an_empty_answer_is_never_cached_as_not_found_unconfirmed(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.empty_page, times=None)
    first = enrich_papers(by_id(CORPUS[:8]), fake.settings(tmp_path), retry=FAST)
    # Every answer empty and short (totalResults 1): nothing is confirmed, nothing cached.
    assert counts(first) == {
        EnrichmentStatus.not_found: 8
    } or EnrichmentStatus.enriched not in counts(first)
    fake.clear_faults()
    fake.reset_requests()
    second = enrich_papers(by_id(CORPUS[:8]), fake.settings(tmp_path), retry=FAST)
    assert counts(second) == {EnrichmentStatus.enriched: 8}


def test_confirming_ids_alone_stops_at_the_run_budget(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.empty_page, times=2)
    fake.inject(Fault.hang, times=None, hang_seconds=0.3)
    settings = fake.settings(tmp_path, arxiv_budget_seconds=1.0)
    report = enrich_papers(by_id(CORPUS[:30]), settings, retry=FAST)
    assert EnrichmentStatus.pending in counts(report)
    assert sum(counts(report).values()) == 30
    assert any("budget" in w for w in report.warnings)


def test_a_short_feed_keeps_what_it_holds_and_asks_for_the_rest(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    # totalResults says 40 but the feed holds 20: the 20 are kept, the other 20 asked again.
    fake.inject(Fault.short_answer, times=1)
    started = time.monotonic()
    report = enrich_papers(by_id(CORPUS[:40]), fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 40}
    assert report.requests_made == 2
    assert len(fake.api_requests()[1].id_list) == 20
    assert time.monotonic() - started < 10  # no retry loop of ~21 s


def test_a_short_title_search_is_asked_again_then_matches(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.short_answer, times=1)
    titles = [PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors) for p in CORPUS[:5]]
    report = enrich_papers(titles, fake.settings(tmp_path), retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 5}
    assert report.requests_made == 2


def test_a_gzip_bomb_is_cut_at_the_cap_and_not_downloaded_again(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.gzip_bomb, times=None)
    gzip_bomb()  # made before measuring: the fake runs in this process
    tracemalloc.start()
    try:
        report = enrich_papers(by_id(CORPUS[:3]), fake.settings(tmp_path), retry=FAST)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts(report) == {EnrichmentStatus.error: 3}
    assert "over the" in next(iter(report.results.values())).reason
    assert report.requests_made == 1
    assert peak < 48 * 1024 * 1024  # the 16 MiB cap and its copies, not the 64 MiB bomb


def test_a_trickled_answer_ends_at_the_response_deadline(fake: FakeArxiv, tmp_path: Path) -> None:
    fake.inject(Fault.trickle, times=None)
    fake.trickle_seconds = 0.2
    settings = fake.settings(tmp_path, arxiv_timeout_seconds=1.0, arxiv_deadline_seconds=1.5)
    started = time.monotonic()
    report = enrich_papers(by_id(CORPUS[:150]), settings, retry=FAST)
    elapsed = time.monotonic() - started
    assert counts(report) == {EnrichmentStatus.pending: 120}
    assert report.requests_made == FAST.attempts  # silence ends the run's arXiv work
    assert elapsed < 30, elapsed  # two deadlines of 1.5 s, not the body's minutes


def test_the_run_budget_leaves_the_rest_pending_with_a_note(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    fake.inject(Fault.hang, times=None, hang_seconds=0.5)
    settings = fake.settings(tmp_path, arxiv_budget_seconds=0.2)
    report = enrich_papers(by_id(CORPUS[:120]), settings, retry=FAST)
    assert counts(report) == {EnrichmentStatus.enriched: 100, EnrichmentStatus.pending: 20}
    assert any("budget of 0.2 s is spent: 20 papers pending" in w for w in report.warnings)


def test_non_ascii_title_words_are_folded_so_the_batch_is_searched(
    fake: FakeArxiv, tmp_path: Path
) -> None:
    accented = FakePaper("2101.00011", "Über naïve Sharpness of β Minima", ["Zoë Müller"])
    fake.add([accented])
    papers = [PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors) for p in CORPUS[:4]]
    papers.append(PaperRef(key="accented", title=accented.title, authors=accented.authors))
    papers.append(PaperRef(key="chinese", title="深度学习的泛化", authors=["李雷"]))
    report = enrich_papers(papers, fake.settings(tmp_path), retry=FAST)
    assert all(r.search_query.isascii() for r in fake.api_requests())
    assert report.results["accented"].status is EnrichmentStatus.enriched
    assert report.results["chinese"].status is EnrichmentStatus.no_match  # nothing to search
    assert counts(report)[EnrichmentStatus.enriched] == 5


@pytest.mark.parametrize(
    "body",
    [
        # an entity expansion bomb
        '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&d;&d;&d;&d;</title></feed>',
        # an external entity
        '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&x;</title></feed>',
    ],
    ids=["entity-bomb", "external-entity"],
)
def test_entities_in_an_atom_answer_are_refused_as_malformed(
    tmp_path: Path, httpserver: object, body: str
) -> None:
    server = httpserver
    server.expect_request("/api/query").respond_with_response(  # type: ignore[attr-defined]
        Response(body, status=200, mimetype="application/atom+xml")
    )
    url = server.url_for("/api/query")  # type: ignore[attr-defined]
    settings = FakeArxiv().settings.__func__(_Endpoint(url), tmp_path)  # type: ignore[attr-defined]
    report = enrich_papers(by_id(CORPUS[:2]), settings, retry=FAST)
    assert counts(report) == {EnrichmentStatus.error: 2}
    assert all("passwd" not in r.reason for r in report.results.values())


class _Endpoint:
    """Stands in for a FakeArxiv when only its url is needed (FakeArxiv.settings)."""

    def __init__(self, url: str) -> None:
        self.url = url
