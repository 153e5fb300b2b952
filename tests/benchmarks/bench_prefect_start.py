"""What Prefect adds to a refresh of the embedded default: the temporary server against a
long-running server (what `paper-pipeline serve` runs, or a team's), side by side.

Each configuration runs the refresh flow twice in one process (the second run has nothing
to do) and prints the wall time of each flow run against the library's own time for the
same work (``pipeline.run.refresh.refresh``, no Prefect):

- ``temporary``: no PREFECT_API_URL; the first flow run of a process starts Prefect's
  embedded server, later runs of the same process reuse it;
- ``server``: a ``prefect server start`` on 127.0.0.1 started beforehand (as ``serve``
  does, flows/serve.py), PREFECT_API_URL pointing at it, in a fresh process.

    python tests/benchmarks/bench_prefect_start.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

_CHILD = """
import json, sys, time
from pathlib import Path
from pipeline.core.settings import Settings
folder = Path(sys.argv[1])
settings = Settings(sources_file=folder / "sources.toml", raw_dir=folder / "raw",
    processed_dir=folder / "processed", state_dir=folder / "state", offline=True)
from flows.prefect_env import configure_prefect
configure_prefect(settings)
from pipeline.run.refresh import refresh as library
times = {}
def timed(name, run):
    started = time.perf_counter()
    run(settings)
    times[name] = time.perf_counter() - started
timed("library, first", library)
timed("library, unchanged", library)
import shutil
shutil.rmtree(folder / "processed")  # the flow's first run does the same work again
from flows.refresh import refresh as flow
timed("flow, first", flow)
timed("flow, unchanged", flow)
print(json.dumps(times))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(folder: Path, api_url: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPELINE_", "PREFECT_"))}
    if api_url:
        env["PIPELINE_PREFECT_API_URL"] = api_url
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    times: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def folder_in(base: Path, name: str) -> Path:
    folder = base / name
    shutil.copytree(PROJECT / "raw", folder / "raw")
    shutil.copy(PROJECT / "sources.toml", folder / "sources.toml")
    return folder


def main() -> int:
    sys.path.insert(0, str(PROJECT))
    from flows.serve import start_local_server
    from pipeline.core.settings import Settings

    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-prefect-") as scratch:
        base = Path(scratch)
        results = {"temporary": run(folder_in(base, "temporary"), None)}
        started = time.perf_counter()
        server = start_local_server(Settings(state_dir=base / "server-state"), free_port())
        server_start = time.perf_counter() - started
        try:
            results["server"] = run(folder_in(base, "server"), server.api_url)
        finally:
            server.stop()
    print(f"long-running server's own start (paid once, by serve): {server_start:.1f} s")
    for name, times in results.items():
        for run_name in ("first", "unchanged"):
            flow, library = times[f"flow, {run_name}"], times[f"library, {run_name}"]
            print(
                f"{name:<10} {run_name:<10} flow {flow:6.2f} s, library {library:5.2f} s: "
                f"Prefect adds {flow - library:5.2f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
