"""A pipeline folder for process-level tests: the project's sources and captures, a
generated README history, and the invariants every interrupted run must leave."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.core.ids import sha256_bytes
from pipeline.models import SnapshotMeta
from pipeline.store.compaction import read_version_file
from pipeline.store.versions import LATEST, latest_version, list_versions, verify_version
from tests.conftest import PROJECT_DIR
from tests.reliability.corpus import link_list


@dataclass(frozen=True)
class Scene:
    folder: Path

    @property
    def processed(self) -> Path:
        return self.folder / "processed"

    @property
    def raw(self) -> Path:
        return self.folder / "raw"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
        env.update(
            PIPELINE_SOURCES_FILE=str(self.folder / "sources.toml"),
            PIPELINE_RAW_DIR=str(self.raw),
            PIPELINE_PROCESSED_DIR=str(self.processed),
            PIPELINE_STATE_DIR=str(self.folder / "state"),
            PIPELINE_OFFLINE="true",
            PYTHONPATH=str(PROJECT_DIR),
        )
        env.update(extra)
        return env

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.run_chain", *args],
            cwd=PROJECT_DIR,
            env=self.env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tests.reliability.run_chain", *args],
            cwd=PROJECT_DIR,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
        )


def project_scene(folder: Path) -> Scene:
    shutil.copytree(PROJECT_DIR / "raw", folder / "raw")
    shutil.copy(PROJECT_DIR / "sources.toml", folder / "sources.toml")
    return Scene(folder)


def write_history(folder: Path, versions: int) -> Path:
    """A README history: version n lists 10 + 3n papers, every fifth renamed now and then."""
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(versions):
        text = link_list(10 + 3 * n).replace(f"number {n % 7}", f"number {n % 7} (v{n})")
        when = start + timedelta(days=n)
        name = f"{n + 1:04d}-{when:%Y%m%dT%H%M%S}-{sha256_bytes(text.encode())[:7]}.md"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def check_invariants(scene: Scene) -> list[str]:
    """What an interrupted run must never leave: a LATEST naming an incomplete or damaged
    version, a temporary inside a version, a snapshot in raw/ that is not what it says."""
    problems: list[str] = []
    if scene.processed.is_dir():
        for dataset in sorted(p.name for p in scene.processed.iterdir() if p.is_dir()):
            latest = latest_version(scene.processed, dataset)
            versions = list_versions(scene.processed, dataset)
            if latest is None and not versions:
                continue
            if (scene.processed / dataset / LATEST).exists() and latest not in versions:
                problems.append(f"{dataset}: LATEST names {latest}, not a complete version")
            elif latest is not None:
                problems += verify_version(scene.processed, dataset, latest)
            for version in versions:
                for entry in (scene.processed / dataset / version).iterdir():
                    if entry.name.startswith(".") or entry.name.endswith(".tmp"):
                        problems.append(f"{dataset}/{version}: temporary {entry.name}")
    for meta_path in scene.raw.rglob("*.meta.json"):
        meta = SnapshotMeta.model_validate_json(meta_path.read_bytes())
        stem = meta_path.name.removesuffix(".meta.json")
        bodies = [p for p in meta_path.parent.glob(f"{stem}.*") if p != meta_path]
        for body in bodies:
            if sha256_bytes(body.read_bytes()) != meta.sha256 and meta_path.parent != scene.raw:
                problems.append(f"raw/{body.name}: bytes differ from its metadata")
    return problems


def stored_bytes(processed: Path, dataset: str) -> dict[str, bytes]:
    """Every stored file of every version, as stored (compressed forms included)."""
    out: dict[str, bytes] = {}
    for version in list_versions(processed, dataset):
        for entry in sorted((processed / dataset / version).iterdir()):
            out[f"{version}/{entry.name}"] = entry.read_bytes()
    out["LATEST"] = (processed / dataset / LATEST).read_bytes()
    return out


def plain_bytes(processed: Path, dataset: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for version in list_versions(processed, dataset):
        for entry in sorted((processed / dataset / version).iterdir()):
            name = entry.name.removesuffix(".zst").removesuffix(".xz")
            out[f"{version}/{name}"] = read_version_file(processed / dataset / version / name)
    return out
