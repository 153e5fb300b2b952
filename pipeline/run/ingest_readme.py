"""The one-off ingestion chain: ``paper-pipeline ingest-readme URL|PATH [--name] [--add]``.

1. :func:`prepare_readme`: fetch the URL (GitHub repository and blob URLs give the raw README;
   the last snapshot serves when the fetch fails) or read the file, find a paper list in it
   (the same format choice a refresh makes, :func:`pipeline.parse.readme.read_readme`), and
   keep its bytes in ``raw/<name>/``. A document without a paper list is refused with one
   line saying what it holds, before anything is written: never an empty dataset.
2. parse, link, enrich and write with the steps every chain shares
   (:mod:`pipeline.run.steps`): the README's own versioned dataset under
   ``processed/<name>/``; the papers dataset is the refresh's, left alone.
3. with ``add``, append the README to ``sources.toml`` so that later refreshes include it.

Written once: :func:`ingest_readme` runs in-process by default; the Prefect flow
(:mod:`flows.ingest_readme`) passes its runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pipeline.core.errors import PipelineError
from pipeline.core.files import read_capped
from pipeline.core.ids import check_name, sha256_bytes, slugify
from pipeline.core.settings import Settings
from pipeline.kinds import SourceBundle
from pipeline.models import ReadmeDocument, Source, SourceFormat
from pipeline.parse.detect import detect_format
from pipeline.parse.readme import ReadmeReading, read_readme
from pipeline.parse.readme.paper_list import describe_markdown
from pipeline.run import steps
from pipeline.run.runner import IN_PROCESS, Runner
from pipeline.sources.config import add_source
from pipeline.sources.decode import decode_bytes, decode_document
from pipeline.sources.fetch import FetchResult, resolve_source_url
from pipeline.sources.snapshots import (
    MEDIA_TYPES,
    SUFFIX_FORMATS,
    Snapshot,
    read_local,
    retrieve,
    store_snapshot,
)
from pipeline.store.versions import WriteResult

_GENERIC_STEMS = frozenset({"readme", "index", "list", "papers"})


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
    fell_back: bool = False


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
    fell_back: bool = False  # the fetch failed and the last snapshot of the URL served


# --------------------------------------------------------------------------- names


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
            return slugify(f"{segments[0]}-{segments[1]}") or "readme"
        stems = [PurePosixPath(segment).stem for segment in segments]
        while stems and stems[-1].lower() in _GENERIC_STEMS:
            stems.pop()
        return slugify(stems[-1] if stems else parts.hostname or "") or "readme"
    path = _local_path(target).resolve()
    stem = path.stem
    if stem.lower() in _GENERIC_STEMS and slugify(path.parent.name):
        stem = path.parent.name
    return slugify(stem) or "readme"


def dataset_name(target: str, name: str | None = None) -> str:
    """The dataset (and source id) a README is ingested as: ``name``, else from the target."""
    if name is None:
        return check_name(default_name(target), f"the name taken from {target} (give --name)")
    return check_name(name, "--name")


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
    """The URL's body this run: fetched politely, else the last snapshot of that URL."""
    probe = Source(id=source_id, kind="readme", url=target)
    if settings.offline and not _has_snapshot(settings, probe):
        raise PipelineError(f"cannot fetch {target}: PIPELINE_OFFLINE is set (give a local path)")
    retrieved = retrieve(probe, settings, embedded=False)
    return _Body(
        target,
        target,
        retrieved.data,
        retrieved.format,
        to_store=retrieved.fetched,
        kept_path=retrieved.path,
        note=retrieved.note,
    )


def _has_snapshot(settings: Settings, source: Source) -> bool:
    from pipeline.sources.snapshots import latest_snapshot

    return latest_snapshot(settings.raw_dir, source, url=source.url) is not None


def _read_body(target: str) -> _Body:
    path = _local_path(target)
    data, fetched = read_local(path)
    return _Body(
        target, fetched.url, data, SUFFIX_FORMATS.get(path.suffix.lower()), to_store=fetched
    )


def _first_format(declared: SourceFormat | None, text: str) -> SourceFormat:
    """A declared markdown or HTML document is read as such first; text (a text/plain
    answer, a .txt file, no hint) as its content looks."""
    if declared in (SourceFormat.markdown, SourceFormat.html):
        return declared
    return detect_format(text)


def refusal(reading: ReadmeReading, text: str) -> str:
    """Why no reading found a paper list, in words: what the document holds."""
    reasons: dict[SourceFormat, str] = {}
    for fmt, document in reading.readings.items():
        overall = [w.message for w in document.warnings if w.line is None]
        reasons[fmt] = overall[-1].removeprefix("no paper cards found: ") if overall else ""
    tried = list(reading.readings)
    if SourceFormat.markdown not in tried:  # HTML: the page-text reading is all there is
        return f"an HTML page ({reasons.get(tried[0]) or 'no cards in its text'})"
    seen = describe_markdown(text)
    if tried[0] is SourceFormat.text and reasons.get(SourceFormat.text):
        seen += f" (as page text: {reasons[SourceFormat.text]})"
    return seen


def recognise(
    text: str, source: Source, declared: SourceFormat | None, label: str
) -> tuple[ReadmeDocument, SourceFormat]:
    """The reading that finds paper cards, or one line saying what the text holds."""
    reading = read_readme(text, source.id, _first_format(declared, text))
    if not reading.document.items:
        raise PipelineError(f"{label}: no paper list recognised: {refusal(reading, text)}")
    return reading.document, reading.format


def prepare_readme(target: str, settings: Settings, name: str | None = None) -> PreparedReadme:
    """Fetch or read a README, recognise its paper list and keep its bytes in raw/.

    Raises a one-line PipelineError for a failed fetch, an empty or binary file, or a document
    without a paper list; nothing is written to raw/ then.
    """
    source_id = dataset_name(target, name)
    body = _fetch_body(target, source_id, settings) if _is_url(target) else _read_body(target)
    decoded = decode_bytes(body.data, body.label)
    text = decoded.text
    source = Source(id=source_id, kind="readme", url=body.url)
    document, fmt = recognise(text, source, body.declared, body.label)
    source = source.model_copy(update={"format": fmt, "title": document.title})
    notes = [note for note in (body.note, decoded.note) if note]
    if body.to_store is not None:
        result = body.to_store
        if not _is_url(target):
            result = replace(result, content_type=MEDIA_TYPES[fmt])
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
        fell_back=body.note is not None,
    )


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return path.resolve().relative_to(raw_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def kept_snapshot(prepared: PreparedReadme) -> Snapshot:
    """The snapshot prepare_readme kept, as the parse step reads it."""
    data = read_capped(prepared.snapshot_path)
    return Snapshot(
        source=prepared.source,
        path=prepared.snapshot_path,
        text=decode_document(data, str(prepared.snapshot_path)),
        sha256=sha256_bytes(data),
        format=prepared.source.format,
        note="; ".join(prepared.notes) or None,
    )


# --------------------------------------------------------------------------- the chain


def ingest_readme(
    target: str,
    settings: Settings,
    *,
    name: str | None = None,
    add: bool = False,
    prepared: PreparedReadme | None = None,
    runner: Runner = IN_PROCESS,
) -> IngestResult:
    """Fetch or read a README, parse, link, enrich and write its own dataset; with ``add``,
    append it to sources.toml. ``prepared``: step 1 already done (the CLI does it before
    Prefect starts, so a refused document costs no server start)."""
    with steps.run_locks(settings, [], runner.note):
        if prepared is None:
            prepared = runner.call(prepare_readme, target, settings, name)
        # The dataset's lock once the README is recognised: a refused one leaves no trace.
        with steps.run_locks(settings, [prepared.source.id], runner.note, state=False):
            return _ingest(settings, add, prepared, runner)


def _ingest(
    settings: Settings, add: bool, prepared: PreparedReadme, runner: Runner
) -> IngestResult:
    bundle: SourceBundle = runner.call(steps.parse_snapshot, kept_snapshot(prepared))
    # Linked first, so a paper listed twice (same arXiv id or title) is asked about once
    # and both cards carry the same answer.
    link = runner.call(steps.link_bundles, [bundle])
    report = runner.call(steps.enrich, link, settings, False)
    enriched = steps.apply_enrichment(bundle, link, report)
    written = runner.call(steps.write, steps.source_version(enriched, settings.raw_dir), settings)
    added_to = None
    if add:
        runner.call(add_source, settings.sources_file, prepared.source)
        added_to = settings.sources_file
    notes = [*prepared.notes, *report.warnings, *written.notes]
    for note in notes:
        runner.note(note)
    runner.info(steps.describe(written))
    counts = report.status_counts()
    return IngestResult(
        source=prepared.source,
        snapshot_path=prepared.snapshot_path,
        write=written,
        cards=len(enriched.document.items),
        warnings=len(enriched.warnings),
        enrichment={status.value: n for status, n in sorted(counts.items())},
        notes=notes,
        added_to=added_to,
        fell_back=prepared.fell_back,
    )
