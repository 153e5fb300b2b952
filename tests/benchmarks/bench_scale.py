"""Scale benchmark: issue 14's table at 1x, 4x, 16x, 64x, this tree against a baseline commit.

Scale ``s`` is ``s`` READMEs of 500 cards and ``3s`` workshops of 60 posters
(tests/benchmarks/synthetic.py: the real README's rate of near-identical titles). For each
scale, in child processes so that each peak memory is its own:

- linking: ``link_papers`` over every mention with candidate blocking (best of three), and with the
  all-pairs reference (what linking was before blocking);
- refresh without Prefect (library, offline): fresh, then again with nothing changed;
- the same refresh with the baseline commit's code (``git archive`` of ``--baseline`` in
  a temporary folder, default 0411bad), side by side in the same run.

Prints the table, the ratios and the growth exponents (log of the time ratio over the log
of the mentions ratio between successive scales).

    python tests/benchmarks/bench_scale.py [--scales 1 4 16 64] [--baseline 0411bad]
        [--reference-up-to 64] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
PROJECT = BENCHMARKS.parents[1]
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(PROJECT))

from tests.conftest import settings_for  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_refresh(folder: Path) -> dict[str, Any]:
    from pipeline.run.refresh import refresh

    started = time.perf_counter()
    summary = refresh(settings_for(folder))
    seconds = time.perf_counter() - started
    statuses = sorted({result.status for result in summary.results})
    return {"seconds": seconds, "peak_mb": peak_mb(), "statuses": statuses}


def child_link(folder: Path, reference: bool) -> dict[str, Any]:
    from pipeline.core.collection import fewer_collections
    from pipeline.kinds import kind_of
    from pipeline.link.blocking import all_pairs
    from pipeline.link.papers import link_papers
    from pipeline.run import steps
    from pipeline.sources.config import load_sources

    settings = settings_for(folder)
    snapshots = [
        steps.take_snapshot(source, settings) for source in load_sources(folder / "sources.toml")
    ]
    bundles = [
        steps.parse_snapshot(snapshot) for snapshot in snapshots if not isinstance(snapshot, str)
    ]
    mentions = [mention for bundle in bundles for mention in kind_of(bundle).mentions(bundle)]
    # The best of three: one run's time on this shared machine varies by 1.5x, which a
    # growth exponent over a 4x step turns into +-0.3.
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with fewer_collections():  # as a run links: see pipeline.core.collection
            blocked = link_papers(mentions)
        times.append(time.perf_counter() - started)
    out: dict[str, Any] = {"mentions": len(mentions), "blocked_s": min(times)}
    out["papers"], out["near_misses"] = len(blocked.papers), len(blocked.near_misses)
    if reference:
        started = time.perf_counter()
        with fewer_collections():
            exhaustive = link_papers(mentions, all_pairs)
        out["all_pairs_s"] = time.perf_counter() - started
        out["identical"] = [p.model_dump() for p in exhaustive.papers] == [
            p.model_dump() for p in blocked.papers
        ] and [n.model_dump() for n in exhaustive.near_misses] == [
            n.model_dump() for n in blocked.near_misses
        ]
    return out


def run_child(args: list[str], code: Path | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    if code is not None:  # the baseline's modules, this script's child entry point
        command = [sys.executable, "-c", _BASELINE_CHILD, *args]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# The baseline's refresh, timed the same way (the baseline has no bench_scale.py).
_BASELINE_CHILD = """
import json, resource, sys, time
from itertools import pairwise
from pathlib import Path
from pipeline.core.settings import Settings
from pipeline.run.refresh import refresh
folder = Path(sys.argv[2])
settings = Settings(sources_file=folder / "sources.toml", raw_dir=folder / "raw",
    processed_dir=folder / "processed", state_dir=folder / "state", offline=True)
started = time.perf_counter()
summary = refresh(settings)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "statuses": sorted({r.status for r in summary.results})}))
"""


def baseline_tree(commit: str, into: Path, repo: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit],
        capture_output=True,
        check=True,
    ).stdout
    target = into / f"baseline-{commit}"
    target.mkdir()
    archive_path = into / "baseline.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    return target


def exponents(scales: list[int], rows: dict[int, dict[str, Any]], key: str) -> list[str]:
    shown = []
    for low, high in pairwise(scales):
        if key in rows[low] and key in rows[high]:
            ratio = rows[high][key] / rows[low][key]
            growth = rows[high]["mentions"] / rows[low]["mentions"]
            shown.append(f"{low}x->{high}x {math.log(ratio) / math.log(growth):.2f}")
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--baseline", default="0411bad")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--repo", type=Path, default=PROJECT, help="where --baseline is")
    parser.add_argument("--reference-up-to", type=int, default=64)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        what, folder = args.child[0], Path(args.child[1])
        if what == "refresh":
            print(json.dumps(child_refresh(folder)))
        else:
            print(json.dumps(child_link(folder, reference=what == "link+reference")))
        return 0

    from synthetic import write_sources

    rows: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        base = Path(scratch)
        baseline = None if args.no_baseline else baseline_tree(args.baseline, base, args.repo)
        print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        for scale in args.scales:
            row: dict[str, Any] = {}
            source = base / f"scale-{scale}"
            write_sources(source, scale)
            mode = "link+reference" if scale <= args.reference_up_to else "link"
            row.update(run_child([mode, str(source)]))
            ours = base / f"ours-{scale}"
            _copy_inputs(source, ours)
            row["fresh"] = run_child(["refresh", str(ours)])
            row["again"] = run_child(["refresh", str(ours)])
            if baseline is not None:
                theirs = base / f"baseline-{scale}"
                _copy_inputs(source, theirs)
                row["base_fresh"] = run_child(["refresh", str(theirs)], baseline)
                row["base_again"] = run_child(["refresh", str(theirs)], baseline)
            row["fresh_s"], row["again_s"] = row["fresh"]["seconds"], row["again"]["seconds"]
            rows[scale] = row
            print(json.dumps({"scale": scale, **row}), flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    _print_table(args.scales, rows)
    return 0


def _copy_inputs(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source / "raw", target / "raw")
    shutil.copy(source / "sources.toml", target / "sources.toml")


def _print_table(scales: list[int], rows: dict[int, dict[str, Any]]) -> None:
    print()
    print(
        "| scale | mentions | linking: blocked / all pairs | refresh: fresh / nothing changed "
        "| peak memory | baseline refresh: fresh / nothing changed | baseline peak |"
    )
    print("|---|---|---|---|---|---|---|")
    for scale in scales:
        row = rows[scale]
        reference = f"{row['all_pairs_s']:.2f} s" if "all_pairs_s" in row else "-"
        base = (
            f"{row['base_fresh']['seconds']:.2f} / {row['base_again']['seconds']:.2f} s"
            if "base_fresh" in row
            else "-"
        )
        base_peak = f"{row['base_fresh']['peak_mb']:.0f} MB" if "base_fresh" in row else "-"
        print(
            f"| {scale}x | {row['mentions']:,} | {row['blocked_s']:.2f} / {reference} "
            f"| {row['fresh_s']:.2f} / {row['again_s']:.2f} s | {row['fresh']['peak_mb']:.0f} MB "
            f"| {base} | {base_peak} |"
        )
    print()
    for scale in scales:
        row = rows[scale]
        parts = [f"{scale}x: unchanged / fresh {row['again_s'] / row['fresh_s']:.3f}"]
        if "all_pairs_s" in row:
            parts.append(f"all pairs / blocked {row['all_pairs_s'] / row['blocked_s']:.1f}x")
            parts.append(f"same papers and near misses: {row['identical']}")
        if "base_fresh" in row:
            parts.append(
                f"baseline fresh / ours {row['base_fresh']['seconds'] / row['fresh_s']:.1f}x"
            )
            parts.append(
                f"baseline unchanged / ours {row['base_again']['seconds'] / row['again_s']:.1f}x"
            )
            parts.append(
                f"peak ours / baseline {row['fresh']['peak_mb'] / row['base_fresh']['peak_mb']:.2f}"
            )
        print("; ".join(parts))
    print("growth exponent, linking (blocked): " + ", ".join(exponents(scales, rows, "blocked_s")))
    print(
        "growth exponent, linking (all pairs): " + ", ".join(exponents(scales, rows, "all_pairs_s"))
    )
    print("growth exponent, fresh refresh: " + ", ".join(exponents(scales, rows, "fresh_s")))


if __name__ == "__main__":
    sys.exit(main())
