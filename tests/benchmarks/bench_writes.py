"""Version writes against a plain orjson write of the same records, in one run.

The records are the cards of README@ad1eb52 (../shared) or of the embedded README page
text. "plain" is what any writer must do at least: the records as JSON (orjson, indented)
into one file, flushed to disk. "version" is ``write_version`` of a new dataset (every
table, warnings, schema, changes, datapackage, manifest, atomically); "next version" adds
a changed card, so the version also diffs against the one before and compacts it.

    python tests/benchmarks/bench_writes.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from pipeline.models import PaperCard  # noqa: E402
from pipeline.parse.readme import read_readme  # noqa: E402
from pipeline.store.versions import MAIN_TABLE, DatasetVersion, Table, write_version  # noqa: E402
from tests.conftest import README_AD1EB52  # noqa: E402


def cards() -> list[PaperCard]:
    path = README_AD1EB52 if README_AD1EB52.exists() else PROJECT / "raw/003_67aa5497667b379c.txt"
    document = read_readme(path.read_text(encoding="utf-8"), "bench", None).document
    return [card for card in document.items if isinstance(card, PaperCard)]


def plain(records: list[PaperCard], folder: Path) -> None:
    data = orjson.dumps(
        [record.model_dump(mode="json") for record in records],
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
    )
    with open(folder / "records.json", "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def version(records: list[PaperCard]) -> DatasetVersion:
    return DatasetVersion(
        dataset="bench", tables=[Table(MAIN_TABLE, PaperCard, records)], inputs=[]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    records = cards()
    changed = [records[0].model_copy(update={"title": records[0].title + " (v2)"}), *records[1:]]
    write_version(Path(tempfile.mkdtemp()), version(records))  # schema made once per process
    times: dict[str, list[float]] = {"plain": [], "version": [], "next version": []}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            started = time.perf_counter()
            plain(records, base)
            times["plain"].append(time.perf_counter() - started)
            started = time.perf_counter()
            write_version(base, version(records))
            times["version"].append(time.perf_counter() - started)
            started = time.perf_counter()
            write_version(base, version(changed))
            times["next version"].append(time.perf_counter() - started)
    print(f"{len(records)} cards, {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in median.items():
        print(
            f"{name:<14} median {seconds * 1000:6.1f} ms  ({seconds / median['plain']:.2f}x plain)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
