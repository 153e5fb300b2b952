"""arXiv enrichment, usable without Prefect.

Modules: ``service`` (orchestration: ids in batches of 100, titles in searches of 5),
``client`` (the arxiv package's Client on our polite session), ``limiter`` (one request
per delay across processes), ``cache`` (SQLite), ``matching`` (title decisions), ``query``
(search query building).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.settings import Settings
from pipeline.enrich.arxiv.service import enrich_papers
from pipeline.enrich.records import EnrichmentReport, PaperRef
from pipeline.models import ARXIV_SERVICE


class ArxivEnricher:
    name = ARXIV_SERVICE

    def enrich(
        self, papers: Sequence[PaperRef], settings: Settings, *, refresh: bool = False
    ) -> EnrichmentReport:
        return enrich_papers(papers, settings, refresh=refresh)


__all__ = ["ArxivEnricher", "enrich_papers"]
