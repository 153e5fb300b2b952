"""The replay chain: a README's history into one dataset version per commit.

Each version is dated with its commit time and carries changes.json against the one before,
so the dataset is the list's history as a time-travel dataset; older versions are kept
compressed by the store. Replaying again writes only the versions not yet written (a
resumed or extended history). Versions are parsed in chunks (in parallel on a runner that
maps) and written in commit order, so memory stays flat however long the history is.

Written once: :func:`replay` runs in-process by default; the Prefect flow
(:mod:`flows.replay`) passes its runner.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path, PurePosixPath

from pydantic import TypeAdapter

from pipeline.core.collection import fewer_collections
from pipeline.core.errors import InputError, PipelineError
from pipeline.core.ids import check_name, sha256_bytes, slugify
from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.models import InputFile, PaperCard, ParseWarning, ReadmeDocument
from pipeline.parse.readme import read_readme
from pipeline.run import steps
from pipeline.run.ahead import read_ahead
from pipeline.run.runner import IN_PROCESS, Runner
from pipeline.sources.decode import decode_bytes
from pipeline.sources.history import HistoricalVersion, read_history
from pipeline.sources.snapshots import SUFFIX_FORMATS
from pipeline.store.versions import (
    MAIN_TABLE,
    DatasetVersion,
    Table,
    WriteResult,
    list_versions,
    read_manifest,
)

CHUNK = 24  # versions parsed at once: enough to keep a cluster busy, little memory


@dataclass
class ReplaySummary:
    dataset: str
    written: list[str] = field(default_factory=list)
    already_present: int = 0
    cards: dict[str, int] = field(default_factory=dict)  # version -> card count
    warnings: int = 0


def replay_name(location: Path, name: str | None = None) -> str:
    """The dataset a history replays into: ``name`` (checked), else from the archive or
    folder name; one line when it cannot name a dataset."""
    if name is not None:
        return check_name(name, "--name")
    stem = location.name.split(".")[0] if location.is_file() else location.resolve().name
    return check_name(slugify(stem, "history"), f"the name taken from {location} (give --name)")


def parse_historical(version: HistoricalVersion, dataset: str) -> ReadmeDocument:
    """The cards of one historical README (the same format choice as a refresh); an
    unreadable one gives zero cards and a warning."""
    try:
        decoded = decode_bytes(version.data, version.name)
    except InputError as exc:
        return ReadmeDocument(warnings=[ParseWarning(line=None, message=str(exc))])
    declared = SUFFIX_FORMATS.get(PurePosixPath(version.name).suffix.lower())
    document = read_readme(decoded.text, dataset, declared).document
    if decoded.note is None:
        return document
    warnings = [ParseWarning(line=None, message=decoded.note), *document.warnings]
    return document.model_copy(update={"warnings": warnings})


def version_inputs(version: HistoricalVersion, dataset: str) -> list[InputFile]:
    return [
        InputFile(
            source_id=dataset,
            path=version.name,
            sha256=sha256_bytes(version.data),
            commit=version.commit,
        )
    ]


def historical_version(
    version: HistoricalVersion, document: ReadmeDocument, dataset: str
) -> DatasetVersion:
    return DatasetVersion(
        dataset=dataset,
        tables=[Table(MAIN_TABLE, PaperCard, document.items)],
        inputs=version_inputs(version, dataset),
        warnings=document.warnings,
        created_at=version.committed_at,
    )


def replayed_inputs(processed_dir: Path, dataset: str) -> set[tuple[str, str]]:
    """(file name, sha256) of every historical version already written to the dataset."""
    return {
        (item.path, item.sha256)
        for name in list_versions(processed_dir, dataset)
        for item in read_manifest(processed_dir, dataset, name).inputs
    }


def pending_versions(
    history: Iterable[HistoricalVersion], processed_dir: Path, dataset: str, summary: ReplaySummary
) -> Iterator[HistoricalVersion]:
    """The versions still to replay, in order; counts the others in the summary."""
    done = replayed_inputs(processed_dir, dataset)
    for version in history:
        if (version.name, sha256_bytes(version.data)) in done:
            summary.already_present += 1
            continue
        yield version


def write_historical(
    version: HistoricalVersion, document: ReadmeDocument, dataset: str, settings: Settings
) -> WriteResult:
    return steps.write(historical_version(version, document, dataset), settings)


def record_write(summary: ReplaySummary, result: WriteResult, document: ReadmeDocument) -> None:
    summary.written.append(result.version)
    summary.cards[result.version] = len(document.items)
    summary.warnings += len(document.warnings)


def replay_versions(
    history: Iterable[HistoricalVersion],
    dataset: str,
    settings: Settings,
    *,
    runner: Runner = IN_PROCESS,
) -> ReplaySummary:
    """Replay historical versions (oldest first) into ``dataset``."""
    check_name(dataset, "dataset")
    # The dataset's lock for the whole replay: which versions are still to write is decided
    # once, at the start, so no other writer may add one meanwhile.
    with steps.run_locks(settings, [dataset], runner.note, state=False):
        return _replay_locked(history, dataset, settings, runner)


def parse_versions(chunk: list[HistoricalVersion], dataset: str) -> list[ReadmeDocument]:
    with fewer_collections():  # also in a worker process, which holds no run's locks
        return [parse_historical(version, dataset) for version in chunk]


_DOCUMENTS = TypeAdapter(list[ReadmeDocument])


def parse_versions_as_json(chunk: list[HistoricalVersion], dataset: str) -> bytes:
    """:func:`parse_versions` for a worker process: the documents as JSON, which
    pydantic-core writes and reads back in a fraction of what pickling models costs."""
    return _DOCUMENTS.dump_json(parse_versions(chunk, dataset))


def _documents(encoded: bytes) -> list[ReadmeDocument]:
    with fewer_collections():
        return _DOCUMENTS.validate_json(encoded)


def _parsed_chunks(
    pending: Iterator[HistoricalVersion], dataset: str, settings: Settings, runner: Runner
) -> Iterator[tuple[list[HistoricalVersion], list[ReadmeDocument]]]:
    """The pending versions chunk by chunk, with their documents. In-process, the next chunk
    is parsed in a worker process while this one is written (:mod:`pipeline.run.ahead`); a
    runner of tasks maps the parses itself."""
    chunks = iter(lambda: list(islice(pending, CHUNK)), [])
    if runner is IN_PROCESS:
        if not settings.replay_read_ahead or (os.cpu_count() or 1) < 2:
            return read_ahead(chunks, partial(parse_versions, dataset=dataset), worker=False)
        parsed = read_ahead(chunks, partial(parse_versions_as_json, dataset=dataset), worker=True)
        return ((chunk, _documents(encoded)) for chunk, encoded in parsed)
    return read_ahead(
        chunks, lambda chunk: runner.map(parse_historical, chunk, dataset), worker=False
    )


def _replay_locked(
    history: Iterable[HistoricalVersion], dataset: str, settings: Settings, runner: Runner
) -> ReplaySummary:
    summary = ReplaySummary(dataset)
    pending = pending_versions(history, settings.processed_dir, dataset, summary)
    for chunk, documents in _parsed_chunks(pending, dataset, settings, runner):
        for version, document in zip(chunk, documents, strict=True):
            # Written here, not as a task: a task run per version would cost more than the
            # write, and versions must land in commit order anyway.
            result = write_historical(version, document, dataset, settings)
            for note in result.notes:
                runner.note(note)
            record_write(summary, result, document)
            progress("replay", done=len(summary.written), note=version.name)
        runner.info(f"{dataset}: {len(summary.written)} versions written")
    return summary


def replay(
    location: Path,
    dataset: str,
    settings: Settings,
    *,
    file_path: str = "README.md",
    limit: int | None = None,
    runner: Runner = IN_PROCESS,
) -> ReplaySummary:
    """Replay the history at ``location`` (tarball, folder or git repo) into ``dataset``."""
    if not location.exists():
        raise PipelineError(f"{location}: no such archive, folder or git repository")
    history = islice(read_history(location, file_path), limit)
    return replay_versions(history, dataset, settings, runner=runner)
