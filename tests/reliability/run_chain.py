"""A chain run as its own process, without Prefect (which would add ~10 s a start):
``python -m tests.reliability.run_chain refresh`` or ``... replay LOCATION DATASET``, with
the PIPELINE_* environment saying where. Errors as the CLI prints them (one line, exit 2);
a finished but partial refresh exits 3."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.settings import get_settings


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    from pipeline.run.runner import InProcess

    class Noisy(InProcess):
        def note(self, message: str) -> None:
            _note(message)

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
