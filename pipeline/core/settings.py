"""All configuration, from one place: environment variables prefixed ``PIPELINE_``.

Relative paths are resolved against the working directory, so
``PIPELINE_RAW_DIR=/tmp/x/raw PIPELINE_PROCESSED_DIR=/tmp/x/out ...`` runs the whole pipeline
in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline import __version__
from pipeline.core.errors import PipelineError

DEFAULT_USER_AGENT = (
    f"paper-pipeline/{__version__} (research metadata ingestion; "
    "+https://github.com/paper-pipeline/paper-pipeline; mailto:maintainers@paper-pipeline.org)"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIPELINE_", extra="ignore")

    sources_file: Path = Field(Path("sources.toml"), description="the list of sources")
    raw_dir: Path = Field(Path("raw"), description="input snapshots")
    processed_dir: Path = Field(Path("processed"), description="versioned outputs")
    reports_dir: Path = Field(Path("reports"), description="where `report` writes its pages")
    state_dir: Path = Field(
        Path(".state"), description="Prefect home, caches and other run state (git-ignored)"
    )
    offline: bool = Field(False, description="never touch the network; raw/ serves")
    enrichment_service: str = Field(
        "arxiv", description="where linked papers get their metadata (pipeline/enrich)"
    )
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv API endpoint (a test's fake)"
    )
    arxiv_delay_seconds: float = Field(3.0, ge=0, description="seconds between arXiv requests")
    arxiv_timeout_seconds: float = Field(
        30.0, gt=0, description="connect and each read of an arXiv request"
    )
    arxiv_deadline_seconds: float = Field(
        60.0, gt=0, description="one arXiv response, start to last byte"
    )
    arxiv_budget_seconds: float = Field(
        900.0, gt=0, description="all arXiv requests of a run; the rest stay pending"
    )
    arxiv_cache_ttl_days: float = Field(
        30.0, ge=0, description="age after which cached arXiv answers are asked again"
    )
    arxiv_title_index: bool = Field(
        False,
        description="match titles in the local arXiv title index (`arxiv-index update` fills "
        "it) instead of searching arXiv; only confirmed ids are fetched",
    )
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai", description="arXiv's OAI-PMH interface (a test's fake)"
    )
    arxiv_index_sets: str = Field(
        "cs,stat", description="OAI-PMH sets the title index harvests, comma-separated"
    )
    github_api_url: str = Field(
        "https://api.github.com",
        description="GitHub's REST API: which commit a tracked README's branch is at",
    )
    github_raw_url: str = Field(
        "https://raw.githubusercontent.com",
        description="where GitHub's raw files are read (raw.githubusercontent.com URLs)",
    )
    github_token: SecretStr | None = Field(
        None,
        description="a GitHub token, sent to GitHub's API only (never to the files it points "
        "at, never through a redirect to another host): 5,000 requests an hour instead of 60",
    )
    user_agent: str = Field(DEFAULT_USER_AGENT, description="sent with every request")
    fetch_delay_seconds: float = Field(
        1.0,
        ge=0,
        description="seconds between requests to one host when a source is read from several "
        "documents (a conference's workshop pages, a feed's pages)",
    )
    fetch_timeout_seconds: float = Field(
        30.0, gt=0, description="connect and each read of a page fetch"
    )
    fetch_deadline_seconds: float = Field(
        120.0, gt=0, description="a whole page fetch: robots.txt, redirects, retries, body"
    )
    lock_wait_seconds: float = Field(
        60.0, ge=0, description="how long a run waits for a dataset or state folder in use"
    )
    task_runner: Literal["local", "dask"] = Field(
        "local", description="where flow tasks run: in-process, or on a Dask cluster"
    )
    dask_address: str | None = Field(
        None, description="scheduler of an existing Dask cluster (tcp://host:8786)"
    )
    dask_workers: int = Field(
        2, ge=1, description="workers of the local Dask cluster when no address is given"
    )
    replay_read_ahead: bool = Field(
        True,
        description="a replay parses its next versions in a worker process while it writes "
        "(on machines with more than one core)",
    )
    prefect_api_url: str | None = Field(
        None, description="your own Prefect server; default: an embedded temporary one"
    )

    @property
    def arxiv_index_set_list(self) -> list[str]:
        return [name.strip() for name in self.arxiv_index_sets.split(",") if name.strip()]

    @property
    def prefect_home(self) -> Path:
        return self.state_dir / "prefect"


def get_settings() -> Settings:
    """Fresh settings from the current environment (cheap; never cached, tests change env).

    A bad value is the user's to fix: one line naming the variable, not a traceback.
    """
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "PIPELINE_" + str(first["loc"][0]).upper() if first["loc"] else "PIPELINE_*"
        raise PipelineError(f"{name}: {first['msg']}") from None
