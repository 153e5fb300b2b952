"""One-off ingestion of a README: ``paper-pipeline ingest-readme URL|PATH [--name] [--add]``.

The steps are plain functions, so the Prefect flow (:mod:`flows.ingest_readme`) wraps them one
by one and :func:`ingest_readme` chains them without Prefect:

1. :func:`prepare_readme`: fetch the URL (GitHub repository and blob URLs give the raw README)
   or read the file, find a paper list in it, and keep its bytes in ``raw/<name>/``. A document
   without a paper list is refused with one line saying what it holds, before anything is
   written: never an empty dataset.
2. :func:`load_bundle`: parse the kept snapshot (the same reading a refresh makes).
3. :func:`enrich_bundle`: link the README's cards to papers and ask arXiv about them.
4. :func:`write_dataset`: the README's own versioned dataset under ``processed/<name>/``.

:func:`add_source` appends the README to ``sources.toml`` so that later refreshes include it.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pipeline.core.errors import PipelineError
from pipeline.core.files import write_atomic
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport
from pipeline.models import ReadmeDocument, Source, SourceFormat, SourceKind
from pipeline.parse.detect import detect_format, parse_document
from pipeline.parse.readme.paper_list import describe_markdown
from pipeline.run.refresh import (
    PAPERS_DATASET,
    SourceBundle,
    apply_enrichment,
    build_version,
    enrich,
    link_bundles,
    parse_snapshot,
)
from pipeline.sources.config import Snapshot, decode_document, load_sources, sha256_bytes
from pipeline.sources.fetch import FetchResult, fetch, resolve_source_url
from pipeline.sources.snapshots import latest_snapshot, snapshot_format, store_snapshot
from pipeline.store.versions import WriteResult, write_version

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_GENERIC_STEMS = frozenset({"readme", "index", "list", "papers"})
_SUFFIX_FORMATS = {
    ".md": SourceFormat.markdown,
    ".markdown": SourceFormat.markdown,
    ".html": SourceFormat.html,
    ".htm": SourceFormat.html,
    ".txt": SourceFormat.text,
}
# What a local file is stored as: the snapshot store takes a snapshot's format from its type.
_MEDIA_TYPES = {
    SourceFormat.markdown: "text/markdown",
    SourceFormat.html: "text/html",
    SourceFormat.text: "text/plain",
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PreparedReadme:
    """A README recognised as a paper list and kept in raw/: what the later steps start from.

    ``source`` is the README as a sources.toml entry: its snapshot (relative to raw/) and the
    format whose reading found the cards.
    """

    source: Source
    snapshot_path: Path
    sha256: str
    cards: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnrichedReadme:
    bundle: SourceBundle
    report: EnrichmentReport


@dataclass(frozen=True)
class IngestResult:
    """What one ingestion wrote, for the person who started it."""

    source: Source
    snapshot_path: Path
    write: WriteResult
    cards: int
    warnings: int
    enrichment: dict[str, int]
    notes: list[str] = field(default_factory=list)
    added_to: Path | None = None  # the sources file the README was added to, if any


# --------------------------------------------------------------------------- names


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _is_url(target: str) -> bool:
    return urlsplit(target).scheme.lower() in ("http", "https")


def _local_path(target: str) -> Path:
    """A PATH or file:// URL as a path; any other scheme is refused."""
    parts = urlsplit(target)
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    # 'C:\\x' has a one-letter "scheme": a drive, not a URL.
    if len(parts.scheme) > 1 and "://" in target:
        raise PipelineError(f"{target}: give an http(s) URL or a local path")
    return Path(target)


def default_name(target: str) -> str:
    """The dataset name a target gets without --name: 'owner-repo' for a GitHub README, else
    the file's name, or its folder's when the file is a generic 'README.md'."""
    if _is_url(target):
        fetch_url = resolve_source_url(target).fetch_url
        parts = urlsplit(fetch_url)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if parts.hostname == "raw.githubusercontent.com" and len(segments) >= 2:
            return _slug(f"{segments[0]}-{segments[1]}") or "readme"
        stems = [PurePosixPath(segment).stem for segment in segments]
        while stems and stems[-1].lower() in _GENERIC_STEMS:
            stems.pop()
        return _slug(stems[-1] if stems else parts.hostname or "") or "readme"
    path = _local_path(target).resolve()
    stem = path.stem
    if stem.lower() in _GENERIC_STEMS and _slug(path.parent.name):
        stem = path.parent.name
    return _slug(stem) or "readme"


def dataset_name(target: str, name: str | None = None) -> str:
    """The dataset (and source id) a README is ingested as: ``name``, else from the target."""
    chosen = default_name(target) if name is None else name
    if not _SLUG.match(chosen):
        raise PipelineError(
            f"--name {chosen!r}: use lower-case letters, digits and '-' (it names the dataset)"
        )
    if chosen == PAPERS_DATASET:
        # processed/papers/ is every source's linked papers; a README must not replace it.
        raise PipelineError(f"--name {chosen!r} is the linked papers dataset; choose another")
    return chosen


# --------------------------------------------------------------------------- step 1: prepare


@dataclass(frozen=True)
class _Body:
    """A README's bytes and where they came from, before they are recognised and kept."""

    label: str  # how messages name it: the URL or the path as given
    url: str
    data: bytes
    declared: SourceFormat | None  # from the Content-Type, the URL or the file's suffix
    to_store: FetchResult | None = None  # None: already in raw/ (kept_path)
    kept_path: Path | None = None
    note: str | None = None


def _fetch_body(target: str, source_id: str, settings: Settings) -> _Body:
    """GET the URL politely; a conditional GET when raw/ has an earlier snapshot of it, which
    also serves (with a note) when the fetch fails."""
    probe = Source(id=source_id, kind=SourceKind.readme, url=target)
    previous = latest_snapshot(settings.raw_dir, probe, url=target)
    result = fetch(target, settings, previous=previous[1] if previous else None)
    if result.status == "fetched" and result.body is not None:
        # Without a Content-Type or suffix that names a format, the text decides (below).
        declared = snapshot_format(probe, result)
        return _Body(target, target, result.body, declared, to_store=result)
    if previous is not None:
        path, meta = previous
        note = None
        if result.status != "not_modified":
            note = f"{source_id}: fetch failed ({result.error}); using the last snapshot {path}"
        return _Body(target, target, path.read_bytes(), meta.format, kept_path=path, note=note)
    if settings.offline:
        raise PipelineError(f"cannot fetch {target}: PIPELINE_OFFLINE is set (give a local path)")
    raise PipelineError(f"cannot fetch {target}: {result.error}")


def _read_body(target: str) -> _Body:
    path = _local_path(target)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"{target}: {exc.strerror or exc}") from None
    url = path.resolve().as_uri()
    now = datetime.now(UTC)
    # The file is kept in raw/ like a fetched page, so the dataset's inputs (and a source
    # added with --add) are found there; the type is filled in once the format is known.
    stored = FetchResult(
        status="fetched",
        url=url,
        fetch_url=url,
        final_url=url,
        fetched_at=now,
        body=data,
    )
    declared = _SUFFIX_FORMATS.get(path.suffix.lower())
    return _Body(target, url, data, declared, to_store=stored)


def _candidate_formats(declared: SourceFormat | None, text: str) -> list[SourceFormat]:
    """The readings to try, most likely first.

    A declared markdown or HTML document is read as such. Text (a text/plain answer, a .txt
    file, no hint) is read as its content looks, then as markdown and as page text: a table
    of papers without a heading looks like plain text to the format detection.
    """
    first: SourceFormat = (
        declared if declared in (SourceFormat.markdown, SourceFormat.html) else detect_format(text)
    )
    if first is SourceFormat.html:
        return [first]
    return [first, *(fmt for fmt in (SourceFormat.markdown, SourceFormat.text) if fmt != first)]


def recognise(
    text: str, source: Source, declared: SourceFormat | None, label: str
) -> tuple[ReadmeDocument, SourceFormat]:
    """The first reading that finds paper cards, or one line saying what the text holds."""
    tried = _candidate_formats(declared, text)
    reasons: dict[SourceFormat, str] = {}
    for fmt in tried:
        document = parse_document(text, source.model_copy(update={"format": fmt}), fmt)
        if isinstance(document, ReadmeDocument):
            if document.items:
                return document, fmt
            overall = [w.message for w in document.warnings if w.line is None]
            reasons[fmt] = overall[-1].removeprefix("no paper cards found: ") if overall else ""
    if SourceFormat.markdown not in tried:  # HTML: the page-text reading is all there is
        raise PipelineError(
            f"{label}: no paper list recognised: an HTML page "
            f"({reasons.get(tried[0]) or 'no cards in its text'})"
        )
    seen = describe_markdown(text)
    if tried[0] is SourceFormat.text and reasons.get(SourceFormat.text):
        seen += f" (as page text: {reasons[SourceFormat.text]})"
    raise PipelineError(f"{label}: no paper list recognised: {seen}")


def prepare_readme(target: str, settings: Settings, *, name: str | None = None) -> PreparedReadme:
    """Fetch or read a README, recognise its paper list and keep its bytes in raw/.

    Raises a one-line PipelineError for a failed fetch, an empty or binary file, or a document
    without a paper list; nothing is written to raw/ then.
    """
    source_id = dataset_name(target, name)
    body = _fetch_body(target, source_id, settings) if _is_url(target) else _read_body(target)
    text = decode_document(body.data, body.label)
    source = Source(id=source_id, kind=SourceKind.readme, url=body.url)
    document, fmt = recognise(text, source, body.declared, body.label)
    source = source.model_copy(update={"format": fmt, "title": document.title})
    notes = [body.note] if body.note else []
    if body.to_store is not None:
        result = body.to_store
        if not _is_url(target):
            result = replace(result, content_type=_MEDIA_TYPES[fmt])
        stored = store_snapshot(settings.raw_dir, source, result)
        path, digest, kept_as = stored.path, stored.sha256, stored.meta.format
    else:
        assert body.kept_path is not None and body.declared is not None  # see _fetch_body
        path, digest, kept_as = body.kept_path, sha256_bytes(body.data), body.declared
    if kept_as is not fmt:
        # The store names a snapshot's format from its Content-Type and URL, and a refresh
        # reads it that way; say so rather than let a later refresh surprise.
        notes.append(
            f"{source_id}: the snapshot is kept as {kept_as.value} (from its type and name) "
            f"but reads as {fmt.value}; a refresh would read it as {kept_as.value}"
        )
    source = source.model_copy(update={"snapshot": _relative(path, settings.raw_dir)})
    return PreparedReadme(
        source=source,
        snapshot_path=path,
        sha256=digest,
        cards=len(document.items),
        notes=tuple(notes),
    )


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return path.resolve().relative_to(raw_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- steps 2-4


def load_bundle(prepared: PreparedReadme) -> SourceBundle:
    """The kept snapshot, parsed as a refresh would parse it."""
    data = prepared.snapshot_path.read_bytes()
    snapshot = Snapshot(
        source=prepared.source,
        path=prepared.snapshot_path,
        text=decode_document(data, str(prepared.snapshot_path)),
        sha256=sha256_bytes(data),
        format=prepared.source.format,
        note="; ".join(prepared.notes) or None,
    )
    return parse_snapshot(snapshot)


def enrich_bundle(
    bundle: SourceBundle, settings: Settings, *, refresh: bool = False
) -> EnrichedReadme:
    """arXiv metadata for the README's papers: linked first, so a paper listed twice (same
    arXiv id or title) is asked about once and both cards carry the same answer."""
    link = link_bundles([bundle])
    report = enrich(link, settings, refresh=refresh)
    return EnrichedReadme(apply_enrichment(bundle, link, report), report)


def write_dataset(bundle: SourceBundle, settings: Settings) -> WriteResult:
    """The README's own dataset version (the papers dataset is the refresh's, left alone)."""
    return write_version(settings.processed_dir, build_version(bundle, settings.raw_dir))


def summarise(
    prepared: PreparedReadme,
    enriched: EnrichedReadme,
    written: WriteResult,
    added_to: Path | None = None,
) -> IngestResult:
    counts = enriched.report.status_counts()
    return IngestResult(
        source=prepared.source,
        snapshot_path=prepared.snapshot_path,
        write=written,
        cards=len(enriched.bundle.document.items),
        warnings=len(enriched.bundle.document.warnings),
        enrichment={status.value: n for status, n in sorted(counts.items())},
        notes=[*prepared.notes, *enriched.report.warnings],
        added_to=added_to,
    )


def ingest_readme(target: str, settings: Settings, *, name: str | None = None) -> IngestResult:
    """Fetch or read a README, parse, link, enrich and write its own dataset (no Prefect)."""
    prepared = prepare_readme(target, settings, name=name)
    enriched = enrich_bundle(load_bundle(prepared), settings)
    return summarise(prepared, enriched, write_dataset(enriched.bundle, settings))


# --------------------------------------------------------------------------- sources.toml


def check_new_source(sources_file: Path, source_id: str) -> None:
    """Refuse, in one line, an id sources.toml already has (before any work is done)."""
    if sources_file.exists() and any(s.id == source_id for s in load_sources(sources_file)):
        raise PipelineError(
            f"{sources_file}: a source with id {source_id!r} is already there; "
            "choose another --name"
        )


def _toml_value(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()  # a TOML local date, as the hand-written entries have
    # JSON's escapes (\" \\ \n \uXXXX) are TOML's; DEL is the one control JSON leaves raw.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def source_table(source: Source) -> str:
    """A [[source]] table for sources.toml, fields in the model's order."""
    lines = ["[[source]]"]
    for key, value in source.model_dump(exclude_none=True).items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def add_source(sources_file: Path, source: Source) -> None:
    """Append a [[source]] table to sources.toml as text (its comments and layout stay).

    The new text is checked with the same loader a refresh uses before it replaces the file,
    so a failed append never leaves a broken sources.toml.
    """
    check_new_source(sources_file, source.id)
    try:
        before = sources_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    except OSError as exc:
        raise PipelineError(f"{sources_file}: {exc.strerror or exc}") from None
    separator = "" if not before else "\n" if before.endswith("\n") else "\n\n"
    after = f"{before}{separator}{source_table(source)}"
    # sources.toml keeps the permissions it had; the new text must load before it replaces.
    mode = stat.S_IMODE(sources_file.stat().st_mode) if sources_file.exists() else None
    write_atomic(sources_file, after.encode("utf-8"), mode=mode, check=load_sources)
