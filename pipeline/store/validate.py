"""``paper-pipeline validate``: is every version what its manifest says, in the shape its
schema says, and does LATEST name a complete version?

Checks, per version: the manifest reads; every file it lists is there (plain or compacted)
and its plain bytes have the listed sha256 and size; every table validates against the
version's own schema.json (JSON Schema); no file is there that the manifest does not list
(temporary files of a killed writer, a file slipped in). Per dataset: LATEST names a
version that exists and is complete. A damaged compressed file is reported for its version
alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from pipeline.core.errors import PipelineError
from pipeline.store.compaction import DELTA_BASE, XZ, ZSTD_DELTA, read_version_file
from pipeline.store.versions import LATEST, latest_version, list_versions, read_manifest


@dataclass(frozen=True)
class Finding:
    dataset: str
    version: str
    ok: bool
    message: str


def _listed_name(entry: Path) -> str:
    """The manifest name a file on disk stands for ('records.json.zst' -> 'records.json')."""
    for suffix in (XZ, ZSTD_DELTA):
        if entry.name.endswith(suffix):
            return entry.name.removesuffix(suffix)
    return entry.name


def check_version(processed_dir: Path, dataset: str, version: str) -> list[str]:
    """What is wrong with one version (empty: nothing)."""
    folder = processed_dir / dataset / version
    try:
        manifest = read_manifest(processed_dir, dataset, version)
    except (PipelineError, ValueError) as exc:
        return [f"manifest.json unreadable: {str(exc).splitlines()[0]}"]
    problems: list[str] = []
    listed = {entry.name: entry for entry in manifest.files}
    contents: dict[str, bytes] = {}
    for name, entry in listed.items():
        try:
            data = read_version_file(folder / name)
        except Exception as exc:  # a damaged delta raises zstd's or lzma's own errors
            problems.append(f"{name}: unreadable ({type(exc).__name__}: {exc})")
            continue
        if hashlib.sha256(data).hexdigest() != entry.sha256 or len(data) != entry.bytes:
            problems.append(f"{name}: checksum differs from the manifest (tampered or damaged)")
            continue
        contents[name] = data
    extra = sorted(
        entry.name
        for entry in folder.iterdir()
        if _listed_name(entry) not in listed and entry.name not in ("manifest.json", DELTA_BASE)
    )
    problems += [f"{name}: not listed in the manifest" for name in extra]
    if "schema.json" in contents:
        problems += _check_schema(contents)
    return problems


def _check_schema(contents: dict[str, bytes]) -> list[str]:
    schema: dict[str, Any] = json.loads(contents["schema.json"])
    problems = []
    checks = {**schema.get("tables", {})}
    for name in ("warnings.json", "changes.json"):
        if name in schema:
            checks[name] = schema[name]
    for name, table_schema in checks.items():
        if name not in contents:
            continue
        try:
            jsonschema.validate(json.loads(contents[name]), table_schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(part) for part in exc.absolute_path)
            problems.append(f"{name}: does not match schema.json at {where or '/'}: {exc.message}")
    return problems


def validate_datasets(processed_dir: Path, datasets: Sequence[str] | None = None) -> list[Finding]:
    """A finding per version checked (ok or not) and per dataset whose LATEST is wrong."""
    if datasets is None:
        if not processed_dir.is_dir():
            raise PipelineError(f"{processed_dir}: no datasets to validate")
        datasets = sorted(entry.name for entry in processed_dir.iterdir() if entry.is_dir())
    findings: list[Finding] = []
    for dataset in datasets:
        names = list_versions(processed_dir, dataset)
        if not names and not (processed_dir / dataset).is_dir():
            raise PipelineError(f"no dataset {dataset!r} in {processed_dir}")
        for version in names:
            problems = check_version(processed_dir, dataset, version)
            findings += [Finding(dataset, version, False, problem) for problem in problems]
            if not problems:
                findings.append(Finding(dataset, version, True, "ok"))
        latest = latest_version(processed_dir, dataset)
        if latest is None:
            findings.append(Finding(dataset, LATEST, False, "LATEST is missing or empty"))
        elif latest not in names:
            findings.append(
                Finding(dataset, LATEST, False, f"LATEST names {latest!r}, not a complete version")
            )
    return findings
