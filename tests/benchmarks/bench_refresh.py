"""Incremental refresh benchmark: the second run over unchanged snapshots against the first.

Runs the pipeline (library, no Prefect; offline) twice on a copy of raw/ and prints both
times and their ratio; the second run parses nothing and writes nothing.

    python tests/benchmarks/bench_refresh.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline.core.settings import Settings
from pipeline.run.refresh import refresh as run_refresh

PROJECT = Path(__file__).resolve().parents[2]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        shutil.copytree(PROJECT / "raw", base / "raw")
        shutil.copy(PROJECT / "sources.toml", base / "sources.toml")
        settings = Settings(
            sources_file=base / "sources.toml",
            raw_dir=base / "raw",
            processed_dir=base / "processed",
            state_dir=base / "state",
            offline=True,
        )
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            summary = run_refresh(settings)
            timings.append(time.perf_counter() - started)
            statuses = sorted({result.status for result in summary.results})
            print(f"run {len(timings)}: {timings[-1]:.2f} s ({', '.join(statuses)})")
    print(f"second / first: {timings[1] / timings[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
