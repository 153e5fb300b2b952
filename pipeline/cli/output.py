"""What the command line prints: rich tables for people, JSON for programs, progress bars.

Data goes to stdout (``--json`` makes it machine-readable); notes, progress and errors go to
stderr, so ``paper-pipeline versions papers --json | jq`` sees only data.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from threading import Lock
from typing import Any, ClassVar

from pydantic import BaseModel, SecretStr
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.core.progress import listening

# Not on a terminal (a pipe, a file, a CI log), tables are laid out wide so that each row
# stays one line that grep and tests can read.
_WIDTH = None if sys.stdout.isatty() else 240
out = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True)


def plain(value: Any) -> Any:
    """Any result (dataclass, record, path, date...) as JSON-ready data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, SecretStr):
        return str(value)  # masked: '**********'
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(("" if cell is None else str(cell)) for cell in row))
    out.print(table)


def note(message: str) -> None:
    err.print(f"note: {message}", markup=False, highlight=False)


class _Bars:
    """A rich progress display fed by :func:`pipeline.core.progress.progress`."""

    LABELS: ClassVar[dict[str, str]] = {
        "fetch": "fetching sources",
        "arXiv": "asking arXiv",
        "replay": "replaying",
    }

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}
        self.lock = Lock()

    def update(
        self, task: str, *, done: int | None = None, total: int | None = None, note: str = ""
    ) -> None:
        with self.lock:
            if task not in self.tasks:
                label = self.LABELS.get(task, task)
                self.tasks[task] = self.progress.add_task(label, total=total, note="")
            key = self.tasks[task]
            if done is None and total is None:
                self.progress.advance(key)
            self.progress.update(
                key,
                completed=done if done is not None else self.progress.tasks[key].completed,
                total=total if total is not None else self.progress.tasks[key].total,
                note=note,
            )


@contextmanager
def progress_bars(enabled: bool = True) -> Iterator[None]:
    """Progress bars on stderr while the body runs (only on a terminal)."""
    if not enabled or not err.is_terminal:
        yield
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=err, transient=True) as progress, listening(_Bars(progress)):
        yield
