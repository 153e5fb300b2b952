"""Run one input through one command path in a forked child, within a time and memory bound.

The child inherits the imported pipeline (no start-up cost) and reports its outcome through
a pipe; the parent samples its resident memory every 20 ms and kills it at the time bound.
An outcome is an ``error`` (one line, as the CLI prints it), ``partial`` (a result with
warnings or notes), ``ok``, or a ``crash`` (anything else: a traceback) or ``timeout``.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from pipeline.core.errors import PipelineError

TIME_BOUND = 120.0  # seconds per input and path, on a shared two-core machine
HEAVY_TIME_BOUND = 300.0  # for the inputs cut at the parse bounds (50,000 lines: every step)
MEMORY_BOUND = 1536 * 1024 * 1024  # resident bytes above the child's start


@dataclass(frozen=True)
class Outcome:
    kind: str  # error | partial | ok | crash | timeout
    lines: tuple[str, ...]
    seconds: float
    peak_bytes: int  # resident memory above the child's start

    def describe(self) -> str:
        shown = " / ".join(self.lines)[:300]
        return f"{self.kind} in {self.seconds:.1f} s, +{self.peak_bytes >> 20} MB: {shown}"


def _child(work: Callable[..., tuple[str, list[str]]], args: tuple[Any, ...], pipe: Any) -> None:
    try:
        kind, lines = work(*args)
    except BaseException:  # what the bound must catch: anything a user would see raw
        kind, lines = "crash", traceback.format_exc().splitlines()[-12:]
    pipe.send((kind, lines))
    pipe.close()
    os._exit(0)


def run_bounded(
    work: Callable[..., tuple[str, list[str]]], *args: Any, bound: float = TIME_BOUND
) -> Outcome:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, args, send))
    started = time.monotonic()
    process.start()
    send.close()
    watched = psutil.Process(process.pid)
    try:
        baseline = watched.memory_info().rss
    except psutil.Error:
        baseline = 0
    peak = baseline
    result: tuple[str, list[str]] | None = None
    while time.monotonic() - started < bound:
        if receive.poll(0.02):
            try:
                result = receive.recv()
            except EOFError:
                result = None
            break
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            break
        if peak - baseline > MEMORY_BOUND:
            break
    seconds = time.monotonic() - started
    if process.is_alive():
        process.kill()
    process.join(10)
    if result is None:
        kind = "timeout" if seconds >= bound else "crash"
        why = "memory bound passed" if peak - baseline > MEMORY_BOUND else "no outcome"
        return Outcome(kind, (why,), seconds, peak - baseline)
    return Outcome(result[0], tuple(result[1]), seconds, peak - baseline)


# --------------------------------------------------------------------------- the paths


def through_parse(path: Path) -> tuple[str, list[str]]:
    """``paper-pipeline parse PATH``, as the CLI runs it."""
    from pipeline.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["parse", str(path)])
    errors = [line for line in err.getvalue().splitlines() if not line.startswith("note: ")]
    if code == 2:
        return "error", errors
    if code != 0 or errors:
        return "crash", [f"exit {code}", *errors]
    import json

    document = json.loads(out.getvalue())
    warnings = [w["message"] for w in document["warnings"]]
    return ("partial" if warnings else "ok"), [f"{len(document['items'])} items", *warnings[:3]]


def _settings(folder: Path) -> Any:
    from tests.conftest import settings_for

    return settings_for(folder)


def through_ingest(path: Path, folder: Path) -> tuple[str, list[str]]:
    """``ingest-readme PATH`` without Prefect: the same chain, in process."""
    from pipeline.run.ingest_readme import ingest_readme

    try:
        result = ingest_readme(str(path), _settings(folder), name="hostile")
    except PipelineError as exc:
        return "error", [f"error: {exc}"]
    lines = [f"{result.cards} cards, {result.warnings} warnings", *result.notes[:3]]
    return ("partial" if result.warnings or result.notes else "ok"), lines


def through_refresh(path: Path, folder: Path, kind: str) -> tuple[str, list[str]]:
    """A refresh whose one source's snapshot is the input (offline: the snapshot serves)."""
    from pipeline.run.refresh import refresh

    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, raw / path.name)
    (folder / "sources.toml").write_text(
        "[[source]]\n"
        'id = "hostile"\n'
        f'kind = "{kind}"\n'
        'url = "https://example.org/hostile"\n'
        f'snapshot = "{path.name}"\n'
        'title = "Hostile"\nvenue = "ICML 2021"\ndate = 2021-07-24\n'
        'timezone = "America/Los_Angeles"\n',
        encoding="utf-8",
    )
    try:
        summary = refresh(_settings(folder))
    except PipelineError as exc:
        return "error", [f"error: {exc}"]
    written = [f"{r.dataset}: {r.status} {r.record_counts}" for r in summary.results]
    warnings = sum(summary.warnings.values())
    kind_of = "partial" if warnings or summary.notes or summary.skipped else "ok"
    return kind_of, [*written, f"{warnings} warnings", *summary.notes[:2]]


def assert_bounded(outcome: Outcome, label: str, bound: float = TIME_BOUND) -> None:
    """Never a traceback or a hang; an error is one line."""
    assert outcome.kind in {"error", "partial", "ok"}, f"{label}: {outcome.describe()}"
    if outcome.kind == "error":
        assert len(outcome.lines) == 1, f"{label}: {outcome.describe()}"
        assert outcome.lines[0].startswith("error: "), f"{label}: {outcome.describe()}"
        assert len(outcome.lines[0]) <= 410, f"{label}: {outcome.describe()}"
    assert outcome.seconds < bound and outcome.peak_bytes < MEMORY_BOUND, label
    print(f"{label}: {outcome.describe()}", file=sys.stderr)
