"""History replay: one dataset version per historical README, dated with its commit time.

Each version carries changes.json against the one before, so the dataset is the list's
history as a time-travel dataset; older versions are kept compressed by the storage layer.
Replaying again writes only the versions not yet written (a resumed or extended history).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import InputError
from pipeline.models import InputFile, PaperCard, ParseWarning, ReadmeDocument
from pipeline.parse.readme.cards import parse_readme_markdown
from pipeline.sources.config import decode_document, sha256_bytes
from pipeline.sources.history import HistoricalVersion
from pipeline.store.versions import (
    MAIN_TABLE,
    DatasetVersion,
    Table,
    WriteResult,
    list_versions,
    read_manifest,
    write_version,
)


@dataclass
class ReplaySummary:
    dataset: str
    written: list[str] = field(default_factory=list)
    already_present: int = 0
    cards: dict[str, int] = field(default_factory=dict)  # version -> card count
    warnings: int = 0


def parse_historical(version: HistoricalVersion, dataset: str) -> ReadmeDocument:
    """The cards of one historical README; an unreadable one gives zero cards and a warning."""
    try:
        text = decode_document(version.data, version.name)
    except InputError as exc:
        return ReadmeDocument(warnings=[ParseWarning(line=None, message=str(exc))])
    return parse_readme_markdown(text, source_id=dataset)


def version_inputs(version: HistoricalVersion, dataset: str) -> list[InputFile]:
    return [InputFile(source_id=dataset, path=version.name, sha256=sha256_bytes(version.data))]


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


def record_write(summary: ReplaySummary, result: WriteResult, document: ReadmeDocument) -> None:
    summary.written.append(result.version)
    summary.cards[result.version] = len(document.items)
    summary.warnings += len(document.warnings)


def replay_history(
    history: Iterable[HistoricalVersion], dataset: str, processed_dir: Path
) -> ReplaySummary:
    """Replay in-process, one version at a time (flat memory)."""
    summary = ReplaySummary(dataset)
    for version in pending_versions(history, processed_dir, dataset, summary):
        document = parse_historical(version, dataset)
        result = write_version(processed_dir, historical_version(version, document, dataset))
        record_write(summary, result, document)
    return summary
