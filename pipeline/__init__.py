"""paper-pipeline: ML research metadata from conference pages and awesome lists.

The library (parsers, normalisation, enrichment, storage) works without Prefect; the
Prefect flows in ``flows/`` only orchestrate it.
"""

__version__ = "0.1.0"
