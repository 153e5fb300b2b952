"""sources.toml and the snapshots in raw/: the input end of the pipeline."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.core.errors import InputError, SourceConfigError
from pipeline.models import SnapshotMeta, Source, SourceFormat

META_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Snapshot:
    """The bytes of one captured document, decoded, with where they came from."""

    source: Source
    path: Path
    text: str
    sha256: str
    format: SourceFormat | None = None  # of these bytes: a fetched page may differ from raw/
    note: str | None = None  # e.g. "fetch failed; using the embedded snapshot"


def load_sources(path: Path) -> list[Source]:
    """The sources listed in sources.toml, validated; ids must be unique."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"{path}: no such sources file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourceConfigError(f"{path}: 'source' must be an array of tables ([[source]])")
    sources: list[Source] = []
    for index, entry in enumerate(entries, start=1):
        try:
            sources.append(Source.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SourceConfigError(f"{path}: source #{index}: {where}: {first['msg']}") from None
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourceConfigError(f"{path}: source id {source.id!r} appears twice")
        seen.add(source.id)
    return sources


def decode_document(data: bytes, name: str) -> str:
    """Bytes as text, or a one-line InputError for empty or binary input."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: this is a binary file, not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_snapshot_meta(path: Path) -> SnapshotMeta | None:
    """The metadata file kept beside a snapshot (``name.meta.json``), if there is one."""
    meta_path = path.with_name(path.name.rsplit(".", 1)[0] + META_SUFFIX)
    if not meta_path.is_file():
        return None
    try:
        return SnapshotMeta.model_validate_json(meta_path.read_bytes())
    except ValidationError as exc:
        raise SourceConfigError(f"{meta_path}: invalid snapshot metadata: {exc}") from None
