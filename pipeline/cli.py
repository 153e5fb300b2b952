"""Command line: ``python -m pipeline`` or ``paper-pipeline``.

Errors a person can fix are one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.models import Source, SourceFormat
from pipeline.settings import get_settings

EXIT_USAGE = 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paper-pipeline",
        description="Ingest ML research metadata into versioned JSON datasets.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser(
        "parse", help="parse one document and print it as JSON (no output files)"
    )
    parse.add_argument("path", type=Path, help="a README (markdown or page text) or event page")
    parse.add_argument(
        "--format",
        choices=[fmt.value for fmt in SourceFormat],
        help="force the input format (default: detected)",
    )

    refresh = commands.add_parser(
        "refresh", help="run the refresh flow over sources.toml (Prefect, embedded server)"
    )
    refresh.add_argument(
        "--refresh-arxiv",
        action="store_true",
        help="ask arXiv again even for papers whose cached answer has not expired",
    )
    commands.add_parser("sources", help="list the sources in sources.toml")
    commands.add_parser("settings", help="show every PIPELINE_* setting and its current value")

    versions = commands.add_parser("versions", help="list the versions of a dataset")
    versions.add_argument("dataset")

    diff = commands.add_parser("diff", help="what changed between two versions of a dataset")
    diff.add_argument("dataset")
    diff.add_argument("old", nargs="?", help="default: the version before NEW")
    diff.add_argument("new", nargs="?", help="default: LATEST")
    diff.add_argument("--json", action="store_true", help="print changes.json-style JSON")
    return parser


def _source_for(path: Path, text: str, fmt: SourceFormat) -> Source:
    """The Source a file belongs to: sources.toml's entry for that snapshot, else a stand-in."""
    from pipeline.parsing import source_for_path
    from pipeline.sources import load_sources, read_snapshot_meta

    settings = get_settings()
    if settings.sources_file.is_file():
        resolved = path.resolve()
        for source in load_sources(settings.sources_file):
            snapshot = (settings.raw_dir / source.snapshot) if source.snapshot else None
            if snapshot is not None and snapshot.resolve() == resolved:
                return source
    stand_in = source_for_path(path, text, fmt)
    meta = read_snapshot_meta(path)
    if meta is None:
        return stand_in
    return stand_in.model_copy(
        update={
            "id": meta.source_id,
            "kind": meta.kind,
            "url": meta.url,
            "venue": meta.venue,
            "date": meta.date,
            "timezone": meta.timezone,
            "year": meta.date.year if meta.date else None,
        }
    )


def _command_parse(path: Path, forced: str | None) -> int:
    from pipeline.parsing import detect_format, parse_document
    from pipeline.sources import decode_document

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"{path}: {exc.strerror or exc}") from None
    text = decode_document(data, str(path))
    fmt = SourceFormat(forced) if forced else detect_format(text)
    source = _source_for(path, text, fmt)
    document = parse_document(text, source, fmt)
    sys.stdout.write(json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    return 0


def _command_refresh(refresh_arxiv: bool) -> int:
    from pipeline.sources import load_sources

    settings = get_settings()
    # A broken sources.toml is the user's to fix: one line before Prefect starts.
    if not load_sources(settings.sources_file):
        raise PipelineError(f"{settings.sources_file}: lists no [[source]]")

    from flows.prefect_env import configure_prefect

    configure_prefect(settings)
    from flows.refresh import refresh

    summary = refresh(settings, refresh_arxiv=refresh_arxiv)
    for result in summary.results:
        counts = ", ".join(f"{n} {name}" for name, n in result.record_counts.items())
        warnings = summary.warnings.get(result.dataset)
        shown = f"; {warnings} parse warnings" if warnings is not None else ""
        print(
            f"{result.dataset}: {result.status} {result.version} ({counts}{shown}) -> {result.path}"
        )
    if summary.enrichment:
        print("arXiv: " + ", ".join(f"{n} {status}" for status, n in summary.enrichment.items()))
    for note in summary.notes:
        print(f"note: {note}")
    return 0


def _command_sources() -> int:
    from pipeline.sources import load_sources

    for source in load_sources(get_settings().sources_file):
        print(f"{source.id}\t{source.kind.value}\t{source.url}")
    return 0


def _command_settings() -> int:
    from pipeline.settings import Settings

    settings = get_settings()
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        about = f"  # {field.description}" if field.description else ""
        print(f"PIPELINE_{name.upper()}={'' if value is None else value}{about}")
    return 0


def _command_versions(dataset: str) -> int:
    from pipeline.storage import latest_version, list_versions, read_manifest

    settings = get_settings()
    versions = list_versions(settings.processed_dir, dataset)
    if not versions:
        raise PipelineError(f"dataset {dataset!r} has no version in {settings.processed_dir}")
    latest = latest_version(settings.processed_dir, dataset)
    for name in versions:
        manifest = read_manifest(settings.processed_dir, dataset, name)
        counts = ", ".join(f"{n} {table}" for table, n in manifest.record_counts.items())
        marker = "  (LATEST)" if name == latest else ""
        print(f"{name}\t{manifest.created_at.isoformat()}\t{counts}{marker}")
    return 0


def _command_diff(dataset: str, old: str | None, new: str | None, as_json: bool) -> int:
    from pipeline.changes import render_change_sets
    from pipeline.storage import diff_versions, latest_version, list_versions

    settings = get_settings()
    versions = list_versions(settings.processed_dir, dataset)
    new = new or latest_version(settings.processed_dir, dataset)
    if new is None or new not in versions:
        raise PipelineError(f"dataset {dataset!r} has no version {new or ''} to compare")
    if old is None:
        earlier = versions[: versions.index(new)]
        old = earlier[-1] if earlier else None
    elif old not in versions:
        raise PipelineError(f"dataset {dataset!r} has no version {old!r}")
    change_sets = diff_versions(settings.processed_dir, dataset, old, new)
    if as_json:
        print(json.dumps([c.model_dump(mode="json") for c in change_sets], indent=2))
    else:
        sys.stdout.write(render_change_sets(change_sets))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return _command_parse(args.path, args.format)
        if args.command == "refresh":
            return _command_refresh(args.refresh_arxiv)
        if args.command == "sources":
            return _command_sources()
        if args.command == "settings":
            return _command_settings()
        if args.command == "versions":
            return _command_versions(args.dataset)
        if args.command == "diff":
            return _command_diff(args.dataset, args.old, args.new, args.json)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE
