"""Prefect's environment, set before Prefect is imported.

Prefect reads its settings at import time, so the CLI calls :func:`configure_prefect` first.
Prefect's home (database, profiles, logs) lives under PIPELINE_STATE_DIR, never in the
user's home. Without PIPELINE_PREFECT_API_URL (or PREFECT_API_URL) flows run on Prefect's
embedded temporary server; the two services below are off because, with prefect 3.8.8, they
print tracebacks when that temporary server stops.
"""

from __future__ import annotations

import os

from pipeline.core.settings import Settings

_TEMPORARY_SERVER_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    # a fresh Prefect home takes ~15 s to start on 2 cores; Prefect's default allows 20
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def configure_prefect(settings: Settings, *, verbose: bool = True) -> None:
    """Prefect's home and server settings; without ``verbose`` only Prefect's errors print
    (the command line prints its own summary and notes)."""
    home = settings.prefect_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)
    if settings.prefect_api_url:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
    for name, value in _TEMPORARY_SERVER_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
