"""Versioned datasets under processed/: the output end of the pipeline.

Layout::

    processed/<dataset>/<version>/records.json   the main table (a JSON array)
                                  <table>.json    further tables (e.g. papers.json)
                                  warnings.json   what the parsers could not read
                                  changes.json    against the previous version, by record id
                                  CHANGES.md      the same, as a short account to read
                                  schema.json     JSON Schema of every table, from the models
                                  manifest.json   inputs, counts, sha256 of every file
    processed/<dataset>/LATEST                    name of the newest complete version

A version is written into a temporary folder and renamed into place; LATEST is replaced
last, so an interrupted run never leaves a half-written version or a LATEST naming one.
Every write holds the dataset's lock (:mod:`pipeline.core.locks`) and first finishes what a
killed writer left: its temporaries are removed, a complete version it published but did not
name yet becomes LATEST, and the compaction it did not finish is done, so a resumed run
writes exactly what an uninterrupted one would. A LATEST whose files fail their manifest's
checksums is never taken as 'unchanged': a new version is written from the inputs, with a note.

Older versions are compacted (reverse deltas with keyframes: :mod:`pipeline.store.compaction`), so
a daily refresh or a replay of a list's whole history does not keep hundreds of full copies.
:func:`read_table` reads any version: ``read_table(Path("processed"), "ds", "20250107T000000Z")``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, TypeAdapter

from pipeline import __version__
from pipeline.core.errors import PipelineError
from pipeline.core.files import (
    discard,
    finish_replacing,
    publish_folder,
    remove_temporaries,
    staging_folder,
    sync_folder,
    write_atomic,
    write_files,
)
from pipeline.core.ids import MAX_NAME_LENGTH, is_slug
from pipeline.core.locks import dataset_locks
from pipeline.models import (
    SCHEMA_VERSION,
    ChangeSet,
    InputFile,
    Manifest,
    OutputFile,
    ParseWarning,
)
from pipeline.store.changes import diff_records, render_change_sets
from pipeline.store.compaction import (
    KEYFRAME_EVERY,
    compact_version,
    needs_compaction,
    read_version_file,
)
from pipeline.store.datapackage import FILE_NAME as DATAPACKAGE
from pipeline.store.datapackage import datapackage
from pipeline.store.migrations import upgrade_rows
from pipeline.store.writers import dump_json, version_files

LATEST = "LATEST"
MAIN_TABLE = "records"
LOCK_WAIT_SECONDS = 60.0  # write_version's default; the chains pass the setting


@dataclass(frozen=True)
class Table:
    """One JSON file of a version: a list of records of one model."""

    name: str
    model: type[BaseModel]
    records: Sequence[BaseModel]


@dataclass(frozen=True)
class DatasetVersion:
    """Everything one version of a dataset holds, before it is written."""

    dataset: str
    tables: Sequence[Table]
    inputs: Sequence[InputFile]
    warnings: Sequence[ParseWarning] = ()
    created_at: datetime | None = None  # default: now; replay passes the commit time


@dataclass(frozen=True)
class WriteResult:
    dataset: str
    version: str
    path: Path
    status: Literal["written", "unchanged"]
    record_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # repairs made before writing, one line each


def schema_bytes(tables: Sequence[Table]) -> bytes:
    """schema.json of a version with these tables (made once per process for each set of
    table models: every version of a run, and every version of a replay, has the same)."""
    return _schema_bytes(tuple((table.name, table.model) for table in tables))


@functools.cache
def _schema_bytes(tables: tuple[tuple[str, type[BaseModel]], ...]) -> bytes:
    schema = {
        "schema_version": SCHEMA_VERSION,
        "tables": {
            f"{name}.json": TypeAdapter(list[model]).json_schema()  # type: ignore[valid-type]
            for name, model in tables
        },
        "manifest.json": Manifest.model_json_schema(),
        "warnings.json": TypeAdapter(list[ParseWarning]).json_schema(),
        "changes.json": TypeAdapter(list[ChangeSet]).json_schema(),
    }
    return dump_json(schema)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def latest_version(processed_dir: Path, dataset: str) -> str | None:
    """The version LATEST names, or None for a dataset never written."""
    try:
        name = (processed_dir / dataset / LATEST).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def read_manifest(processed_dir: Path, dataset: str, version: str | None = None) -> Manifest:
    version = version or latest_version(processed_dir, dataset)
    if version is None:
        raise PipelineError(f"dataset {dataset!r} has no version in {processed_dir}")
    path = processed_dir / dataset / version / "manifest.json"
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise PipelineError(f"{path}: no such version") from None


def read_table(
    processed_dir: Path, dataset: str, version: str | None = None, table: str = MAIN_TABLE
) -> list[dict[str, Any]]:
    """The records of one table of a version (default: LATEST's records.json) as dicts."""
    version = version or latest_version(processed_dir, dataset)
    if version is None:
        raise PipelineError(f"dataset {dataset!r} has no version in {processed_dir}")
    path = processed_dir / dataset / version / f"{table}.json"
    data = read_version_file(path)
    expected = _listed_sha256(processed_dir, dataset, version, path.name)
    if expected is not None and _sha256(data) != expected:
        raise PipelineError(
            f"{dataset}/{version}/{path.name}: damaged (its checksum differs from the manifest's)"
        )
    records: list[dict[str, Any]] = orjson.loads(data)  # C speed: a refresh reads every table
    return upgrade_rows(records, _written_schema(processed_dir, dataset, version))


def _written_schema(processed_dir: Path, dataset: str, version: str) -> str | None:
    try:
        return read_manifest(processed_dir, dataset, version).schema_version
    except (PipelineError, ValueError):
        return None


def _listed_sha256(processed_dir: Path, dataset: str, version: str, name: str) -> str | None:
    try:
        manifest = read_manifest(processed_dir, dataset, version)
    except (PipelineError, ValueError):
        return None
    return next((entry.sha256 for entry in manifest.files if entry.name == name), None)


def verify_version(processed_dir: Path, dataset: str, version: str) -> list[str]:
    """What is wrong with a stored version: files missing, unreadable or not matching the
    sha256 its manifest lists (one line each); empty when every file verifies."""
    try:
        manifest = read_manifest(processed_dir, dataset, version)
    except (PipelineError, ValueError) as exc:
        return [f"{dataset}/{version}: manifest unreadable ({str(exc).splitlines()[0]})"]
    problems = []
    for entry in manifest.files:
        try:
            data = read_version_file(processed_dir / dataset / version / entry.name)
        except PipelineError as exc:
            problems.append(str(exc))
            continue
        if _sha256(data) != entry.sha256:
            problems.append(
                f"{dataset}/{version}/{entry.name}: checksum differs from the manifest's"
            )
    return problems


def list_versions(processed_dir: Path, dataset: str) -> list[str]:
    """Complete versions of a dataset, oldest first (names sort by creation time)."""
    try:
        entries = os.scandir(processed_dir / dataset)
    except (FileNotFoundError, NotADirectoryError):
        return []
    with entries:  # scandir: a replay lists hundreds of versions at every write
        return sorted(
            entry.name
            for entry in entries
            if not entry.name.startswith(".")
            and entry.is_dir()
            and os.path.exists(os.path.join(entry.path, "manifest.json"))
        )


def _version_name(folder: Path, created_at: datetime) -> str:
    base = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, counter = base, 1
    while (folder / name).exists():
        counter += 1
        name = f"{base}-{counter}"
    return name


_DERIVED_FILES = {"manifest.json", "changes.json", "CHANGES.md", DATAPACKAGE}


def _same_inputs(previous: Manifest, inputs: Sequence[InputFile]) -> bool:
    """Made by this pipeline and schema version from the same inputs: the same files, by
    content. The commit a file was read at is provenance: the same bytes at a later commit
    are the same input (the version keeps the commit it was first made at)."""
    if previous.pipeline_version != __version__ or previous.schema_version != SCHEMA_VERSION:
        return False

    def identities(items: Sequence[InputFile]) -> list[tuple[str, str, str]]:
        return sorted((item.source_id, item.path, item.sha256) for item in items)

    return identities(previous.inputs) == identities(inputs)


def latest_from_inputs(
    processed_dir: Path, dataset: str, inputs: Sequence[InputFile]
) -> str | None:
    """LATEST, when this pipeline made it from exactly these inputs (nothing to redo) and
    its files still verify against its manifest: damaged or edited data is never reused."""
    name = latest_version(processed_dir, dataset)
    if name is None:
        return None
    try:
        manifest = read_manifest(processed_dir, dataset, name)
    except (PipelineError, ValueError):
        return None
    if not _same_inputs(manifest, inputs) or verify_version(processed_dir, dataset, name):
        return None
    return name


class _Hashes(dict[str, str]):
    """The sha256 of a version's files by name, each computed once (the comparison with the
    last version, the datapackage and the manifest all list a 40 MB papers table's)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self._files = files

    def __missing__(self, name: str) -> str:
        digest = self[name] = _sha256(self._files[name])
        return digest


def _same_content(previous: Manifest, inputs: Sequence[InputFile], hashes: _Hashes) -> bool:
    """Unchanged: same inputs, same pipeline and schema, byte-identical tables."""
    if not _same_inputs(previous, inputs):
        return False
    old = {entry.name: entry.sha256 for entry in previous.files if entry.name not in _DERIVED_FILES}
    return old == {name: hashes[name] for name in hashes._files}


def _check_dataset_name(dataset: str) -> None:
    # The last guard before a path is made from the name (callers check user names first).
    if not is_slug(dataset) or len(dataset) > MAX_NAME_LENGTH:
        raise PipelineError(f"dataset {dataset[:60]!r}: not a valid dataset name")


def recover(processed_dir: Path, dataset: str) -> list[str]:
    """Finish what a killed writer of the dataset left (the caller holds its lock): remove
    its temporaries, name the newest complete version LATEST, finish the compaction of the
    version before it. Returns one note per repair."""
    return _recover(processed_dir, dataset)[0]


def _recover(processed_dir: Path, dataset: str) -> tuple[list[str], list[str]]:
    """:func:`recover`'s notes, and the dataset's complete versions after it."""
    folder = processed_dir / dataset
    notes = []
    removed = remove_temporaries(folder)
    if removed:
        notes.append(f"{dataset}: removed {len(removed)} temporaries of an interrupted write")
    versions = list_versions(processed_dir, dataset)
    if not versions:
        return notes, versions
    latest = latest_version(processed_dir, dataset)
    newest = versions[-1]
    if latest != newest and (latest not in versions or latest < newest):
        _replace_latest(folder, newest)
        notes.append(f"{dataset}: LATEST now names {newest}, complete but not yet named")
    if len(versions) >= 2 and needs_compaction(folder / versions[-2]):
        position = len(versions) - 2
        compact_version(
            folder / versions[-2], folder / newest, keyframe=position % KEYFRAME_EVERY == 0
        )
    return notes, versions


def write_version(
    processed_dir: Path, version: DatasetVersion, *, wait: float = LOCK_WAIT_SECONDS
) -> WriteResult:
    """Write a new version atomically, or report 'unchanged' when nothing differs.

    Holds the dataset's lock (waiting up to ``wait`` seconds for another writer).
    """
    _check_dataset_name(version.dataset)
    with dataset_locks(processed_dir, [version.dataset], wait=wait):
        return _write_locked(processed_dir, version)


def _write_locked(processed_dir: Path, version: DatasetVersion) -> WriteResult:
    folder = processed_dir / version.dataset
    folder.mkdir(parents=True, exist_ok=True)
    notes, versions = _recover(processed_dir, version.dataset)
    files = version_files(list(version.tables))
    files["warnings.json"] = dump_json([w.model_dump(mode="json") for w in version.warnings])
    files["schema.json"] = schema_bytes(version.tables)
    hashes = _Hashes(files)
    counts = {table.name: len(table.records) for table in version.tables}

    previous_name = latest_version(processed_dir, version.dataset)
    if previous_name is not None:
        try:
            previous = read_manifest(processed_dir, version.dataset, previous_name)
        except (PipelineError, ValueError):
            previous = None  # a damaged last version never blocks a new one
        if previous is not None and _same_content(previous, version.inputs, hashes):
            problems = verify_version(processed_dir, version.dataset, previous_name)
            if not problems:
                return WriteResult(
                    version.dataset,
                    previous_name,
                    folder / previous_name,
                    "unchanged",
                    counts,
                    notes,
                )
            notes.append(
                f"{version.dataset}: LATEST {previous_name} does not match its manifest "
                f"({problems[0]}); written again from its inputs"
            )

    created_at = version.created_at or datetime.now(UTC).replace(microsecond=0)
    name = _version_name(folder, created_at)
    change_sets = [
        diff_records(
            version.dataset,
            _previous_table(processed_dir, version.dataset, previous_name, table.name),
            _new_table(table, files, compared=previous_name is not None),
            table=table.name,
            from_version=previous_name,
            to_version=name,
        )
        for table in version.tables
    ]
    files["changes.json"] = dump_json([c.model_dump(mode="json") for c in change_sets])
    files["CHANGES.md"] = render_change_sets(change_sets).encode("utf-8")
    package = datapackage(version.dataset, created_at, version.tables, files, hashes)
    files[DATAPACKAGE] = dump_json(package)
    manifest = Manifest(
        dataset=version.dataset,
        version=name,
        created_at=created_at,
        pipeline_version=__version__,
        schema_version=SCHEMA_VERSION,
        inputs=list(version.inputs),
        record_counts=counts,
        warning_count=len(version.warnings),
        files=[
            OutputFile(name=file_name, sha256=hashes[file_name], bytes=len(data))
            for file_name, data in sorted(files.items())
        ],
    )
    files["manifest.json"] = dump_json(manifest.model_dump(mode="json"))

    staging = staging_folder(folder)
    latest: list[tuple[Path, Path]] = []
    try:
        # The version's files and the new LATEST reach the disk in one flush, before the
        # renames make them visible: the version first, then LATEST (a LATEST that names a
        # version lost to a power cut is set right by recover()).
        latest = write_files(staging, files, then_replace={folder / LATEST: _latest_bytes(name)})
        publish_folder(staging, folder / name, durable=False)
        finish_replacing(latest)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        discard(latest)
        raise PipelineError(f"{version.dataset}: version {name} not written: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        discard(latest)
        raise
    if previous_name is not None and previous_name in versions:
        position = sorted([*versions, name]).index(previous_name)  # as list_versions has it now
        compact_version(
            folder / previous_name, folder / name, keyframe=position % KEYFRAME_EVERY == 0
        )
    return WriteResult(version.dataset, name, folder / name, "written", counts, notes)


def _new_table(table: Table, files: dict[str, bytes], *, compared: bool) -> list[Any]:
    """The new version's records as the diff reads them. Without a previous version every
    record is added, and an addition shows only the id and title: no need to parse the
    whole table back (at 43,520 papers, hundreds of MB)."""
    if compared:
        records: list[Any] = orjson.loads(files[f"{table.name}.json"])
        return records
    return [
        {"id": record.id, "title": getattr(record, "title", None)}  # type: ignore[attr-defined]
        for record in table.records
    ]


def _previous_table(
    processed_dir: Path, dataset: str, version: str | None, table: str, *, strict: bool = False
) -> list[dict[str, Any]]:
    """A table of an earlier version to compare against; [] for none, or a table it lacks.

    A damaged one is [] for a write (everything counts as added, and the write says why in
    its notes) but an error when ``strict`` (a diff a person asked for must not lie).
    """
    if version is None:
        return []
    if _listed_sha256(processed_dir, dataset, version, f"{table}.json") is None:
        return []
    try:
        return read_table(processed_dir, dataset, version, table)
    except (PipelineError, ValueError):
        if strict:
            raise
        return []


def diff_versions(processed_dir: Path, dataset: str, old: str | None, new: str) -> list[ChangeSet]:
    """The changes between any two versions of a dataset, table by table."""
    tables = sorted(read_manifest(processed_dir, dataset, new).record_counts)
    return [
        diff_records(
            dataset,
            _previous_table(processed_dir, dataset, old, table, strict=True),
            read_table(processed_dir, dataset, new, table),
            table=table,
            from_version=old,
            to_version=new,
        )
        for table in tables
    ]


def _latest_bytes(name: str) -> bytes:
    return (name + "\n").encode("utf-8")


def _replace_latest(folder: Path, name: str) -> None:
    write_atomic(folder / LATEST, _latest_bytes(name))
    sync_folder(folder)  # the rename of LATEST itself, so a power cut cannot undo it
