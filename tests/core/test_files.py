"""core/files.py: atomic replacement, unique temporary names, modes from the umask."""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core import files as files_module
from pipeline.core.files import (
    finish_replacing,
    publish_folder,
    replace_atomic,
    staging_folder,
    write_atomic,
    write_files,
    write_new,
)


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_folders_take_the_users_umask(tmp_path: Path, umask_027: None) -> None:
    write_atomic(tmp_path / "LATEST", b"v1\n")
    staging = staging_folder(tmp_path)
    write_new(staging / "records.json", b"[]\n")
    publish_folder(staging, tmp_path / "v1")
    assert mode(tmp_path / "LATEST") == 0o640
    assert mode(tmp_path / "v1") == 0o750


def test_a_replacement_is_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "sources.toml"
    target.write_bytes(b"old")
    write_atomic(target, b"new", mode=0o600)
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["sources.toml"]


def test_a_failed_check_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "sources.toml"
    target.write_bytes(b"good")

    def refuse(candidate: Path) -> None:
        assert candidate.read_bytes() == b"broken" and candidate.name.startswith(".")
        raise ValueError("does not load")

    with pytest.raises(ValueError, match="does not load"):
        write_atomic(target, b"broken", check=refuse)
    assert target.read_bytes() == b"good"
    assert [path.name for path in tmp_path.iterdir()] == ["sources.toml"]


def test_two_writers_never_share_a_temporary_name(tmp_path: Path) -> None:
    seen: list[str] = []

    def remember(candidate: Path) -> None:
        seen.append(candidate.name)

    for _ in range(3):
        write_atomic(tmp_path / "DELTA_BASE", b"x", check=remember)
    assert len(set(seen)) == 3


def test_a_staged_folder_and_its_pointer_reach_the_disk_in_one_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []

    def syncfs(descriptor: int) -> int:
        flushed.append(descriptor)
        return 0

    monkeypatch.setattr(files_module, "_syncfs", lambda: syncfs)
    staging = staging_folder(tmp_path)
    temps = write_files(
        staging, {"a.json": b"[]\n", "b.json": b"{}\n"}, then_replace={tmp_path / "LATEST": b"v1\n"}
    )
    assert len(flushed) == 1
    assert not (tmp_path / "LATEST").exists()  # flushed, not yet visible
    publish_folder(staging, tmp_path / "v1", durable=False)
    finish_replacing(temps)
    assert (tmp_path / "LATEST").read_bytes() == b"v1\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["LATEST", "v1"]


def test_without_syncfs_every_file_and_the_folder_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(files_module, "_syncfs", lambda: None)
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    write_files(staging_folder(tmp_path), {"a.json": b"[]\n", "b.json": b"{}\n"})
    assert len(synced) == 3  # two files and their folder


def test_a_flush_that_fails_is_an_error_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(descriptor: int) -> int:
        ctypes.set_errno(errno.EIO)
        return -1

    monkeypatch.setattr(files_module, "_syncfs", lambda: failing)
    target = tmp_path / "LATEST"
    target.write_bytes(b"v1\n")
    with pytest.raises(OSError, match="Input/output error"):
        replace_atomic({target: b"v2\n", tmp_path / "other": b"x"})
    assert target.read_bytes() == b"v1\n"
    assert [path.name for path in tmp_path.iterdir()] == ["LATEST"]


def test_syncfs_is_found_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("syncfs(2) is Linux's")
    files_module._syncfs.cache_clear()
    assert files_module._syncfs() is not None
