"""A README's history as a sequence of dated versions: a tarball, a folder, or a git repo.

Tarballs and folders hold files named ``NNNN-<UTC time>-<commit>.md`` (e.g.
``0380-20250107T101500-ad1eb52.md``), as ../shared/corpus ships them; a git repository gives
every commit that touched the file. Versions come oldest first and are read one at a time,
so memory stays flat however long the history is: archive members are streamed (never
extracted to disk), and a member or file over :data:`MAX_VERSION_BYTES` is refused, in one
line, before any version is read.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.files import MAX_INPUT_BYTES, read_capped

MAX_VERSION_BYTES = MAX_INPUT_BYTES

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
    # Member data is read straight from the archive, one member at a time, never extracted
    # to disk, and in archive order, so the compressed stream is only read forwards (a
    # backward seek decompresses from the start again); a member that comes before its
    # turn in commit order waits in memory.
    with tarfile.open(path) as archive:
        members = [
            (parsed, member)
            for member in archive.getmembers()
            if member.isfile() and (parsed := _parse_name(member.name)) is not None
        ]
        if not members:
            raise PipelineError(f"{path}: no 'NNNN-<time>-<commit>.md' files")
        for _, member in members:
            if member.size > MAX_VERSION_BYTES:
                raise PipelineError(
                    f"{path}: {member.name} is {member.size} bytes, over the "
                    f"{MAX_VERSION_BYTES}-byte limit of one version; nothing replayed"
                )
        order = sorted(members, key=lambda entry: (entry[0][1], entry[0][0]))
        waiting: dict[str, bytes] = {}
        position = 0
        for _, member in members:
            handle = archive.extractfile(member)
            waiting[member.name] = handle.read(MAX_VERSION_BYTES + 1) if handle else b""
            while position < len(order) and order[position][1].name in waiting:
                (_, when, commit), due = order[position]
                data = waiting.pop(due.name)
                yield HistoricalVersion(Path(due.name).name, when, commit, data)
                position += 1


def _from_folder(path: Path) -> Iterator[HistoricalVersion]:
    files = [
        (parsed, entry)
        for entry in path.rglob("*")
        if entry.is_file() and (parsed := _parse_name(entry.name)) is not None
    ]
    if not files:
        raise PipelineError(f"{path}: no 'NNNN-<time>-<commit>.md' files")
    for (_, when, commit), entry in sorted(files, key=lambda e: (e[0][1], e[0][0])):
        yield HistoricalVersion(entry.name, when, commit, read_capped(entry, MAX_VERSION_BYTES))


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
        # The name keeps the short sha a tarball's names have; the version, the whole one.
        name = f"{sequence:04d}-{when:%Y%m%dT%H%M%S}-{sha[:7]}.md"
        yield HistoricalVersion(name, when, sha, data)


def read_history(location: Path, file_path: str = "README.md") -> Iterator[HistoricalVersion]:
    """The versions of a file, oldest first, from a tarball, a folder or a git repository."""
    if location.is_file():
        try:
            yield from _from_tarball(location)
        except (tarfile.TarError, EOFError, OSError) as exc:
            # lzma and gzip raise their own errors for a damaged stream
            raise PipelineError(f"{location}: not a readable archive: {exc}") from None
    elif (location / ".git").exists():
        yield from _from_git(location, file_path)
    elif location.is_dir():
        yield from _from_folder(location)
    else:
        raise PipelineError(f"{location}: no such archive, folder or git repository")
