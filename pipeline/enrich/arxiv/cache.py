"""The local arXiv cache: a SQLite file keyed by base id and by normalised title.

Entries older than their TTL count as absent. "Not found" is cached too (a row without
metadata), so a warm run asks arXiv nothing it already asked.

Each entry's TTL is the configured one shortened by up to ``EXPIRY_SPREAD`` of it, by an
amount fixed by its key: entries fetched in one cold run (a whole corpus, one day) expire
over the following days instead of all on the same one, so later runs re-ask a few a day.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from pipeline.models import ArxivMetadata

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "arxiv-cache.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ids (
    base_id TEXT PRIMARY KEY,
    metadata TEXT,            -- ArxivMetadata JSON; NULL: arXiv does not know the id
    fetched_at REAL NOT NULL  -- unix time
);
CREATE TABLE IF NOT EXISTS titles (
    title_key TEXT PRIMARY KEY,  -- normalise_title of the searched title
    candidates TEXT NOT NULL,    -- JSON list of ArxivMetadata, best first
    fetched_at REAL NOT NULL
);
"""

_DAMAGED = {"SQLITE_NOTADB", "SQLITE_CORRUPT"}
EXPIRY_SPREAD = 0.2  # of the TTL: 30 days -> entries expire between day 24 and day 30
# SQLite caps host parameters per statement; lookups go in chunks below it.
_CHUNK = 500


class ArxivCache:
    """Fresh-entry lookups and upserts; one instance per thread (sqlite3 connections)."""

    def __init__(self, path: Path, ttl_days: float) -> None:
        self.path = path
        self.ttl_seconds = ttl_days * 86400.0
        self.warnings: list[str] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as err:
            if getattr(err, "sqlite_errorname", "") not in _DAMAGED:
                raise  # e.g. locked: not a reason to throw the cache away
            # A damaged cache only costs requests: set it aside and start afresh.
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            path.replace(aside)
            self.warnings.append(f"arXiv cache {path} unreadable ({err}); moved to {aside}")
            logger.warning(self.warnings[-1])
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer process
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ArxivCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fresh(self, key: str, fetched_at: float, now: float) -> bool:
        return fetched_at >= now - self.ttl_seconds * (1.0 - EXPIRY_SPREAD * _spread(key))

    def _trouble(self, action: str, err: Exception) -> None:
        # The cache only saves requests: a failing read is a miss, a failing write is lost.
        self.warnings.append(f"arXiv cache {self.path}: {action} failed ({err})")
        logger.warning(self.warnings[-1])

    def get_ids(self, base_ids: Iterable[str]) -> dict[str, ArxivMetadata | None]:
        """Fresh entries only; a key mapped to None is a cached "not found"."""
        try:
            return self._get_ids(base_ids)
        except (sqlite3.Error, ValueError) as err:
            self._trouble("read", err)
            return {}

    def get_titles(self, title_keys: Iterable[str]) -> dict[str, list[ArxivMetadata]]:
        """Fresh search results per normalised title (possibly an empty list)."""
        try:
            return self._get_titles(title_keys)
        except (sqlite3.Error, ValueError) as err:
            self._trouble("read", err)
            return {}

    def put_ids(self, entries: Mapping[str, ArxivMetadata | None]) -> None:
        try:
            self._put_ids(entries)
        except sqlite3.Error as err:
            self._trouble("write", err)

    def put_titles(self, entries: Mapping[str, list[ArxivMetadata]]) -> None:
        try:
            self._put_titles(entries)
        except sqlite3.Error as err:
            self._trouble("write", err)

    def _get_ids(self, base_ids: Iterable[str]) -> dict[str, ArxivMetadata | None]:
        found: dict[str, ArxivMetadata | None] = {}
        wanted, now = list(dict.fromkeys(base_ids)), time.time()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT base_id, metadata, fetched_at FROM ids WHERE base_id IN ({marks}) "
                "AND fetched_at >= ?",
                [*chunk, now - self.ttl_seconds],
            )
            for base_id, metadata, fetched_at in rows:
                if not self._fresh(base_id, fetched_at, now):
                    continue
                found[base_id] = (
                    None if metadata is None else ArxivMetadata.model_validate_json(metadata)
                )
        return found

    def _put_ids(self, entries: Mapping[str, ArxivMetadata | None]) -> None:
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO ids (base_id, metadata, fetched_at) VALUES (?, ?, ?)",
                [
                    (base_id, None if meta is None else meta.model_dump_json(), now)
                    for base_id, meta in entries.items()
                ],
            )

    def _get_titles(self, title_keys: Iterable[str]) -> dict[str, list[ArxivMetadata]]:
        found: dict[str, list[ArxivMetadata]] = {}
        wanted, now = list(dict.fromkeys(title_keys)), time.time()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT title_key, candidates, fetched_at FROM titles WHERE title_key IN "
                f"({marks}) AND fetched_at >= ?",
                [*chunk, now - self.ttl_seconds],
            )
            for title_key, candidates, fetched_at in rows:
                if not self._fresh(title_key, fetched_at, now):
                    continue
                found[title_key] = [ArxivMetadata.model_validate(c) for c in json.loads(candidates)]
        return found

    def _put_titles(self, entries: Mapping[str, list[ArxivMetadata]]) -> None:
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO titles (title_key, candidates, fetched_at) "
                "VALUES (?, ?, ?)",
                [
                    (key, json.dumps([c.model_dump(mode="json") for c in cands]), now)
                    for key, cands in entries.items()
                ],
            )


def _spread(key: str) -> float:
    """A fraction in [0, 1) fixed by the key (not Python's salted hash: the same every run)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
