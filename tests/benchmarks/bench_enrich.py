"""Benchmark arXiv enrichment against the fake arXiv API: requests and wall time, cold and warm.

Run as a script (pytest does not collect bench_*.py):

    .venv/bin/python tests/benchmarks/bench_enrich.py [DOCUMENT ...] [--delay SECONDS]

Default documents: README@ad1eb52 (from ../shared) and the three workshop/session captures in
raw/. Each document's papers become PaperRefs and are enriched on their own; the fake server
knows every arXiv id and three in four id-less titles (so searches find something). The delay
defaults to the real 3 s between requests (``Settings().arxiv_delay_seconds``). "naive" is
one request per paper.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS_DIR))  # for fake_arxiv
sys.path.insert(0, str(TESTS_DIR.parent))  # for pipeline, when run from elsewhere

from fake_arxiv import FakeArxiv, FakePaper, synthetic_papers  # noqa: E402

from pipeline.core.ids import parse_arxiv_id, sha256_bytes  # noqa: E402
from pipeline.core.settings import Settings  # noqa: E402
from pipeline.enrich import EnrichmentReport, PaperRef, enrich_papers  # noqa: E402
from pipeline.kinds import EventBundle  # noqa: E402
from pipeline.models import ReadmeDocument  # noqa: E402
from pipeline.parse.detect import detect_format, source_for_path  # noqa: E402
from pipeline.run.steps import parse_snapshot  # noqa: E402
from pipeline.sources.decode import decode_document  # noqa: E402
from pipeline.sources.snapshots import Snapshot, read_snapshot_meta  # noqa: E402

PROJECT = TESTS_DIR.parent
DEFAULT_DOCUMENTS = [
    PROJECT.parent / "shared/corpus/awesome-deep-phenomena/README@ad1eb52-2025-01-07.md",
    PROJECT / "raw/001_dca7463950b001f7.txt",
    PROJECT / "raw/002_018b3c99b71c7c41.txt",
    PROJECT / "raw/000_9da80035aa0ccbc3.txt",
]


def papers_from_document(path: Path) -> list[PaperRef]:
    """PaperRefs of a README (its cards) or a workshop/session capture (its papers)."""
    data = path.read_bytes()
    text = decode_document(data, str(path))
    fmt = detect_format(text)
    source = source_for_path(path, text, fmt)
    meta = read_snapshot_meta(path)
    if meta is not None:
        source = source.model_copy(update={"kind": meta.kind})
    bundle = parse_snapshot(Snapshot(source, path, text, sha256_bytes(data), fmt))
    if isinstance(bundle, EventBundle):
        return [
            PaperRef(key=paper.id, title=paper.title, authors=paper.authors)
            for paper in bundle.event_papers
        ]
    assert isinstance(bundle.document, ReadmeDocument)
    return [
        PaperRef(key=card.id, title=card.title, authors=card.authors, arxiv_id=card.arxiv_id)
        for card in bundle.document.items
    ]


def fake_corpus(papers: list[PaperRef]) -> list[FakePaper]:
    """What the fake arXiv knows: every id, three in four id-less titles, and noise."""
    corpus = synthetic_papers(300, seed=99, start_year=16)
    titled = 0
    for paper in papers:
        parsed = parse_arxiv_id(paper.arxiv_id) if paper.arxiv_id else None
        authors = paper.authors or ["Anonymous Author"]
        if parsed is not None:
            corpus.append(FakePaper(parsed.base, paper.title, authors, version=parsed.version or 1))
        elif paper.arxiv_id is None:
            titled += 1
            if titled % 4:
                corpus.append(FakePaper(f"2412.{90000 + titled:05d}", paper.title, authors))
    return corpus


def run(papers: list[PaperRef], settings: Settings) -> tuple[EnrichmentReport, float]:
    started = time.perf_counter()
    report = enrich_papers(papers, settings)
    return report, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path, default=DEFAULT_DOCUMENTS)
    parser.add_argument(
        "--delay",
        type=float,
        default=Settings.model_fields["arxiv_delay_seconds"].default,
        help="seconds between requests (default: the real 3 s)",
    )
    args = parser.parse_args(argv)
    print(f"delay between requests: {args.delay:g} s")
    print(
        f"{'document':<34} {'papers':>6} {'run':<5} {'requests':>8} {'naive':>6} "
        f"{'wall s':>7} {'naive wall s':>12}"
    )
    for path in args.documents:
        if not path.exists():
            print(f"{path.name}: absent, skipped")
            continue
        papers = papers_from_document(path)
        with FakeArxiv(fake_corpus(papers)) as fake, tempfile.TemporaryDirectory() as state:
            settings = Settings(
                state_dir=Path(state),
                arxiv_api_url=fake.url,
                arxiv_delay_seconds=args.delay,
                offline=False,
            )
            cold, cold_time = run(papers, settings)
            warm, warm_time = run(papers, settings)
        naive = len(papers)
        for name, report, seconds in (("cold", cold, cold_time), ("warm", warm, warm_time)):
            print(
                f"{path.name[:34]:<34} {naive:>6} {name:<5} {report.requests_made:>8} "
                f"{naive:>6} {seconds:>7.1f} {naive * args.delay:>12.0f}"
            )
        counts = ", ".join(f"{n} {s.value}" for s, n in sorted(cold.status_counts().items()))
        print(f"{'':<34} cold statuses: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
