"""Atomic writes: a reader sees the old file or the new one, never half of either.

Every file the pipeline writes goes through here: snapshots in raw/, dataset versions and
LATEST in processed/, compacted versions, sources.toml. Files and folders are created with
the modes the user's umask gives (0644 / 0755 under umask 022), so a dashboard running as
another user can read them; temporary names are unique per writer and start with '.', so
globbing a folder never picks one up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.core.errors import PipelineError

# The largest document the pipeline reads, from disk or the web: a README or an event page
# is a few MB at most; a bigger input is a mistake (or /dev/zero), refused in one line.
MAX_INPUT_BYTES = 20 * 1024 * 1024
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".tmp"


def _read_umask() -> int:
    # /proc gives the umask without changing it; os.umask() would race other threads.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets under the user's umask (0o644 under 022)."""
    return 0o666 & ~_read_umask()


def folder_mode() -> int:
    """The mode a new folder gets under the user's umask (0o755 under 022)."""
    return 0o777 & ~_read_umask()


def read_capped(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """A local file's bytes, or a one-line PipelineError: unreadable, or over ``max_bytes``
    (a device such as /dev/zero stops at the cap instead of filling memory)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise PipelineError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise PipelineError(f"{path}: larger than the {max_bytes}-byte limit; not read")
    return data


def write_new(path: Path, data: bytes) -> None:
    """Write a file that nobody reads yet (inside a staging folder) and flush it to disk."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Fill a staging folder and make it durable before :func:`publish_folder` renames it.

    Every file is written first and flushed to disk after, so one journal commit carries
    them all rather than one commit per file; then the folder itself, so its names survive
    a power cut along with their contents.
    """
    handles = []
    try:
        for name, data in files.items():
            handle = open(folder / name, "wb")  # noqa: SIM115  (closed below, after fsync)
            handles.append(handle)
            handle.write(data)
            handle.flush()
        for handle in handles:
            os.fsync(handle.fileno())
    finally:
        for handle in handles:
            handle.close()
    sync_folder(folder)


def write_atomic(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    check: Callable[[Path], object] | None = None,
    temp_dir: Path | None = None,
) -> None:
    """Replace ``path`` with ``data`` through a unique temporary file in the same folder.

    ``mode`` defaults to the umask's; ``check`` is called on the temporary file before it
    replaces the old one (raise to keep the old one). ``temp_dir`` (same file system) holds
    the temporary instead: a published version's folder never holds one, even after a kill.
    """
    folder = path.parent if temp_dir is None else temp_dir
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, file_mode() if mode is None else mode)
        if check is not None:
            check(Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def staging_folder(parent: Path, prefix: str = TEMP_PREFIX) -> Path:
    """A new, uniquely named folder in ``parent`` to fill before :func:`publish_folder`."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, folder_mode())
    return folder


def publish_folder(staging: Path, target: Path) -> None:
    """Rename a filled staging folder into place and make the rename durable."""
    os.rename(staging, target)
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so the names created or renamed in it survive a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; the rename is still atomic
    finally:
        os.close(fd)


def temporaries(folder: Path) -> Iterator[Path]:
    """The temporary files and staging folders this module leaves in ``folder`` when a run
    is killed mid-write (names starting with '.', see write_atomic and staging_folder)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) or (
            entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)
        ):
            yield entry


def remove_temporaries(folder: Path) -> list[Path]:
    """Remove what a killed writer left in ``folder``; the caller holds the folder's lock,
    so no live writer owns them. Returns what was removed."""
    removed = []
    for entry in temporaries(folder):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed
