"""Enrichment services, by name: metadata for linked papers from an outside index.

A service implements :class:`Enricher`: one ``enrich`` call for a whole run's papers, which
never raises on network faults (a paper it could not ask about is ``pending`` or
``error``). arXiv is the one service today (:mod:`pipeline.enrich.arxiv`); to add one: a
package beside it and one line in :data:`ENRICHERS`; ``PIPELINE_ENRICHMENT_SERVICE`` picks it.

>>> report = enrich_papers([PaperRef(key="p1", title="...", arxiv_id="2012.03107")],
...                        settings)   # doctest: +SKIP
>>> report.results["p1"].status         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.core.errors import PipelineError
from pipeline.core.http import RetryPolicy
from pipeline.core.settings import Settings
from pipeline.enrich.arxiv import ArxivEnricher, enrich_papers
from pipeline.enrich.records import EnrichmentReport, PaperRef


class Enricher(Protocol):
    @property
    def name(self) -> str: ...

    def enrich(
        self, papers: Sequence[PaperRef], settings: Settings, *, refresh: bool = False
    ) -> EnrichmentReport:
        """An Enrichment for every paper (keyed by ``PaperRef.key``); ``refresh`` ignores
        any cache."""
        ...


ENRICHERS: dict[str, Enricher] = {service.name: service for service in (ArxivEnricher(),)}


def enricher_for(settings: Settings) -> Enricher:
    try:
        return ENRICHERS[settings.enrichment_service]
    except KeyError:
        known = ", ".join(sorted(ENRICHERS))
        raise PipelineError(
            f"PIPELINE_ENRICHMENT_SERVICE: {settings.enrichment_service!r} is not a service "
            f"({known})"
        ) from None


__all__ = [
    "ENRICHERS",
    "Enricher",
    "EnrichmentReport",
    "PaperRef",
    "RetryPolicy",
    "enrich_papers",
    "enricher_for",
]
