"""How versions that are no longer LATEST are kept: as reverse deltas, with keyframes.

A daily refresh or a replay of a list's history writes hundreds of versions that differ
little. When a version stops being LATEST, each of its large files is stored as a zstd delta
against the same file of the version after it (``records.json.zst``, that version's name in
``DELTA_BASE``); every ``KEYFRAME_EVERY``-th version is xz-compressed on its own instead
(``records.json.xz``), so reading any version decompresses at most that many deltas. LATEST is
always plain JSON. :func:`read_version_file` gives the plain bytes of any version's file; the
manifest's sha256 are those of the plain bytes. Versions are never deleted by the pipeline:
a version's delta needs the version after it.
"""

from __future__ import annotations

import lzma
from pathlib import Path

import zstandard

from pipeline.core.errors import PipelineError
from pipeline.core.files import write_atomic

XZ = ".xz"
ZSTD_DELTA = ".zst"
DELTA_BASE = "DELTA_BASE"
KEYFRAME_EVERY = 32
# Small files a person opens to see what a version is stay plain in every version.
KEEP_PLAIN = frozenset(
    {"manifest.json", "CHANGES.md", "warnings.json", "datapackage.json", DELTA_BASE}
)
_ZSTD_LEVEL = 9  # ~30 ms for 800 KB against an 800 KB base; level 19 is 10x slower for 10%


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def read_version_file(path: Path) -> bytes:
    """The plain bytes of a version's file, whether kept plain, compressed or as a delta."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass  # an older version: compacted, or compacted since we looked
    try:
        return lzma.decompress(path.with_name(path.name + XZ).read_bytes())
    except FileNotFoundError:
        pass
    try:
        delta = path.with_name(path.name + ZSTD_DELTA).read_bytes()
        base_version = (path.parent / DELTA_BASE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise PipelineError(f"{path}: no such file in this version") from None
    base = read_version_file(path.parent.parent / base_version / path.name)
    return zstandard.ZstdDecompressor(dict_data=_dictionary(base)).decompress(delta)


def compact_version(old: Path, newer: Path, *, keyframe: bool) -> None:
    """Store the large files of ``old`` as deltas against ``newer`` (or alone, if keyframe).

    Each file is written under a temporary name and renamed into place before the plain
    file is removed, so a reader always finds one form or the other.
    """
    entries = [
        entry
        for entry in sorted(old.iterdir())
        if entry.is_file()
        and entry.name not in KEEP_PLAIN
        and not entry.name.startswith(".")
        and entry.suffix not in (XZ, ZSTD_DELTA)
    ]
    if not keyframe:
        write_atomic(old / DELTA_BASE, newer.name.encode("utf-8"))
    for entry in entries:
        data = entry.read_bytes()
        base_path = newer / entry.name
        if keyframe or not base_path.is_file():
            packed, suffix = lzma.compress(data, preset=3), XZ
        else:
            compressor = zstandard.ZstdCompressor(
                level=_ZSTD_LEVEL, dict_data=_dictionary(base_path.read_bytes())
            )
            packed, suffix = compressor.compress(data), ZSTD_DELTA
        write_atomic(old / (entry.name + suffix), packed)
        entry.unlink()
