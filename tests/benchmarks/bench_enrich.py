"""Benchmark arXiv enrichment against the fake arXiv API: requests and wall time, cold and warm.

Run as a script (pytest does not collect bench_*.py):

    .venv/bin/python tests/benchmarks/bench_enrich.py [README.md] [--delay SECONDS]

The README's cards become PaperRefs; the fake server knows every card's arXiv id and most
id-less titles (so searches find something). The delay defaults to the real 3 s between
requests (``Settings().arxiv_delay_seconds``). "naive" is one request per paper.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS_DIR))  # for fake_arxiv
sys.path.insert(0, str(TESTS_DIR.parent))  # for pipeline, when run from elsewhere

from fake_arxiv import FakeArxiv, FakePaper, synthetic_papers  # noqa: E402

from pipeline.arxiv_ids import arxiv_id_from_url, parse_arxiv_id  # noqa: E402
from pipeline.enrich import EnrichmentReport, PaperRef, enrich_papers  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

DEFAULT_README = Path("/work/shared/corpus/awesome-deep-phenomena/README@ad1eb52-2025-01-07.md")
_ITEM = re.compile(r"^- (?P<title>.+?)\.? \[\[")
_LINK = re.compile(r"\((?P<url>https?://[^)\s]+)\)")


def papers_from_readme(path: Path) -> tuple[list[PaperRef], str]:
    """PaperRefs from the README parser, or from a plain scan while it is not available."""
    text = path.read_text(encoding="utf-8")
    try:
        from pipeline.parsers.readme_markdown import parse_readme_markdown
    except ImportError:
        return _scan(text), "fallback link scan"
    cards = parse_readme_markdown(text).items
    papers = [
        PaperRef(
            key=card.id,
            title=card.title,
            authors=card.authors,
            arxiv_id=None
            if card.arxiv_id is None
            else f"{card.arxiv_id}{'' if card.arxiv_version is None else f'v{card.arxiv_version}'}",
        )
        for card in cards
    ]
    return papers, "pipeline.parsers.readme_markdown"


def _scan(text: str) -> list[PaperRef]:
    lines = text.splitlines()
    papers = []
    for number, line in enumerate(lines):
        match = _ITEM.match(line)
        if match is None:
            continue
        ids = [arxiv_id_from_url(m.group("url")) for m in _LINK.finditer(line)]
        found = next((i for i in ids if i is not None), None)
        authors_line = lines[number + 1].strip() if number + 1 < len(lines) else ""
        authors = [a.strip() for a in authors_line.lstrip("- ").rstrip(".").split(",")]
        papers.append(
            PaperRef(
                key=f"line-{number + 1}",
                title=match.group("title"),
                authors=[a for a in authors if a],
                arxiv_id=None if found is None else str(found),
            )
        )
    return papers


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
    parser.add_argument("readme", nargs="?", type=Path, default=DEFAULT_README)
    parser.add_argument(
        "--delay",
        type=float,
        default=Settings.model_fields["arxiv_delay_seconds"].default,
        help="seconds between requests (default: the real 3 s)",
    )
    args = parser.parse_args(argv)

    papers, how = papers_from_readme(args.readme)
    with_id = sum(p.arxiv_id is not None for p in papers)
    print(f"{args.readme.name}: {len(papers)} papers ({with_id} with an arXiv id), via {how}")
    print(f"delay between requests: {args.delay:g} s")

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
    print()
    print(f"{'run':<6} {'requests':>8} {'naive':>6} {'wall s':>8} {'naive wall s':>13}")
    for name, report, seconds in (("cold", cold, cold_time), ("warm", warm, warm_time)):
        print(
            f"{name:<6} {report.requests_made:>8} {naive:>6} {seconds:>8.1f} "
            f"{naive * args.delay:>13.0f}"
        )
    print()
    counts = ", ".join(f"{n} {s.value}" for s, n in sorted(cold.status_counts().items()))
    print(f"cold statuses: {counts}")
    for warning in cold.warnings + warm.warnings:
        print(f"warning: {warning}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
