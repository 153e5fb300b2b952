"""core/files.py: atomic replacement, unique temporary names, modes from the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.files import publish_folder, staging_folder, write_atomic, write_new


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
