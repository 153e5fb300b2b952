"""The snapshot store: every fetched body kept in raw/, named by its content.

Layout: ``raw/<source_id>/<sha256[:16]>.<md|html|txt>`` with ``<same name>.meta.json``
beside it (a :class:`~pipeline.models.SnapshotMeta`). The same bytes fetched twice are one
file: the body never changes once written, and its metadata keeps ``captured_at`` (first
fetch of these bytes) while ``fetched_at`` moves to the latest one, so "the newest snapshot"
is right even when a page goes back to an earlier version. Every write is a temporary file
then a rename (:func:`pipeline.core.files.write_atomic`), so a reader never sees half a file.

:func:`refresh_snapshot` is the one call a run makes per source: fetch, store, and when the
fetch fails fall back to the last good snapshot, then to the embedded default of sources.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError

from pipeline.core.errors import InputError, SourceConfigError
from pipeline.core.files import MAX_INPUT_BYTES, read_capped, remove_temporaries, write_atomic
from pipeline.core.ids import sha256_bytes
from pipeline.core.settings import Settings
from pipeline.models import Record, SnapshotMeta, Source, SourceFormat
from pipeline.parse.detect import detect_format
from pipeline.sources.decode import charset_of, decode_bytes, decode_document
from pipeline.sources.fetch import FetchResult, RobotsCache, Sleep, fetch

META_SUFFIX = ".meta.json"

EXTENSIONS = {
    SourceFormat.markdown: "md",
    SourceFormat.html: "html",
    SourceFormat.text: "txt",
    SourceFormat.json: "json",
}
SUFFIX_FORMATS = {
    ".json": SourceFormat.json,
    ".md": SourceFormat.markdown,
    ".markdown": SourceFormat.markdown,
    ".html": SourceFormat.html,
    ".htm": SourceFormat.html,
    ".txt": SourceFormat.text,
}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_MARKDOWN_TYPES = {"text/markdown", "text/x-markdown"}
_JSON_TYPES = {"application/json", "text/json"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# What a local file is kept as: the store takes a snapshot's format from its media type.
MEDIA_TYPES = {
    SourceFormat.markdown: "text/markdown",
    SourceFormat.html: "text/html",
    SourceFormat.text: "text/plain",
    SourceFormat.json: "application/json",
}

OutcomeStatus = Literal["fetched", "not_modified", "fallback", "embedded"]


@dataclass(frozen=True)
class Snapshot:
    """The bytes of one captured document, decoded, with where they came from."""

    source: Source
    path: Path
    text: str
    sha256: str
    format: SourceFormat | None = None  # of these bytes: a fetched page may differ from raw/
    note: str | None = None  # e.g. "fetch failed; using the embedded snapshot"
    # Further documents of the same source read this run, in the order they were followed
    # (a paginated feed's next pages, its abstracts sidecar); empty for one-document sources.
    continuations: tuple[Snapshot, ...] = ()
    fell_back: bool = False  # a fetch failed and an older snapshot serves


def read_snapshot_meta(path: Path) -> SnapshotMeta | None:
    """The metadata file kept beside a snapshot (``name.meta.json``), if there is one."""
    meta_path = path.with_name(path.name.rsplit(".", 1)[0] + META_SUFFIX)
    if not meta_path.is_file():
        return None
    try:
        return SnapshotMeta.model_validate_json(meta_path.read_bytes())
    except ValidationError as exc:
        raise SourceConfigError(f"{meta_path}: invalid snapshot metadata: {exc}") from None


@dataclass(frozen=True)
class StoredSnapshot:
    """A body in the store; ``created`` is False when the same bytes were already there."""

    path: Path
    meta_path: Path
    sha256: str
    meta: SnapshotMeta
    created: bool


@dataclass(frozen=True)
class SnapshotOutcome:
    """The snapshot a run should parse for a source, and how it was obtained.

    ``note`` is one line for the person running the pipeline whenever the snapshot is not
    freshly fetched because something went wrong (a failed fetch, an unfetchable url).
    """

    path: Path
    sha256: str
    meta: SnapshotMeta | None
    status: OutcomeStatus
    note: str | None = None


class SourceCheck(Record):
    """state_dir/snapshots/<source_id>.json: when a source was last refreshed, and how.

    Kept out of raw/ so snapshot files stay immutable when a 304 says nothing changed.
    """

    source_id: str
    url: str
    checked_at: datetime
    status: OutcomeStatus
    http_status: int | None = None
    sha256: str | None = None
    path: str | None = None
    error: str | None = None


# --------------------------------------------------------------------------- writing


_PLAINLY_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|</[a-zA-Z][a-zA-Z0-9-]*\s*>")
_SNIFF_CHARS = 65536


def sniff_format(declared: SourceFormat, text: str) -> SourceFormat:
    """The declared format, unless the content plainly is another: a body served as HTML
    without a single tag is text (or markdown), and a full HTML document is HTML whatever its
    Content-Type says. A markdown README opening with ``<div>`` stays markdown."""
    head = text[:_SNIFF_CHARS]
    if declared is SourceFormat.html and not _ANY_TAG.search(head):
        return detect_format(text)
    if declared is not SourceFormat.html and _PLAINLY_HTML.match(head):
        return SourceFormat.html
    return declared


def snapshot_format(source: Source, result: FetchResult) -> SourceFormat:
    """The format of a fetched body: from its Content-Type, then the URL, then the source,
    corrected by what the body plainly is (:func:`sniff_format`).

    ``source.format`` describes the embedded snapshot (often a browser's page text), so it
    is the last resort: a fetched workshop page is HTML whatever the embedded copy is.
    """
    declared = _declared_format(source, result)
    if result.body is None:
        return declared
    try:
        text = decode_document(result.body, result.final_url, charset_of(result.content_type))
    except InputError:
        return declared
    return sniff_format(declared, text)


def _declared_format(source: Source, result: FetchResult) -> SourceFormat:
    media_type = (result.content_type or "").split(";")[0].strip().lower()
    if media_type in _HTML_TYPES:
        return SourceFormat.html
    if media_type in _MARKDOWN_TYPES:
        return SourceFormat.markdown
    if media_type in _JSON_TYPES:
        return SourceFormat.json
    for url in (result.final_url, result.fetch_url):
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        if suffix in SUFFIX_FORMATS:
            return SUFFIX_FORMATS[suffix]
    if media_type == "text/plain":
        return SourceFormat.text
    return source.format or SourceFormat.text


def _meta_path(body_path: Path) -> Path:
    return body_path.with_name(body_path.name.rsplit(".", 1)[0] + META_SUFFIX)


def store_snapshot(raw_dir: Path, source: Source, result: FetchResult) -> StoredSnapshot:
    """Keep a fetched body as raw/<source_id>/<sha256[:16]>.<ext> plus its metadata.

    The caller holds the state folder's lock (a refresh, an ingestion), so temporaries found
    in the source's folder are a killed run's, and go.
    """
    if result.status != "fetched" or result.body is None:
        raise ValueError(f"{source.id}: only a fetched body can be stored ({result.status})")
    body = result.body
    digest = sha256_bytes(body)
    fmt = snapshot_format(source, result)
    folder = raw_dir / source.id
    folder.mkdir(parents=True, exist_ok=True)
    remove_temporaries(folder)
    path = folder / f"{digest[:16]}.{EXTENSIONS[fmt]}"
    meta_path = _meta_path(path)
    # Compare bytes, not just the name: a 64-bit prefix collision or a damaged file must not
    # leave the store holding bytes its metadata does not describe.
    created = not path.is_file() or path.read_bytes() != body
    if created:
        write_atomic(path, body)
    earlier = None if created else _read_meta(meta_path)
    meta = SnapshotMeta(
        source_id=source.id,
        url=source.url,
        kind=source.kind,
        format=fmt,
        sha256=digest,
        captured_at=(earlier.captured_at if earlier else None) or result.fetched_at,
        venue=source.venue,
        date=source.date,
        timezone=source.timezone,
        fetched_at=result.fetched_at,
        final_url=result.final_url,
        commit=result.commit,
        http_status=result.http_status,
        content_type=result.content_type,
        etag=result.etag,
        last_modified=result.last_modified,
    )
    write_atomic(meta_path, (meta.model_dump_json(indent=2) + "\n").encode())
    return StoredSnapshot(path, meta_path, digest, meta, created)


# --------------------------------------------------------------------------- reading


def _read_meta(meta_path: Path) -> SnapshotMeta | None:
    """A metadata file, or None when it is missing or unreadable (then it is not used)."""
    try:
        return SnapshotMeta.model_validate_json(meta_path.read_bytes())
    except (OSError, ValidationError):
        return None


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return _EPOCH
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def latest_snapshot(
    raw_dir: Path, source: Source, *, url: str | None = None
) -> tuple[Path, SnapshotMeta] | None:
    """The newest fetched snapshot of a source (by fetched_at, then name), if any.

    With ``url``, only snapshots fetched for that source url count. Entries whose metadata
    is unreadable or whose body is missing are skipped: the store must never stop a run.
    """
    folder = raw_dir / source.id
    if not folder.is_dir():
        return None
    found: list[tuple[datetime, str, Path, SnapshotMeta]] = []
    for meta_path in folder.glob(f"*{META_SUFFIX}"):
        meta = _read_meta(meta_path)
        if meta is None or meta.source_id != source.id or (url is not None and meta.url != url):
            continue
        stem = meta_path.name.removesuffix(META_SUFFIX)
        path = folder / f"{stem}.{EXTENSIONS[meta.format]}"
        if path.is_file():
            moment = _aware(meta.fetched_at or meta.captured_at)
            found.append((moment, path.name, path, meta))
    if not found:
        return None
    _, _, path, meta = max(found, key=lambda entry: (entry[0], entry[1]))
    return path, meta


def _embedded(source: Source, raw_dir: Path) -> tuple[Path, str, SnapshotMeta | None]:
    """The embedded default snapshot of sources.toml: its path, hash and metadata."""
    if source.snapshot is None:
        raise SourceConfigError(f"source {source.id!r} has no embedded snapshot to fall back on")
    path = raw_dir / source.snapshot
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceConfigError(f"source {source.id!r}: snapshot {path} not found") from None
    return path, sha256_bytes(data), read_snapshot_meta(path)


def _shown(path: Path, raw_dir: Path) -> str:
    """A snapshot path as a note shows it: raw/<...> when under raw_dir."""
    try:
        return f"{raw_dir.name}/{path.relative_to(raw_dir).as_posix()}"
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- refresh


def _is_fetchable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _record_check(
    settings: Settings,
    source: Source,
    outcome: SnapshotOutcome,
    result: FetchResult | None,
    error: str | None = None,
) -> None:
    folder = settings.state_dir / "snapshots"
    folder.mkdir(parents=True, exist_ok=True)
    check = SourceCheck(
        source_id=source.id,
        url=source.url,
        checked_at=result.fetched_at if result else datetime.now(UTC),
        status=outcome.status,
        http_status=result.http_status if result else None,
        sha256=outcome.sha256,
        path=str(outcome.path),
        error=error,
    )
    write_atomic(folder / f"{source.id}.json", (check.model_dump_json(indent=2) + "\n").encode())


def read_check(state_dir: Path, source_id: str) -> SourceCheck | None:
    """The last refresh recorded for a source, if any."""
    path = state_dir / "snapshots" / f"{source_id}.json"
    try:
        return SourceCheck.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


@dataclass(frozen=True)
class Retrieved:
    """A source's body for this run, before it is kept: fresh, or the last snapshot's.

    ``result`` is this run's fetch, if one was made. When its body is new (status
    'fetched') :func:`keep` stores it; otherwise ``path`` names the snapshot in raw/ that
    serves.
    """

    data: bytes
    status: OutcomeStatus
    format: SourceFormat | None
    result: FetchResult | None = None
    path: Path | None = None
    meta: SnapshotMeta | None = None
    note: str | None = None
    error: str | None = None  # why a fetch did not give a new body, if it did not

    @property
    def fetched(self) -> FetchResult | None:
        """The fetch whose new body is still to be kept, if any."""
        return self.result if self.status == "fetched" else None


def retrieve(
    source: Source,
    settings: Settings,
    *,
    embedded: bool = True,
    session: requests.Session | None = None,
    robots: RobotsCache | None = None,
    sleep: Sleep | None = None,
) -> Retrieved:
    """This run's body of a source: freshly fetched when the web allows, else the last good
    snapshot (the latest fetched one, then, with ``embedded``, sources.toml's default).

    A fetched body that cannot be read as text (empty, binary, not UTF-8) never replaces a
    good snapshot. Raises SourceConfigError when nothing at all can serve.
    """
    raw_dir = settings.raw_dir
    if not _is_fetchable(source.url):
        path, _, meta = _embedded(source, raw_dir)
        fmt = meta.format if meta else None
        return Retrieved(path.read_bytes(), "embedded", fmt, None, path, meta)
    # Only a snapshot of this very url may answer a conditional request: after the url in
    # sources.toml changes, an old Last-Modified could otherwise turn into a wrong 304.
    previous = latest_snapshot(raw_dir, source, url=source.url)
    result = fetch(
        source.url,
        settings,
        previous=previous[1] if previous else None,
        session=session,
        robots=robots,
        sleep=sleep,
        timeout=settings.fetch_timeout_seconds,
        deadline=settings.fetch_deadline_seconds,
    )
    error = result.error
    if result.status == "fetched" and result.body is not None:
        try:
            decode_document(result.body, result.final_url, charset_of(result.content_type))
        except InputError as exc:
            error = f"unusable body: {exc}"
        else:
            fmt = snapshot_format(source, result)
            return Retrieved(result.body, "fetched", fmt, result)
    elif result.status == "not_modified" and previous is not None:
        path, meta = previous
        return Retrieved(path.read_bytes(), "not_modified", meta.format, result, path, meta)
    elif result.status == "not_modified":  # fetch() only sends conditions it got from us
        error = "304 Not Modified but no snapshot to reuse"
    if previous is not None:
        path, meta = previous
        status: OutcomeStatus = "fallback"
        what = "last good snapshot"
    elif embedded:
        path, _, embedded_meta = _embedded(source, raw_dir)
        meta, status, what = embedded_meta, "embedded", "embedded snapshot"
    else:
        raise SourceConfigError(f"cannot fetch {source.url}: {error}")
    note = f"{source.id}: fetch failed ({error}); using {what} {_shown(path, raw_dir)}"
    fmt = meta.format if meta else None
    return Retrieved(path.read_bytes(), status, fmt, result, path, meta, note=note, error=error)


def keep(raw_dir: Path, source: Source, retrieved: Retrieved) -> SnapshotOutcome:
    """Store a fresh body in raw/ (a snapshot already there is left as it is)."""
    if retrieved.fetched is not None:
        stored = store_snapshot(raw_dir, source, retrieved.fetched)
        return SnapshotOutcome(stored.path, stored.sha256, stored.meta, retrieved.status)
    assert retrieved.path is not None  # see Retrieved
    digest = sha256_bytes(retrieved.data)
    return SnapshotOutcome(retrieved.path, digest, retrieved.meta, retrieved.status, retrieved.note)


def refresh_snapshot(
    source: Source,
    settings: Settings,
    *,
    embedded: bool = True,
    session: requests.Session | None = None,
    robots: RobotsCache | None = None,
    sleep: Sleep | None = None,
) -> SnapshotOutcome:
    """The snapshot to use for a source this run, fetching a new one when the web allows.

    'fetched': a new body, stored. 'not_modified': the server said the last fetched snapshot
    is current. 'fallback': the fetch failed; the last fetched snapshot serves. 'embedded':
    the fetch failed (or the url is not http) and nothing was fetched before; the default
    snapshot of sources.toml serves. Raises SourceConfigError only when there is nothing at all.
    """
    retrieved = retrieve(
        source, settings, embedded=embedded, session=session, robots=robots, sleep=sleep
    )
    outcome = keep(settings.raw_dir, source, retrieved)
    _record_check(settings, source, outcome, retrieved.result, retrieved.error)
    return outcome


def load_snapshot(source: Source, settings: Settings, *, embedded: bool = True) -> Snapshot:
    """This run's snapshot of a source, decoded: the chain's first step for every source.

    ``embedded=False`` for documents sources.toml has no embedded copy of (a feed's later
    pages, a conference's workshops): when neither the web nor raw/ has them, the error
    says what could not be fetched.
    """
    outcome = refresh_snapshot(source, settings, embedded=embedded)
    data = read_capped(outcome.path)
    declared = charset_of(outcome.meta.content_type) if outcome.meta else None
    decoded = decode_bytes(data, _shown(outcome.path, settings.raw_dir), declared)
    notes = [note for note in (outcome.note, decoded.note) if note]
    return Snapshot(
        source=source,
        path=outcome.path,
        text=decoded.text,
        sha256=outcome.sha256,
        format=outcome.meta.format if outcome.meta else source.format,
        note="; ".join(notes) or None,
        fell_back=outcome.note is not None,
    )


def read_local(path: Path) -> tuple[bytes, FetchResult]:
    """A local file as if fetched (so it is kept in raw/ like a page); one line if unreadable
    or larger than the cap."""
    data = read_capped(path, MAX_INPUT_BYTES)
    url = path.resolve().as_uri()
    fetched = FetchResult(
        status="fetched",
        url=url,
        fetch_url=url,
        final_url=url,
        fetched_at=datetime.now(UTC),
        body=data,
    )
    return data, fetched
