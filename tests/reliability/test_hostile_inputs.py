"""Every generated hostile input through ``parse``, ``ingest-readme`` and ``refresh``: a
one-line error or a partial result with warnings, within 120 s (300 s for the heavy ones,
cut at 50,000 lines, which every later step then handles) and 1.5 GB each (see harness.py),
never a traceback or a hang. The whole corpus is slow; a representative quick
subset runs by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.corpus import CORPUS, QUICK, Hostile
from tests.reliability.harness import (
    HEAVY_TIME_BOUND,
    TIME_BOUND,
    assert_bounded,
    run_bounded,
    through_ingest,
    through_parse,
    through_refresh,
)

# One of each family: encodings, cuts, markdown and HTML nesting, links, binary, caps.
DEFAULT = {
    "empty",
    "random-binary",
    "utf16-le-bom",
    "mixed-encodings",
    "readme-capture-cut-50pct",
    "workshop-capture-cut-30pct",
    "emphasis-run",
    "nested-list-10000",
    "html-nested-100000",
    "workshop-in-260-divs",
    "html-entity-bomb",
    "file-and-javascript-links",
}
PATHS = ["parse", "ingest-readme", "refresh"]


def write(hostile: Hostile, folder: Path) -> Path:
    path = folder / f"{hostile.name}{hostile.suffix}"
    path.write_bytes(hostile.make())
    return path


def run(hostile: Hostile, command: str, tmp_path: Path) -> None:
    path = write(hostile, tmp_path)
    work = tmp_path / "work"
    bound = HEAVY_TIME_BOUND if hostile.heavy else TIME_BOUND
    if command == "parse":
        outcome = run_bounded(through_parse, path, bound=bound)
    elif command == "ingest-readme":
        outcome = run_bounded(through_ingest, path, work, bound=bound)
    else:
        outcome = run_bounded(through_refresh, path, work, hostile.kind, bound=bound)
    assert_bounded(outcome, f"{command} {hostile.name}", bound)


def test_the_corpus_has_at_least_60_inputs_of_every_kind_named() -> None:
    assert len(CORPUS) >= 60
    assert len({hostile.name for hostile in CORPUS}) == len(CORPUS)
    assert {hostile.name for hostile in QUICK} >= DEFAULT


@pytest.mark.parametrize("command", PATHS)
@pytest.mark.parametrize("hostile", [h for h in CORPUS if h.name in DEFAULT], ids=lambda h: h.name)
def test_a_hostile_input_is_bounded(hostile: Hostile, command: str, tmp_path: Path) -> None:
    run(hostile, command, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("command", PATHS)
@pytest.mark.parametrize(
    "hostile", [h for h in CORPUS if h.name not in DEFAULT], ids=lambda h: h.name
)
def test_every_other_hostile_input_is_bounded(
    hostile: Hostile, command: str, tmp_path: Path
) -> None:
    run(hostile, command, tmp_path)


def test_a_workshop_wrapped_in_260_divs_keeps_its_items(tmp_path: Path) -> None:
    (deep,) = [h for h in CORPUS if h.name == "workshop-in-260-divs"]
    outcome = run_bounded(through_parse, write(deep, tmp_path))
    assert outcome.kind in {"ok", "partial"}
    assert int(outcome.lines[0].split()[0]) >= 50, outcome.describe()


def test_devices_and_huge_files_stop_at_the_cap_in_one_line(tmp_path: Path) -> None:
    outcome = run_bounded(through_parse, Path("/dev/zero"))
    assert outcome.kind == "error" and "limit" in outcome.lines[0], outcome.describe()
    assert outcome.peak_bytes < 256 * 1024 * 1024
