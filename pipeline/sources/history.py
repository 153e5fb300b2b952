"""A README's history as a sequence of dated versions: a tarball, a folder, or a git repo.

Tarballs and folders hold files named ``NNNN-<UTC time>-<commit>.md`` (e.g.
``0380-20250107T101500-ad1eb52.md``), as ../shared/corpus ships them; a git repository gives
every commit that touched the file. Versions come oldest first and are read one at a time,
so memory stays flat however long the history is.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import PipelineError

_NAME = re.compile(r"^(?P<seq>\d+)-(?P<time>\d{8}T\d{6})-(?P<commit>[0-9a-f]{4,40})\.[A-Za-z]+$")


@dataclass(frozen=True)
class HistoricalVersion:
    """One version of the file: when it was committed, by which commit, and its bytes."""

    name: str
    committed_at: datetime
    commit: str
    data: bytes


def _parse_name(name: str) -> tuple[int, datetime, str] | None:
    match = _NAME.match(Path(name).name)
    if match is None:
        return None
    when = datetime.strptime(match.group("time"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return int(match.group("seq")), when, match.group("commit")


def _from_tarball(path: Path) -> Iterator[HistoricalVersion]:
    # A compressed tar is one stream: reading members out of archive order would decompress
    # it again for every backward seek. Unpack once to a temporary folder, read in order.
    with tempfile.TemporaryDirectory(prefix="history-") as folder:
        with tarfile.open(path) as archive:
            archive.extractall(folder, filter="data")
        yield from _from_folder(Path(folder))


def _from_folder(path: Path) -> Iterator[HistoricalVersion]:
    files = [
        (parsed, entry)
        for entry in path.rglob("*")
        if entry.is_file() and (parsed := _parse_name(entry.name)) is not None
    ]
    if not files:
        raise PipelineError(f"{path}: no 'NNNN-<time>-<commit>.md' files")
    for (_, when, commit), entry in sorted(files, key=lambda e: (e[0][1], e[0][0])):
        yield HistoricalVersion(entry.name, when, commit, entry.read_bytes())


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True
        ).stdout
    except FileNotFoundError:
        raise PipelineError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PipelineError(f"git {args[0]}: {message[-1] if message else exc}") from None


def _from_git(repo: Path, file_path: str) -> Iterator[HistoricalVersion]:
    log = _git(repo, "log", "--reverse", "--format=%H %ct", "--", file_path).decode()
    commits = [line.split() for line in log.splitlines() if line.strip()]
    if not commits:
        raise PipelineError(f"{repo}: no commit touches {file_path}")
    for sequence, (sha, timestamp) in enumerate(commits, start=1):
        try:
            data = _git(repo, "show", f"{sha}:{file_path}")
        except PipelineError:
            continue  # the file was deleted in this commit
        when = datetime.fromtimestamp(int(timestamp), tz=UTC)
        yield HistoricalVersion(
            f"{sequence:04d}-{when:%Y%m%dT%H%M%S}-{sha[:7]}.md", when, sha[:7], data
        )


def read_history(location: Path, file_path: str = "README.md") -> Iterator[HistoricalVersion]:
    """The versions of a file, oldest first, from a tarball, a folder or a git repository."""
    if location.is_file():
        try:
            yield from _from_tarball(location)
        except tarfile.TarError as exc:
            raise PipelineError(f"{location}: not a readable archive: {exc}") from None
    elif (location / ".git").exists():
        yield from _from_git(location, file_path)
    elif location.is_dir():
        yield from _from_folder(location)
    else:
        raise PipelineError(f"{location}: no such archive, folder or git repository")
