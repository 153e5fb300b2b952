"""Replay benchmark: a README's whole history into one version per commit.

Prints total time, time per version, peak memory as versions accumulate (it must stay flat),
and the size of the replayed dataset against the xz size of the input history.

    python tests/benchmarks/bench_replay.py [HISTORY.tar.xz]
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pipeline.run.replay import ReplaySummary, historical_version, parse_historical, record_write
from pipeline.sources.history import read_history
from pipeline.store.versions import read_table, write_version

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/awesome-deep-phenomena/readme-history.tar.xz"
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def main() -> int:
    history_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not history_path.exists():
        print(f"{history_path} is absent", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as out:
        processed = Path(out)
        summary = ReplaySummary("history")
        checkpoints: list[tuple[int, float]] = []
        started = time.perf_counter()
        for count, version in enumerate(read_history(history_path), start=1):
            document = parse_historical(version, "history")
            result = write_version(processed, historical_version(version, document, "history"))
            record_write(summary, result, document)
            if count in (10, 50, 100, 200, 300) or count % 1000 == 0:
                checkpoints.append((count, peak_rss_mb()))
        elapsed = time.perf_counter() - started
        checkpoints.append((len(summary.written), peak_rss_mb()))
        size = folder_size(processed)
        reads = []
        for name in summary.written:  # every version, read back with the one documented call
            started = time.perf_counter()
            read_table(processed, "history", name)
            reads.append(time.perf_counter() - started)
    input_size = history_path.stat().st_size
    versions = len(summary.written)
    print(f"versions replayed:       {versions}")
    print(f"total time:              {elapsed:.1f} s")
    print(f"time per version:        {elapsed / versions * 1000:.0f} ms")
    print("peak RSS by versions:    " + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in checkpoints))
    print(
        f"read one version:        median {statistics.median(reads) * 1000:.0f} ms, "
        f"max {max(reads) * 1000:.0f} ms"
    )
    print(f"processed size:          {size / 1e6:.1f} MB")
    print(f"input (xz) size:         {input_size / 1e6:.2f} MB")
    print(f"processed / input xz:    {size / input_size:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
