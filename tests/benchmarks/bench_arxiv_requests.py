"""arXiv requests for the embedded default's papers: title searches of 5 (before), searches
packed to the URL budget, and the local title index (no search at all), side by side.

The papers are what a refresh of the embedded default (raw/, sources.toml) asks arXiv
about: its linked papers. The fake arXiv (tests/fake_arxiv.py) knows three in four of
the titles and noise; the fake OAI-PMH interface (tests/fake_oai.py) serves the same
corpus for the index. No delay between requests: the figures are request counts, and the
time they would take at arXiv's one request every 3 s.

    python tests/benchmarks/bench_arxiv_requests.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from pipeline.core.http import RetryPolicy  # noqa: E402
from pipeline.core.settings import Settings  # noqa: E402
from pipeline.enrich import EnrichmentReport, PaperRef, enrich_papers  # noqa: E402
from pipeline.enrich.arxiv import service  # noqa: E402
from pipeline.enrich.arxiv.harvest import update_index  # noqa: E402
from pipeline.run import steps  # noqa: E402
from pipeline.sources.config import load_sources  # noqa: E402
from tests.fake_arxiv import FakeArxiv, FakePaper, synthetic_papers  # noqa: E402
from tests.fake_oai import FakeOai, OaiRecord  # noqa: E402


def embedded_requests(scratch: Path) -> list[PaperRef]:
    settings = Settings(
        sources_file=PROJECT / "sources.toml",
        raw_dir=PROJECT / "raw",
        processed_dir=scratch / "processed",
        state_dir=scratch / "state",
        offline=True,
    )
    snapshots = [steps.take_snapshot(s, settings) for s in load_sources(settings.sources_file)]
    bundles = [steps.parse_snapshot(s) for s in snapshots if not isinstance(s, str)]
    return steps.enrichment_requests(steps.link_bundles(bundles))


def fake_corpus(papers: list[PaperRef]) -> list[FakePaper]:
    corpus = synthetic_papers(300, seed=99, start_year=16)
    for number, paper in enumerate(papers):
        if paper.arxiv_id is None and number % 4:
            corpus.append(
                FakePaper(f"2412.{90000 + number:05d}", paper.title, paper.authors or ["A B"])
            )
    return corpus


@contextmanager
def searches_of(size: int | None) -> Iterator[None]:
    """Title searches of at most ``size`` titles (None: as the URL budget allows)."""
    kept = service.TITLE_BATCH_SIZE
    if size is not None:
        service.TITLE_BATCH_SIZE = size
    try:
        yield
    finally:
        service.TITLE_BATCH_SIZE = kept


def describe(name: str, report: EnrichmentReport, searches: int) -> str:
    counts = ", ".join(f"{n} {s.value}" for s, n in sorted(report.status_counts().items()))
    return (
        f"{name:<28} {report.requests_made:>4} requests ({searches} searches), "
        f"{report.requests_made * 3 / 60:.1f} min at 3 s: {counts}"
    )


def same(a: EnrichmentReport, b: EnrichmentReport) -> bool:
    """The same status for every paper."""
    return {k: r.status for k, r in a.results.items()} == {
        k: r.status for k, r in b.results.items()
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        papers = embedded_requests(scratch)
        corpus = fake_corpus(papers)
        titled = sum(1 for paper in papers if paper.arxiv_id is None)
        print(f"{len(papers)} papers, {titled} without an arXiv id (title lookups)")
        runs = []
        with (
            FakeArxiv(corpus) as fake,
            FakeOai([OaiRecord(p, "2026-11-20") for p in corpus], page_size=200) as oai,
        ):
            for name, size, index in (
                ("searches of 5 (before)", 5, False),
                ("searches to the URL budget", None, False),
                ("local title index", None, True),
            ):
                state = scratch / name.replace(" ", "-")
                settings = fake.settings(state, arxiv_oai_url=oai.url, arxiv_title_index=index)
                if index:
                    update_index(settings, sets=["cs"], policy=RetryPolicy(attempts=2))
                fake.reset_requests()
                with searches_of(size):
                    report = enrich_papers(papers, settings)
                searches = sum(1 for r in fake.api_requests() if r.search_query)
                runs.append((name, report, searches))
        for name, report, searches in runs:
            print(describe(name, report, searches))
        before, packed, indexed = (run[1] for run in runs)
        ratio = before.requests_made / max(packed.requests_made, 1)
        print(f"requests, before / packed: {ratio:.1f}x; same statuses: {same(before, packed)}")
        print(
            f"with the index: {runs[2][2]} search requests; same statuses: {same(before, indexed)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
