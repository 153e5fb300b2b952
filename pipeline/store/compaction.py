"""How versions that are no longer LATEST are kept: as reverse deltas, with keyframes.

A daily refresh or a replay of a list's history writes hundreds of versions that differ
little. When a version stops being LATEST, each of its large files is stored as a zstd delta
against the same file of the version after it (``records.json.zst``, that version's name in
``DELTA_BASE``); every ``KEYFRAME_EVERY``-th version is compressed on its own instead, so
reading any version decompresses at most that many deltas. A keyframe has no
``DELTA_BASE``: its ``.zst`` files are zstd alone (earlier releases kept keyframes as ``.xz``,
still read; in a delta version, a file the newer version lacks is ``.xz``). LATEST is
always plain JSON. :func:`read_version_file` gives the plain bytes of any version's file; the
manifest's sha256 are those of the plain bytes. Versions are never deleted by the pipeline:
a version's delta needs the version after it. A damaged compressed file is one line naming
that version and file; versions that do not depend on it still read. Temporaries are made
in the dataset's folder, never in a version's.
"""

from __future__ import annotations

import lzma
from pathlib import Path

import zstandard

from pipeline.core.errors import PipelineError
from pipeline.core.files import replace_atomic, sync_folder

XZ = ".xz"
ZSTD_DELTA = ".zst"
DELTA_BASE = "DELTA_BASE"
KEYFRAME_EVERY = 32
# Small files a person opens to see what a version is stay plain in every version.
KEEP_PLAIN = frozenset(
    {"manifest.json", "CHANGES.md", "warnings.json", "datapackage.json", DELTA_BASE}
)
# Measured on the seed list's history (730 KB tables): a delta takes 1.6 ms at level 3 and
# 7 ms at level 9, for 1.2 KB instead of 0.8 KB; a keyframe alone takes 8 ms at level 9,
# 127 KB (as small as xz -3, which takes 39 ms), 141 KB at level 3.
_DELTA_LEVEL = 3
_ALONE_LEVEL = 9


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


class DamagedFile(PipelineError):
    """A version's file cannot be read back; ``root`` names the damaged file itself (the
    version a chain of deltas stops at), however long the chain."""

    def __init__(self, message: str, root: str) -> None:
        super().__init__(message)
        self.root = root

    @classmethod
    def at(cls, message: str) -> DamagedFile:
        return cls(message, message)


def _shown(path: Path) -> str:
    return "/".join(path.parts[-3:])  # dataset/version/file


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
    except lzma.LZMAError as exc:
        raise DamagedFile.at(f"{_shown(path)}: damaged compressed file ({exc})") from None
    try:
        delta = path.with_name(path.name + ZSTD_DELTA).read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"{_shown(path)}: no such file in this version") from None
    try:
        base_version = (path.parent / DELTA_BASE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:  # a keyframe: compressed alone
        return _decompressed(path, delta, zstandard.ZstdDecompressor())
    if not base_version or "/" in base_version or base_version.startswith("."):
        raise PipelineError(f"{_shown(path)}: damaged {DELTA_BASE} {base_version!r}")
    try:
        base = read_version_file(path.parent.parent / base_version / path.name)
    except DamagedFile as exc:
        raise DamagedFile(f"{_shown(path)}: unreadable, it needs {exc.root}", exc.root) from None
    except PipelineError as exc:
        raise DamagedFile(f"{_shown(path)}: unreadable, it needs {exc}", str(exc)) from None
    return _decompressed(path, delta, zstandard.ZstdDecompressor(dict_data=_dictionary(base)))


def _decompressed(path: Path, data: bytes, decompressor: zstandard.ZstdDecompressor) -> bytes:
    try:
        return decompressor.decompress(data)
    except zstandard.ZstdError as exc:
        raise DamagedFile.at(f"{_shown(path)}: damaged compressed file ({exc})") from None


def compact_version(old: Path, newer: Path, *, keyframe: bool) -> None:
    """Store the large files of ``old`` as deltas against ``newer`` (or alone, if keyframe).

    Each file is written under a temporary name and renamed into place before the plain
    file is removed, so a reader always finds one form or the other.
    """
    entries = _compactable(old)
    packed: dict[Path, bytes] = {}
    if not keyframe:
        packed[old / DELTA_BASE] = newer.name.encode("utf-8")  # renamed before the deltas
    for entry in entries:
        data = entry.read_bytes()
        base_path = newer / entry.name
        if keyframe:  # zstd alone: as small as xz -3 here, five times faster
            alone = zstandard.ZstdCompressor(level=_ALONE_LEVEL, write_checksum=True)
            packed[old / (entry.name + ZSTD_DELTA)] = alone.compress(data)
        elif not base_path.is_file():  # a delta version's .zst are deltas: this one is xz
            packed[old / (entry.name + XZ)] = lzma.compress(data, preset=3)
        else:
            compressor = zstandard.ZstdCompressor(
                level=_DELTA_LEVEL,
                dict_data=_dictionary(base_path.read_bytes()),
                write_checksum=True,  # a flipped byte is an error, never silent garbage
            )
            packed[old / (entry.name + ZSTD_DELTA)] = compressor.compress(data)
    # Temporaries in the dataset folder, never inside a version; all flushed at once, and
    # the new names made durable before any plain file goes.
    replace_atomic(packed, temp_dir=old.parent)
    sync_folder(old)
    for entry in entries:
        entry.unlink()


def _compactable(version: Path) -> list[Path]:
    """The plain large files of a version: what compaction turns into deltas."""
    return [
        entry
        for entry in sorted(version.iterdir())
        if entry.is_file()
        and entry.name not in KEEP_PLAIN
        and not entry.name.startswith(".")
        and entry.suffix not in (XZ, ZSTD_DELTA)
    ]


def needs_compaction(version: Path) -> bool:
    """A version that stopped being LATEST but whose compaction did not finish (a kill)."""
    return bool(_compactable(version))
