"""`paper-pipeline serve`: the refresh flow on a schedule, on a real Prefect server.

The slow tests start real servers on free loopback ports and stop them, checking through
/proc (Linux) that no process they started is left behind, even when a test fails.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.serve import DEPLOYMENT_NAME, LocalServer, start_local_server
from pipeline.core.settings import Settings
from pipeline.store.versions import latest_version, read_manifest

DATASETS = [
    "awesome-deep-phenomena",
    "icml-2021-overparameterization",
    "icml-2023-hild",
    "neurips-2023-oral-1d-dl-theory",
    "papers",
]
RUN_COMPLETED = re.compile(r"Flow run '[^']+' - Finished in state Completed\(\)")
WAIT_SECONDS = 150.0

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finding left-over processes reads /proc"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- processes, from /proc: pid -> (parent pid, start time, state) -------------------------


def process_table() -> dict[int, tuple[int, int, str]]:
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (command)"
        table[int(entry.name)] = (int(fields[1]), int(fields[19]), fields[0])
    return table


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Served:
    """A `python -m pipeline serve` process and every process it was seen to start."""

    process: subprocess.Popen[bytes]
    log: Path
    started_at: datetime
    # pid -> start time: a pid alone may be reused once its process has gone
    seen: dict[int, int] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def track(self) -> None:
        table = process_table()
        parents = {self.process.pid}
        grew = True
        while grew:
            children = {pid for pid, (ppid, _, _) in table.items() if ppid in parents}
            grew = not children <= parents
            parents |= children
        for pid in parents - {self.process.pid}:
            self.seen.setdefault(pid, table[pid][1])

    def left_behind(self) -> list[str]:
        table = process_table()
        return [
            f"{pid} {command_line(pid)}"
            for pid, start in self.seen.items()
            if pid in table and table[pid][1] == start and table[pid][2] != "Z"
        ]

    def kill_everything(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for line in self.left_behind():
            with suppress(ProcessLookupError):
                os.kill(int(line.split()[0]), signal.SIGKILL)

    def wait_for(self, what: str, check: Callable[[], Any]) -> Any:
        """Poll `check` until it gives something true, while the serve process lives."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            self.track()
            found = check()
            if found:
                return found
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"serve exited ({code}) before {what}:\n{self.output()}")
            time.sleep(0.5)
        pytest.fail(f"no {what} within {WAIT_SECONDS:g} s:\n{self.output()}")

    def wait_for_scheduled_run(self, api_url: str) -> dict[str, Any]:
        runs = self.wait_for(
            "completed scheduled run", lambda: completed_scheduled_runs(api_url, self.started_at)
        )
        return dict(runs[0])

    def stop(self, signum: signal.Signals, *, group: bool) -> int:
        self.track()
        if group:
            os.killpg(self.process.pid, signum)  # what a terminal's Ctrl-C does
        else:
            os.kill(self.process.pid, signum)
        return self.process.wait(timeout=120)


@pytest.fixture(scope="module")
def prefect_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One state folder for the module: a fresh Prefect database takes ~15 s to create."""
    return tmp_path_factory.mktemp("state")


def serve_env(state: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PIPELINE_STATE_DIR": str(state),
        # the runner asks for due runs every second instead of every 10
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        **extra,
    }
    for name in ("PREFECT_API_URL", "PIPELINE_PREFECT_API_URL"):
        if name not in extra:
            env.pop(name, None)
    return env


@pytest.fixture
def serve(project_copy: Path, prefect_state: Path) -> Iterator[Callable[..., Served]]:
    """Start `python -m pipeline serve ARGS...`; whatever it started is killed at the end."""
    started: list[Served] = []

    def start(*args: str, **env: str) -> Served:
        log = project_copy / f"serve-{len(started)}.log"
        started_at = datetime.now(UTC)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "serve", *args],
                cwd=project_copy,
                env=serve_env(prefect_state, **env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        served = Served(process, log, started_at)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill_everything()


def completed_scheduled_runs(api_url: str, since: datetime) -> list[dict[str, Any]]:
    """The deployment's runs that its schedule created and that completed, started since
    `since` (the module's tests share one database); none while the server is unreachable."""
    query = {
        "flow_runs": {
            "state": {"type": {"any_": ["COMPLETED"]}},
            "start_time": {"after_": since.isoformat()},
        },
        "deployments": {"name": {"any_": [DEPLOYMENT_NAME]}},
    }
    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            runs: list[dict[str, Any]] = json.load(answer)
    except (urllib.error.URLError, OSError):
        return []
    return [run for run in runs if run["auto_scheduled"]]


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert not [line for line in output.splitlines() if "| ERROR" in line or "error:" in line]


def assert_all_gone(served: Served, port: int) -> None:
    assert served.seen, "serve started no process: nothing served"
    assert not served.left_behind(), served.left_behind()
    assert not listening(port), f"something still listens on port {port}"


@pytest.mark.slow
@needs_proc
def test_serve_runs_the_flow_on_schedule_and_ctrl_c_stops_the_server_too(
    serve: Callable[..., Served], project_copy: Path, prefect_state: Path
) -> None:
    port = free_port()
    served = serve("--interval", "5", "--port", str(port))
    api_url = f"http://127.0.0.1:{port}/api"

    run = served.wait_for_scheduled_run(api_url)
    assert run["deployment_id"]
    processed = project_copy / "processed"
    assert all(latest_version(processed, dataset) for dataset in DATASETS), served.output()
    assert read_manifest(processed, "papers").record_counts["records"] > 0
    assert (prefect_state / "prefect" / "server.db").is_file(), "the server's database"
    servers = [pid for pid in served.seen if "prefect server start" in command_line(pid)]
    assert len(servers) == 1, served.seen

    assert served.stop(signal.SIGINT, group=True) == 0, served.output()
    output = served.output()
    assert_clean(output)
    assert RUN_COMPLETED.search(output), output
    assert "Prefect server stopped" in output
    assert_all_gone(served, port)

    # the unscheduled command still needs no server, with the same state folder
    refresh = subprocess.run(
        [sys.executable, "-m", "pipeline", "refresh"],
        cwd=project_copy,
        env=serve_env(prefect_state),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refresh.returncode == 3, refresh.stdout + refresh.stderr  # done, papers pending
    assert_clean(refresh.stdout + refresh.stderr)
    assert refresh.stdout.count("unchanged") == len(DATASETS), refresh.stdout


@pytest.mark.slow
@needs_proc
def test_sigterm_during_a_run_lets_the_run_finish_then_stops_everything(
    serve: Callable[..., Served],
) -> None:
    port = free_port()
    served = serve("--interval", "5", "--port", str(port))
    served.wait_for("flow run", lambda: "Beginning flow run" in served.output())

    assert served.stop(signal.SIGTERM, group=False) == 0, served.output()
    output = served.output()
    assert_clean(output)
    stopping = output.index("stopping:")
    assert RUN_COMPLETED.search(output, stopping), "the run in progress finished\n" + output
    assert_all_gone(served, port)


@pytest.fixture
def own_server(prefect_state: Path) -> Iterator[LocalServer]:
    """A Prefect server that is not serve's: as a team's own server would be."""
    server = start_local_server(Settings(state_dir=prefect_state), free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
@needs_proc
def test_serve_uses_an_existing_server_starts_none_and_leaves_it_running(
    serve: Callable[..., Served], own_server: LocalServer
) -> None:
    unused_port = free_port()
    served = serve(
        "--interval", "5", "--port", str(unused_port), PIPELINE_PREFECT_API_URL=own_server.api_url
    )
    served.wait_for_scheduled_run(own_server.api_url)
    assert not [pid for pid in served.seen if "prefect server" in command_line(pid)]

    assert served.stop(signal.SIGINT, group=True) == 0, served.output()
    assert_clean(served.output())
    assert_all_gone(served, unused_port)
    assert own_server.process.poll() is None, "serve stopped a server it did not start"


def run_serve(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "serve", *args],
        cwd=project,
        env=serve_env(project / "state", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert says in lines[0], lines[0]


def test_serve_on_a_busy_port_is_a_one_line_error(project_copy: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_serve(project_copy, "--port", str(port))
    assert_one_line_error(result, f"port {port}")


def test_serve_against_a_server_that_does_not_answer_is_a_one_line_error(
    project_copy: Path,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/api"
    result = run_serve(project_copy, PIPELINE_PREFECT_API_URL=nowhere)
    assert_one_line_error(result, f"no Prefect server answers at {nowhere}")


def test_serve_rejects_a_bad_cron_schedule_in_one_line(project_copy: Path) -> None:
    assert_one_line_error(run_serve(project_copy, "--cron", "daily at six"), "not a cron")


def test_serve_rejects_a_non_positive_interval_in_one_line(project_copy: Path) -> None:
    assert_one_line_error(run_serve(project_copy, "--interval", "0"), "positive")


def runs_of_deployment(api_url: str, states: list[str]) -> list[dict[str, Any]]:
    query = {
        "flow_runs": {"state": {"type": {"any_": states}}},
        "deployments": {"name": {"any_": [DEPLOYMENT_NAME]}},
    }
    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        runs: list[dict[str, Any]] = json.load(answer)
    return runs


@pytest.mark.slow
@needs_proc
def test_one_sigterm_while_idle_between_runs_stops_serve_within_seconds(
    serve: Callable[..., Served],
) -> None:
    port = free_port()
    served = serve("--interval", "40", "--port", str(port))
    served.wait_for_scheduled_run(f"http://127.0.0.1:{port}/api")
    # idle: every run that began has finished
    served.wait_for(
        "an idle runner",
        lambda: (
            served.output().count("Beginning flow run")
            == len(RUN_COMPLETED.findall(served.output()))
        ),
    )
    signalled = time.monotonic()
    assert served.stop(signal.SIGTERM, group=False) == 0, served.output()
    took = time.monotonic() - signalled
    output = served.output()
    assert_clean(output)
    after = output[output.index("stopping:") :]
    assert "Beginning flow run" not in after, "a run started after the signal\n" + output
    assert took < 60, f"serve took {took:.0f} s to stop while idle"
    assert_all_gone(served, port)


@pytest.mark.slow
@needs_proc
def test_runs_scheduled_by_a_killed_serve_are_not_replayed_on_the_next_start(
    serve: Callable[..., Served],
) -> None:
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    first = serve("--interval", "5", "--port", str(port))
    first.wait_for_scheduled_run(api_url)
    assert runs_of_deployment(api_url, ["SCHEDULED"]), "the schedule queued future runs"
    first.kill_everything()  # as a crash or a reboot would: nothing is stopped cleanly
    time.sleep(12)  # the queued runs fall due while nothing serves them

    restarted_at = datetime.now(UTC)
    second = serve("--interval", "5", "--port", str(port))
    second.wait_for_scheduled_run(api_url)
    assert "scheduled runs left from an earlier serve" in second.output()
    for run in runs_of_deployment(api_url, ["COMPLETED", "RUNNING", "PENDING"]):
        started = datetime.fromisoformat(run["start_time"])
        if started >= restarted_at:
            expected = datetime.fromisoformat(run["expected_start_time"])
            assert expected >= restarted_at - timedelta(seconds=2), "a stale run was replayed"
    assert second.stop(signal.SIGINT, group=True) == 0, second.output()
    assert_clean(second.output())
