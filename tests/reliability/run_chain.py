"""A chain run as its own process, without Prefect (which would add ~10 s a start):
``python -m tests.reliability.run_chain refresh`` or ``... replay LOCATION DATASET``, with
the PIPELINE_* environment saying where. Errors as the CLI prints them (one line, exit 2);
a finished but partial refresh exits 3. ``RUN_CHAIN_HOLD_SECONDS``: a replay pauses that
long after its first chunk of versions, holding its dataset's lock, so that a test can
start a second run while the first certainly runs (a replay of 30 versions may end before
another interpreter has started)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.settings import get_settings


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    from pipeline.run.runner import InProcess

    hold = float(os.environ.get("RUN_CHAIN_HOLD_SECONDS", "0"))

    class Noisy(InProcess):
        held = False

        def note(self, message: str) -> None:
            _note(message)

        def info(self, message: str) -> None:  # after each chunk of a replay
            if hold and not self.held:
                self.held = True
                time.sleep(hold)

    settings = get_settings()
    try:
        if argv[0] == "refresh":
            from pipeline.run.refresh import refresh

            summary = refresh(settings, runner=Noisy())
            for result in summary.results:
                print(f"{result.dataset}: {result.status} {result.version}", flush=True)
            return 0 if summary.complete else 3
        from pipeline.run.replay import replay

        done = replay(Path(argv[1]), argv[2], settings, runner=Noisy())
        print(f"{argv[2]}: {len(done.written)} versions written", flush=True)
        return 0
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
