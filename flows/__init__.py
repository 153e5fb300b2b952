"""Prefect flows: thin orchestration over the library in ``pipeline``."""
