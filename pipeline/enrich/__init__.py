"""arXiv enrichment, usable without Prefect.

>>> report = enrich_papers([PaperRef(key="p1", title="...", authors=[...], arxiv_id="2012.03107")],
...                        settings)   # doctest: +SKIP
>>> report.results["p1"].status         # doctest: +SKIP

Modules: ``service`` (orchestration), ``client`` (the arxiv Client: transport, retries),
``limiter`` (one request per delay across processes), ``cache`` (SQLite), ``matching``
(title decisions), ``query`` (search query building), ``records`` (PaperRef, report).
"""

from pipeline.core.http import RetryPolicy
from pipeline.enrich.arxiv.service import enrich_papers
from pipeline.enrich.records import EnrichmentReport, PaperRef

__all__ = ["EnrichmentReport", "PaperRef", "RetryPolicy", "enrich_papers"]
