"""The scheduled refresh: serve the refresh flow on a cron or interval schedule.

Prefect schedules runs only on a Prefect server: the embedded temporary one that
``paper-pipeline refresh`` uses never runs a scheduler. So, unless PREFECT_API_URL (which
:func:`flows.prefect_env.configure_prefect` sets from PIPELINE_PREFECT_API_URL) names a
server, :func:`serve_refresh` starts ``prefect server start`` on 127.0.0.1, with its SQLite
database and log under PIPELINE_STATE_DIR. With a server named, it starts nothing.

Three processes, each in its own session:

- this one supervises, and never imports Prefect's runner: it owns the terminal's Ctrl-C
  and SIGTERM;
- the runner (``python -m flows.serve``, ``refresh.serve``) creates the deployment and
  starts each scheduled run in a process of its own;
- the local server, if any.

A terminal's Ctrl-C reaches only this process's group. Were the runner and its runs in it,
the run in progress would get the SIGINT too and Prefect 3.8.8 crashes it with a
traceback; and the runner's own SIGTERM handler hangs while a run is in progress. So this
process turns Ctrl-C or SIGTERM into one SIGINT for the runner, which pauses the schedule
and lets the run in progress finish; a second Ctrl-C aborts that run. The server stops
last, after the runner no longer needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flows.prefect_env import _TEMPORARY_SERVER_DEFAULTS, configure_prefect
from pipeline.core.errors import PipelineError
from pipeline.core.settings import Settings
from pipeline.sources.config import load_sources

DEFAULT_CRON = "0 6 * * *"  # every day at 06:00 UTC
DEFAULT_PORT = 4200  # Prefect's own default port
DEPLOYMENT_NAME = "scheduled"
FLOW_NAME = "refresh"
API_TIMEOUT_SECONDS = 10.0
RUNNER_STOP_TIMEOUT_SECONDS = 15.0  # an idle runner exits in about a second
# The local server has no authentication: it listens on loopback only.
LOOPBACK = "127.0.0.1"
# A fresh Prefect home (database migrations) takes ~15-20 s to start on 2 cores.
SERVER_START_TIMEOUT_SECONDS = 180.0
SERVER_STOP_TIMEOUT_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass
class LocalServer:
    """A ``prefect server start`` subprocess, leader of its own process group."""

    process: subprocess.Popen[bytes]
    api_url: str
    database: Path
    log_path: Path
    log_file: IO[bytes]

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")

    def stop(self) -> None:
        """Stop the server and anything it started; never leave it running."""
        try:
            if self.process.poll() is None:
                _signal_group(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
                except (subprocess.TimeoutExpired, KeyboardInterrupt):
                    # stuck, or one more Ctrl-C from an impatient person: kill it outright
                    _signal_group(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            # uvicorn serves from the server's own process today; anything it might start
            # would be in its group, so the group is cleared either way
            _signal_group(self.process.pid, signal.SIGKILL)
        finally:
            self.log_file.close()


def serve_refresh(
    settings: Settings,
    *,
    cron: str | None = None,
    interval: float | None = None,
    port: int = DEFAULT_PORT,
) -> int:
    """Serve the refresh flow on a schedule until Ctrl-C or SIGTERM; 0 when stopped so.

    ``cron`` (UTC) or ``interval`` (seconds); neither means :data:`DEFAULT_CRON`.
    """
    if cron is not None and interval is not None:
        raise PipelineError("give a cron schedule or an interval, not both")
    if interval is not None and not interval > 0:
        raise PipelineError(f"the interval must be a positive number of seconds, not {interval}")
    if not 0 < port < 65536:
        raise PipelineError(f"port {port} is not a TCP port (1-65535)")
    if cron is None and interval is None:
        cron = DEFAULT_CRON
    if cron is not None:
        _check_cron(cron)
    # A broken sources.toml is the user's to fix: one line before any server starts.
    if not load_sources(settings.sources_file):
        raise PipelineError(f"{settings.sources_file}: lists no [[source]]")

    configure_prefect(settings)  # idempotent; the runner inherits PREFECT_HOME from here
    existing = os.environ.get("PREFECT_API_URL")
    if existing:
        _require_server(existing)

    # SIGTERM (kill, systemd, docker stop) and SIGHUP (the terminal closed) stop the same
    # way as Ctrl-C; by default they would end this process without stopping the others.
    previous = {
        signum: signal.signal(signum, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP)
    }
    server: LocalServer | None = None
    try:
        if existing:
            api_url = existing
            _say(f"Prefect server: {existing} (PREFECT_API_URL; none started)")
        else:
            server = start_local_server(settings, port)
            api_url = server.api_url
            _say(
                f"Prefect server: {server.ui_url} (UI and API; database {server.database}, "
                f"log {server.log_path})"
            )
        when = f"cron {cron!r} (UTC)" if cron is not None else f"every {interval:g} s"
        _say(f"serving refresh/{DEPLOYMENT_NAME}: {when}; Ctrl-C stops")
        # Runs a previous serve left scheduled (it was killed, or the machine was off) are
        # not replayed: the schedule starts from now.
        dropped = _drop_scheduled_runs(api_url)
        if dropped:
            _say(f"dropped {dropped} scheduled runs left from an earlier serve")
        runner = _start_runner(api_url, cron=cron, interval=interval)
        try:
            _supervise(runner, server)
        finally:
            _stop_runner(runner, api_url)
    finally:
        # an interrupt before the runner started (the server was starting) goes on up:
        # the CLI says "interrupted"
        if server is not None:
            server.stop()
            _say("Prefect server stopped")
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def start_local_server(settings: Settings, port: int) -> LocalServer:
    """Start ``prefect server start`` on loopback; return once its API answers."""
    if not _port_is_free(port):
        raise PipelineError(
            f"port {port} on {LOOPBACK} is in use: choose another with --port, or, if a "
            f"Prefect server listens there, set PIPELINE_PREFECT_API_URL=http://{LOOPBACK}:{port}/api"
        )
    home = settings.prefect_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    # Its own database file, not the prefect.db of the temporary server that
    # `paper-pipeline refresh` starts: both may run at once, and two servers writing one
    # SQLite file wait on each other's locks.
    database = home / "server.db"
    log_path = home / "server.log"
    env = {
        # the settings this server needs to run cleanly, unless the caller chose otherwise
        **_TEMPORARY_SERVER_DEFAULTS,
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
    }
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", LOOPBACK, "--port", str(port)]
    log_file = log_path.open("ab")
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid(), signal.SIGTERM),
        )
    except BaseException:
        log_file.close()
        raise
    server = LocalServer(process, f"http://{LOOPBACK}:{port}/api", database, log_path, log_file)
    try:
        _wait_until_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


def _start_runner(
    api_url: str, *, cron: str | None, interval: float | None
) -> subprocess.Popen[bytes]:
    schedule = ["--cron", cron] if cron is not None else ["--interval", f"{interval!r}"]
    return subprocess.Popen(
        [sys.executable, "-m", "flows.serve", *schedule],
        env={**os.environ, "PREFECT_API_URL": api_url},
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        # should this process die without stopping it, the runner goes too
        preexec_fn=_die_with_parent(os.getpid(), signal.SIGKILL),
    )


def _supervise(runner: subprocess.Popen[bytes], server: LocalServer | None) -> None:
    """Wait for Ctrl-C or SIGTERM; fail in one line if the runner or the server ends first."""
    try:
        while True:
            code = runner.poll()
            if code is not None:
                raise PipelineError(f"the Prefect runner stopped (exit code {code}); see above")
            if server is not None and (code := server.process.poll()) is not None:
                raise PipelineError(
                    f"the Prefect server stopped (exit code {code}); see {server.log_path}"
                )
            time.sleep(0.5)
    except KeyboardInterrupt:
        _say("stopping: pausing the schedule")


def _stop_runner(runner: subprocess.Popen[bytes], api_url: str) -> None:
    """Pause the schedule, let a run in progress finish, then stop the runner.

    The schedule is paused through the API (which also deletes the runs it had scheduled),
    so nothing new starts while we wait; the runner gets one SIGINT, Prefect's own Ctrl-C
    (a second one, while it shuts down, makes it print tracebacks), and is killed if it has
    not exited once no run of ours is in progress.
    """
    if runner.poll() is None:
        deployments = _deployment_ids(api_url)
        for deployment in deployments:
            _api(api_url, "POST", f"/deployments/{deployment}/pause_deployment")
        runner.send_signal(signal.SIGINT)
        try:
            if _active_runs(api_url, deployments):
                _say("a run in progress finishes first (Ctrl-C again aborts it)")
            idle_since: float | None = None
            while runner.poll() is None:
                if _active_runs(api_url, deployments):
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > RUNNER_STOP_TIMEOUT_SECONDS:
                    break  # idle and still there: killed below
                time.sleep(0.5)
        except KeyboardInterrupt:
            _say("aborting the run in progress")
    # whatever is left in its group: an aborted run, multiprocessing's resource tracker
    _signal_group(runner.pid, signal.SIGKILL)
    runner.wait()


# --------------------------------------------------------------------------- the API
# The supervisor talks to the server over its REST API (urllib), never through Prefect's
# client: importing Prefect here would install its own signal handlers.


def _api(api_url: str, method: str, path: str, body: object | None = None) -> Any:
    """One API call; None when the server cannot be reached or says no."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"} if data is not None else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as answer:
            payload = answer.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return json.loads(payload) if payload else None


def _deployment_ids(api_url: str) -> list[str]:
    found = _api(
        api_url,
        "POST",
        "/deployments/filter",
        {
            "deployments": {"name": {"any_": [DEPLOYMENT_NAME]}},
            "flows": {"name": {"any_": [FLOW_NAME]}},
        },
    )
    return [str(deployment["id"]) for deployment in found or []]


def _runs(api_url: str, deployments: Sequence[str], states: Sequence[str]) -> list[dict[str, Any]]:
    if not deployments:
        return []
    found = _api(
        api_url,
        "POST",
        "/flow_runs/filter",
        {
            "deployments": {"id": {"any_": list(deployments)}},
            "flow_runs": {"state": {"type": {"any_": list(states)}}},
        },
    )
    return list(found or [])


def _active_runs(api_url: str, deployments: Sequence[str]) -> int:
    return len(_runs(api_url, deployments, ["PENDING", "RUNNING", "CANCELLING"]))


def _drop_scheduled_runs(api_url: str) -> int:
    """Delete the deployment's runs still waiting in a Scheduled state (late ones too)."""
    stale = _runs(api_url, _deployment_ids(api_url), ["SCHEDULED"])
    for run in stale:
        _api(api_url, "DELETE", f"/flow_runs/{run['id']}")
    return len(stale)


def _say(line: str) -> None:
    # after SIGHUP the terminal may be gone; stopping everything matters more than saying so
    with contextlib.suppress(OSError):
        print(line, flush=True)


def _check_cron(cron: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise PipelineError(
            f"{cron!r} is not a cron schedule (five fields: minute hour day month weekday)"
        ) from None


def _require_server(api_url: str) -> None:
    if not _healthy(api_url, timeout=10.0):
        raise PipelineError(
            f"no Prefect server answers at {api_url} (PIPELINE_PREFECT_API_URL or "
            "PREFECT_API_URL); unset both to start a local one"
        )


def _wait_until_healthy(server: LocalServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        code = server.process.poll()
        if code is not None:
            raise PipelineError(
                f"the Prefect server stopped while starting (exit code {code}); "
                f"see {server.log_path}"
            )
        if _healthy(server.api_url, timeout=2.0):
            return
        time.sleep(0.5)
    raise PipelineError(
        f"the Prefect server did not answer within {SERVER_START_TIMEOUT_SECONDS:g} s; "
        f"see {server.log_path}"
    )


def _healthy(api_url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as uvicorn binds: a port held only by old TIME_WAIT connections counts as free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(pgid, signum)


def _die_with_parent(parent_pid: int, signum: signal.Signals) -> Callable[[], None] | None:
    """Linux: the kernel sends the child ``signum`` if this process dies without stopping
    it (SIGKILL, out of memory), so no server outlives it holding the port."""
    if sys.platform != "linux":
        return None

    def set_death_signal() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return set_death_signal


def run_runner(argv: Sequence[str] | None = None) -> int:
    """The runner process: create the deployment and run it on schedule until SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m flows.serve")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron")
    when.add_argument("--interval", type=float)
    args = parser.parse_args(argv)

    # The flow takes its task runner from PIPELINE_TASK_RUNNER itself. Its module keeps
    # real (not string) annotations: each served run gets the flow through cloudpickle,
    # and string annotations would name types that copy cannot resolve.
    from flows.refresh import refresh

    refresh.serve(
        name=DEPLOYMENT_NAME,
        cron=args.cron,
        interval=args.interval,
        # one run at a time: two refreshes would race on processed/ and the arXiv limiter
        limit=1,
        # a schedule paused when the last serve stopped starts again
        paused=False,
        description="The refresh flow on a schedule (paper-pipeline serve).",
        # the supervisor prints where the server and its UI are
        print_starting_message=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(run_runner())
