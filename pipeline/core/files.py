"""Atomic writes: a reader sees the old file or the new one, never half of either.

Every file the pipeline writes goes through here: snapshots in raw/, dataset versions and
LATEST in processed/, compacted versions, sources.toml. Files and folders are created with
the modes the user's umask gives (0644 / 0755 under umask 022), so a dashboard running as
another user can read them; temporary names are unique per writer and start with '.', so
globbing a folder never picks one up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO

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


def write_files(
    folder: Path, files: dict[str, bytes], *, then_replace: dict[Path, bytes] | None = None
) -> list[tuple[Path, Path]]:
    """Fill a staging folder and make it durable before :func:`publish_folder` renames it:
    every file is written first, then all of them and the folder's names are flushed to
    disk at once (:func:`make_durable`).

    ``then_replace``: files outside to replace once the folder is published (a dataset's
    LATEST). Their temporaries are written and flushed in the same go; the caller hands the
    (temporary, target) pairs returned to :func:`finish_replacing`, or removes them.
    """
    handles: list[BinaryIO] = []
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            opened: BinaryIO = open(folder / name, "wb")  # noqa: SIM115  (closed below)
            handles.append(opened)
            opened.write(data)
            opened.flush()
        for path, data in (then_replace or {}).items():
            temps.append(_temporary(path, data, path.parent, None, handles))
        make_durable([handle.fileno() for handle in handles], [folder])
    except BaseException:
        discard(temps)
        raise
    finally:
        for handle in handles:
            handle.close()
    return temps


def _temporary(
    path: Path, data: bytes, folder: Path, mode: int | None, handles: list[BinaryIO]
) -> tuple[Path, Path]:
    """A new temporary in ``folder`` holding ``data``, open in ``handles`` (not yet flushed
    to disk), to replace ``path``."""
    descriptor, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        os.fchmod(descriptor, file_mode() if mode is None else mode)
        handle = os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        Path(temp).unlink(missing_ok=True)
        raise
    handles.append(handle)
    handle.write(data)
    handle.flush()
    return Path(temp), path


def finish_replacing(temps: list[tuple[Path, Path]]) -> None:
    """Rename flushed temporaries over their targets, then make the renames durable."""
    for temp, path in temps:
        os.replace(temp, path)
    for folder in dict.fromkeys(path.parent for _, path in temps):
        sync_folder(folder)


def discard(temps: list[tuple[Path, Path]]) -> None:
    for temp, _ in temps:
        temp.unlink(missing_ok=True)


@cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2), when the C library has it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def make_durable(files: Sequence[int], folders: Sequence[Path]) -> None:
    """Flush open ``files`` (descriptors) and the names in ``folders`` to disk.

    On Linux one syncfs(2) of their file system does it all: a version's seven files and its
    folder cost one journal commit and one cache flush instead of eight (it reports write
    errors since Linux 5.8). Elsewhere, or when syncfs fails to start, each is fsynced.
    """
    syncfs = _syncfs()
    anchor = files[0] if files else None
    opened = None
    if syncfs is not None:
        if anchor is None and folders:
            try:
                anchor = opened = os.open(folders[0], os.O_RDONLY)
            except OSError:
                anchor = None
        try:
            if anchor is not None:
                if syncfs(anchor) == 0:
                    return
                error = ctypes.get_errno()
                if error not in (0, errno.ENOSYS):  # no syncfs in this kernel: fsync each
                    raise OSError(error, os.strerror(error))
        finally:
            if opened is not None:
                os.close(opened)
    for descriptor in files:
        os.fsync(descriptor)
    for folder in folders:
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
    replace_atomic({path: data}, mode=mode, check=check, temp_dir=temp_dir)


def replace_atomic(
    files: dict[Path, bytes],
    *,
    mode: int | None = None,
    check: Callable[[Path], object] | None = None,
    temp_dir: Path | None = None,
) -> None:
    """:func:`write_atomic` for several files at once: every temporary is written, all are
    flushed to disk together, then each is renamed into place. A
    kill leaves each target old or new, never half written. The renames themselves are
    not flushed here (a caller that needs them on disk syncs their folders)."""
    temps: list[tuple[Path, Path]] = []
    handles: list[BinaryIO] = []
    try:
        try:
            for path, data in files.items():
                folder = path.parent if temp_dir is None else temp_dir
                temps.append(_temporary(path, data, folder, mode, handles))
            make_durable([handle.fileno() for handle in handles], [])
        finally:
            for handle in handles:
                handle.close()
        if check is not None:
            for temp, _ in temps:
                check(temp)
        for temp, path in temps:
            os.replace(temp, path)
    except BaseException:
        discard(temps)
        raise


def staging_folder(parent: Path, prefix: str = TEMP_PREFIX) -> Path:
    """A new, uniquely named folder in ``parent`` to fill before :func:`publish_folder`."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, folder_mode())
    return folder


def publish_folder(staging: Path, target: Path, *, durable: bool = True) -> None:
    """Rename a filled staging folder into place and make the rename durable (``durable``
    False: the caller's next atomic write in that folder flushes it, ``also_durable``)."""
    os.rename(staging, target)
    if durable:
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
