"""Command line: ``paper-pipeline`` (or ``python -m pipeline``), on typer and rich.

Exit codes: 0 done; 1 ``validate`` found a damaged or incomplete version; 2 bad input or
usage (one ``error:`` line, never a traceback); 3 done but partial (a fetch fell back to the
last good snapshot, a source was skipped, papers are pending); 130 interrupted. A closed
pipe (``| head``) ends quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException

from pipeline import __version__
from pipeline.cli import commands
from pipeline.core.errors import PipelineError

EXIT_OK = 0
EXIT_USAGE = 2

app = typer.Typer(
    name="paper-pipeline",
    help="Ingest ML research metadata (conference pages, awesome-list READMEs) into "
    "versioned, deterministic JSON datasets, enriched with arXiv.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
commands.register(app)


def _version(value: bool) -> None:
    if value:
        print(f"paper-pipeline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Ingest ML research metadata into versioned JSON datasets."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except typer.Exit as done:
        return int(done.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        print("error: interrupted", file=sys.stderr)
        return 130
    except TyperException as exc:  # a usage error: an unknown option, a missing argument
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message.strip():  # without arguments, the help was the answer: no error line
            print(f"error: {message} (see --help)", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (| head): no traceback, and no second error at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return result if isinstance(result, int) else EXIT_OK


__all__ = ["app", "main"]
