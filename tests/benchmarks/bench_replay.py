"""Replay benchmark: a README's whole history into one version per commit, timed.

Times the library's replay chain, ``pipeline.run.replay.replay`` in-process (the Prefect flow
behind ``paper-pipeline replay`` runs the same chain with its own runner), in a child process
for this tree and, side by side in the same run, for a baseline commit's code (``git
archive`` of ``--baseline``): wall and CPU time (a worker reading ahead included), and
whether every file of every version is byte-identical to the baseline's. For this tree it
also prints peak memory, the time to read a version back, and the dataset's size against
the xz size of the input history.

    python tests/benchmarks/bench_replay.py [HISTORY.tar.xz] [--baseline 0411bad]
        [--no-baseline] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT = PROJECT.parent / "shared/corpus/awesome-deep-phenomena/readme-history.tar.xz"

# The same child for both trees: only the modules on its path differ.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.core.settings import Settings
from pipeline.run.replay import replay
history, folder = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings(sources_file=folder / "sources.toml", raw_dir=folder / "raw",
    processed_dir=folder / "processed", state_dir=folder / "state", offline=True)
started = time.perf_counter()
summary = replay(history, "history", settings)
seconds = time.perf_counter() - started
me, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": seconds, "versions": len(summary.written),
    "cpu": me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime,
    "peak_mb": me.ru_maxrss / 1024, "worker_peak_mb": workers.ru_maxrss / 1024}))
"""


def timed_replay(history: Path, folder: Path, code: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(history), str(folder)],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"replay with {code} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def folder_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def plain_files(processed: Path) -> dict[str, bytes]:
    """Every file of every version as plain bytes (compacted or not), by version/name; the
    baseline's too, read with this tree's reader. They differ from a baseline whose parser
    or schema differs (0411bad's does); byte identity is checked against the commit before a
    change (--baseline)."""
    from pipeline.store.compaction import DELTA_BASE, read_version_file
    from pipeline.store.versions import list_versions

    files = {}
    for name in list_versions(processed, "history"):
        folder = processed / "history" / name
        stored = {p.name.removesuffix(".zst").removesuffix(".xz") for p in folder.iterdir()}
        for file in sorted(stored - {DELTA_BASE}):
            files[f"{name}/{file}"] = read_version_file(folder / file)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--baseline", default="0411bad")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="best of this many replays")
    args = parser.parse_args()
    if not args.history.exists():
        print(f"{args.history} is absent", file=sys.stderr)
        return 2
    sys.path.insert(0, str(PROJECT))
    from pipeline.store.versions import list_versions, read_table
    from tests.benchmarks.bench_scale import baseline_tree

    with tempfile.TemporaryDirectory() as out:
        base = Path(out)
        baseline = None if args.no_baseline else baseline_tree(args.baseline, base, repo=PROJECT)
        ours: list[dict[str, Any]] = []
        theirs: list[dict[str, Any]] = []
        for round_ in range(args.rounds):  # alternated, so both see the same machine
            ours.append(timed_replay(args.history, base / f"ours-{round_}", PROJECT))
            if baseline is not None:
                theirs.append(timed_replay(args.history, base / f"theirs-{round_}", baseline))
        processed = base / "ours-0" / "processed"
        names = list_versions(processed, "history")
        reads = []
        for name in names:  # every version, read back with the one documented call
            started = time.perf_counter()
            read_table(processed, "history", name)
            reads.append(time.perf_counter() - started)
        same = None
        if baseline is not None:
            same = plain_files(processed) == plain_files(base / "theirs-0" / "processed")
        size = folder_size(processed)
    best = min(ours, key=lambda run: run["seconds"])
    versions = best["versions"]
    print(f"load average:            {os.getloadavg()[0]:.1f}")
    print(f"versions replayed:       {versions}")
    print(f"replay (best of {args.rounds}):     {best['seconds']:.1f} s, CPU {best['cpu']:.1f} s")
    print(f"time per version:        {best['seconds'] / versions * 1000:.0f} ms")
    print(
        f"peak RSS:                {best['peak_mb']:.0f} MB "
        f"(a worker reading ahead: {best['worker_peak_mb']:.0f} MB)"
    )
    if theirs:
        fastest = min(theirs, key=lambda run: run["seconds"])
        print(
            f"baseline {args.baseline}:       {fastest['seconds']:.1f} s, "
            f"CPU {fastest['cpu']:.1f} s, {fastest['peak_mb']:.0f} MB "
            f"(wall {fastest['seconds'] / best['seconds']:.2f}x ours, "
            f"CPU {fastest['cpu'] / best['cpu']:.2f}x)"
        )
        print(f"every file identical to the baseline's: {same}")
    print(
        f"read one version:        median {statistics.median(reads) * 1000:.0f} ms, "
        f"max {max(reads) * 1000:.0f} ms"
    )
    input_size = args.history.stat().st_size
    print(f"processed size:          {size / 1e6:.1f} MB")
    print(f"input (xz) size:         {input_size / 1e6:.2f} MB")
    print(f"processed / input xz:    {size / input_size:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
