"""A local title index of arXiv's own metadata: title matching without search requests.

For large runs (every conference: hundreds of thousands of titles), searching arXiv title by
title costs a day of requests at one every 3 s. arXiv's OAI-PMH interface gives its whole
metadata, harvested incrementally (:mod:`pipeline.enrich.arxiv.harvest`,
``paper-pipeline arxiv-index update``) into this SQLite file: a table of metadata by base
id and an FTS5 index of the titles. With ``PIPELINE_ARXIV_TITLE_INDEX=true`` each title's
candidates come from the index (BM25 over its words), :mod:`matching` confirms them as it
does search results, and only confirmed ids are fetched from the API, in batches of 100.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.enrich.arxiv import matching
from pipeline.enrich.arxiv.query import search_words
from pipeline.enrich.records import PaperRef
from pipeline.models import ArxivMetadata

INDEX_FILE_NAME = "arxiv-titles.sqlite"
CANDIDATES = 20  # index hits ranked per title: arXiv's own search returns 10 per title

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    arxiv_id TEXT PRIMARY KEY,  -- base id
    metadata TEXT NOT NULL,     -- ArxivMetadata JSON (no version: OAI-PMH has none)
    datestamp TEXT NOT NULL     -- the OAI record's datestamp
);
CREATE VIRTUAL TABLE IF NOT EXISTS titles USING fts5(title, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS harvests (
    endpoint TEXT NOT NULL,
    set_spec TEXT NOT NULL,
    last_datestamp TEXT NOT NULL,  -- the next harvest asks from this day on (inclusive)
    PRIMARY KEY (endpoint, set_spec)
);
"""

# One fetch of full metadata for ids (cache, then the API): confirmed candidates only.
FetchIds = Callable[[list[str]], Mapping[str, ArxivMetadata | None]]


class TitleIndex:
    """The index file; one instance per thread (sqlite3 connections)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TitleIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ harvest side

    def upsert(self, records: Iterable[tuple[ArxivMetadata, str]]) -> int:
        """Add or replace papers (metadata, datestamp); the title index follows. One commit."""
        count = 0
        with self._db:
            for metadata, datestamp in records:
                row = self._db.execute(
                    "INSERT INTO papers (arxiv_id, metadata, datestamp) VALUES (?, ?, ?) "
                    "ON CONFLICT(arxiv_id) DO UPDATE SET metadata = excluded.metadata, "
                    "datestamp = excluded.datestamp RETURNING rowid",
                    (metadata.arxiv_id, metadata.model_dump_json(), datestamp),
                ).fetchone()
                self._db.execute("DELETE FROM titles WHERE rowid = ?", (row[0],))
                self._db.execute(
                    "INSERT INTO titles (rowid, title) VALUES (?, ?)", (row[0], metadata.title)
                )
                count += 1
        return count

    def delete(self, base_ids: Iterable[str]) -> None:
        with self._db:
            for base_id in base_ids:
                row = self._db.execute(
                    "DELETE FROM papers WHERE arxiv_id = ? RETURNING rowid", (base_id,)
                ).fetchone()
                if row is not None:
                    self._db.execute("DELETE FROM titles WHERE rowid = ?", (row[0],))

    def last_datestamp(self, endpoint: str, set_spec: str) -> str | None:
        row = self._db.execute(
            "SELECT last_datestamp FROM harvests WHERE endpoint = ? AND set_spec = ?",
            (endpoint, set_spec),
        ).fetchone()
        return None if row is None else str(row[0])

    def record_harvest(self, endpoint: str, set_spec: str, datestamp: str) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO harvests (endpoint, set_spec, last_datestamp) VALUES (?, ?, ?) "
                "ON CONFLICT(endpoint, set_spec) DO UPDATE SET "
                "last_datestamp = excluded.last_datestamp",
                (endpoint, set_spec, datestamp),
            )

    def size(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM papers").fetchone()[0])

    # ------------------------------------------------------------------ lookup side

    def candidates(self, title: str, limit: int = CANDIDATES) -> list[ArxivMetadata]:
        """The papers whose titles share the most words with ``title`` (BM25), best first."""
        words = list(dict.fromkeys(search_words(title)))
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self._db.execute(
            "SELECT papers.metadata FROM titles JOIN papers ON papers.rowid = titles.rowid "
            "WHERE titles MATCH ? ORDER BY bm25(titles) LIMIT ?",
            (match, limit),
        )
        return [ArxivMetadata.model_validate_json(metadata) for (metadata,) in rows]


def match_titles(
    index: TitleIndex, papers: Mapping[str, PaperRef], fetch: FetchIds, kept: int
) -> dict[str, list[ArxivMetadata]]:
    """Candidates per title key, as a search would give them: the index's, ranked by
    :func:`matching.rank`, with the confirmed ones (what matching would accept) replaced by
    their full metadata from ``fetch``, which is called once for all of them.

    A title with a confirmed id that ``fetch`` leaves out of its answer (arXiv refused it,
    or its answers stayed doubtful) is left out too: the index cannot answer it."""
    ranked: dict[str, list[ArxivMetadata]] = {}
    confirmed: dict[str, set[str]] = {}
    for key, paper in papers.items():
        candidates = matching.rank(paper.title, paper.authors, index.candidates(paper.title))
        ranked[key] = [candidate.metadata for candidate in candidates[:kept]]
        confirmed[key] = {
            candidate.metadata.arxiv_id
            for candidate in candidates[:kept]
            if candidate.score >= matching.TITLE_THRESHOLD and candidate.shared_surnames
        }
    wanted = sorted(set().union(*confirmed.values()))
    full = fetch(wanted) if wanted else {}
    return {
        key: _with_full(candidates, full)
        for key, candidates in ranked.items()
        if confirmed[key] <= full.keys()
    }


def _with_full(
    candidates: Sequence[ArxivMetadata], full: Mapping[str, ArxivMetadata | None]
) -> list[ArxivMetadata]:
    # A confirmed id arXiv no longer has (withdrawn since the harvest) is no candidate.
    kept = []
    for candidate in candidates:
        if candidate.arxiv_id not in full:
            kept.append(candidate)
        elif (found := full[candidate.arxiv_id]) is not None:
            kept.append(found)
    return kept
