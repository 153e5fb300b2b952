"""The local arXiv title index: harvested through OAI-PMH, then title matching with no search."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.http import RetryPolicy
from pipeline.core.settings import Settings
from pipeline.enrich import PaperRef, enrich_papers
from pipeline.enrich.arxiv.harvest import update_index
from pipeline.enrich.arxiv.index import INDEX_FILE_NAME, TitleIndex
from pipeline.models import EnrichmentStatus
from tests.fake_arxiv import FakeArxiv, FakePaper, synthetic_papers
from tests.fake_oai import FakeOai, OaiRecord

NO_WAIT = RetryPolicy(attempts=3, base_seconds=0.0)


def oai_settings(state: Path, oai: FakeOai, **more: object) -> Settings:
    return Settings(
        state_dir=state,
        arxiv_oai_url=oai.url,
        arxiv_delay_seconds=0.0,
        arxiv_index_sets="cs,stat",
        offline=False,
        **more,  # type: ignore[arg-type]
    )


def test_a_harvest_follows_resumption_tokens_and_the_next_one_asks_only_what_changed(
    tmp_path: Path,
) -> None:
    papers = synthetic_papers(10, seed=4)
    records = [
        OaiRecord(p, f"2026-11-{10 + n:02d}", "cs" if n % 3 else "stat")
        for n, p in enumerate(papers)
    ]
    with FakeOai(records, page_size=2) as oai:
        oai.busy_once = True  # arXiv's flow control: 503 with Retry-After, then the page
        first = update_index(oai_settings(tmp_path, oai), policy=NO_WAIT)
        assert sum(first.records.values()) == 10 and first.size == 10
        tokens = [r for r in oai.requests if "resumptionToken" in r]
        assert len(tokens) >= 3  # pages of two, per set
        assert first.requests == len(oai.requests)

        oai.requests.clear()
        renamed = FakePaper(papers[0].arxiv_id, "A Renamed Title About Kernels", papers[0].authors)
        oai.add(
            [
                OaiRecord(renamed, "2026-11-25", "stat"),
                OaiRecord(papers[1], "2026-11-25", "cs", deleted=True),
            ]
        )
        second = update_index(oai_settings(tmp_path, oai), policy=NO_WAIT)
        asked_from = {r["set"]: r["from"] for r in oai.requests if "set" in r}
        assert asked_from == {"cs": "2026-11-18", "stat": "2026-11-19"}  # each set's last day
        assert second.deleted == 1 and second.size == 9

    with TitleIndex(tmp_path / INDEX_FILE_NAME) as index:
        (found, *_) = index.candidates("renamed title about kernels")
        assert found.arxiv_id == papers[0].arxiv_id and found.title == renamed.title
        assert found.authors == papers[0].authors
        assert all(c.arxiv_id != papers[1].arxiv_id for c in index.candidates(papers[1].title))


def test_with_the_index_titles_match_without_any_search_request(tmp_path: Path) -> None:
    corpus = synthetic_papers(60, seed=9)
    wanted = corpus[:30]
    refs = [
        PaperRef(
            key=f"p{n}",
            title=paper.title.upper() if n % 4 == 0 else paper.title,
            authors=paper.authors[:2],
        )
        for n, paper in enumerate(wanted)
    ]
    refs.append(PaperRef(key="unknown", title="A Title arXiv Has Never Seen", authors=["No One"]))
    with (
        FakeOai([OaiRecord(p, "2026-11-20") for p in corpus], page_size=25) as oai,
        FakeArxiv(corpus) as fake,
    ):
        update_index(oai_settings(tmp_path / "state", oai), sets=["cs"], policy=NO_WAIT)
        indexed = enrich_papers(
            refs,
            oai_settings(tmp_path / "state", oai, arxiv_api_url=fake.url, arxiv_title_index=True),
        )
        asked = fake.api_requests()
        searched = enrich_papers(refs, fake.settings(tmp_path / "searched"))
    assert asked and all(request.search_query == "" for request in asked)
    assert sorted(i for request in asked for i in request.id_list) == sorted(
        p.arxiv_id for p in wanted
    )
    assert len(asked) == 1  # thirty confirmed ids: one id_list request
    statuses = {key: result.status for key, result in indexed.results.items()}
    assert statuses == {key: result.status for key, result in searched.results.items()}
    assert statuses["unknown"] is EnrichmentStatus.no_match
    for n, paper in enumerate(wanted):
        result = indexed.results[f"p{n}"]
        assert result.metadata is not None and result.metadata.arxiv_id == paper.arxiv_id
        assert result.metadata.version == paper.version  # full metadata, from the API by id


def test_without_an_index_file_titles_are_searched_as_before(tmp_path: Path) -> None:
    corpus = synthetic_papers(5, seed=2)
    refs = [PaperRef(key=p.arxiv_id, title=p.title, authors=p.authors) for p in corpus]
    with FakeArxiv(corpus) as fake:
        report = enrich_papers(refs, fake.settings(tmp_path, arxiv_title_index=True))
        assert any(request.search_query for request in fake.api_requests())
    assert report.status_counts() == {EnrichmentStatus.enriched: 5}
    assert any("no arXiv title index" in warning for warning in report.warnings)


def test_an_index_match_arxiv_refuses_by_id_is_searched_instead(
    tmp_path: Path,
) -> None:
    corpus = synthetic_papers(12, seed=11)
    refs = [PaperRef(key=f"p{n}", title=p.title, authors=p.authors) for n, p in enumerate(corpus)]
    state = tmp_path / "state"
    with (
        FakeOai([OaiRecord(p, "2026-11-20") for p in corpus], page_size=25) as oai,
        FakeArxiv(corpus) as fake,
    ):
        update_index(oai_settings(state, oai), sets=["cs"], policy=NO_WAIT)
        fake.refused_ids = {corpus[3].arxiv_id}  # its id_list answer is a 400
        report = enrich_papers(
            refs, oai_settings(state, oai, arxiv_api_url=fake.url, arxiv_title_index=True)
        )
        asked = fake.api_requests()
    searches = [request.search_query for request in asked if request.search_query]
    assert len(searches) == 1 and searches[0].count('ti:"') == 1  # that title alone
    assert not any("title index not used" in warning for warning in report.warnings)
    assert len([request for request in asked if request.id_list]) > 1  # the refused batch split
    assert {result.status for result in report.results.values()} == {EnrichmentStatus.enriched}
    assert report.results["p3"].metadata is not None
    assert report.results["p3"].metadata.arxiv_id == corpus[3].arxiv_id
    assert any(f"arXiv refuses the id {corpus[3].arxiv_id}" in w for w in report.warnings)
