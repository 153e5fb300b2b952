"""The enrichment API's own records: what callers pass in and what they get back."""

from __future__ import annotations

from collections import Counter

from pydantic import Field

from pipeline.models import ARXIV_SERVICE, Enrichment, EnrichmentStatus, Record


class PaperRef(Record):
    """One paper to enrich, as the caller knows it."""

    key: str = Field(description="the caller's record id")
    title: str
    authors: list[str] = Field(default_factory=list)
    arxiv_id: str | None = Field(
        default=None, description="base id or id with version, as found in the source"
    )


class EnrichmentReport(Record):
    """The outcome of one enrichment run."""

    service: str = Field(
        default=ARXIV_SERVICE, description="the service: the key of its results on records"
    )
    results: dict[str, Enrichment] = Field(default_factory=dict)
    requests_made: int = Field(0, description="HTTP requests sent to arXiv, retries included")
    warnings: list[str] = Field(default_factory=list)

    def status_counts(self) -> dict[EnrichmentStatus, int]:
        """How many papers ended in each status."""
        return dict(Counter(result.status for result in self.results.values()))
