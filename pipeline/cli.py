"""Command line: ``python -m pipeline`` or ``paper-pipeline``.

Errors a person can fix are one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from pipeline import __version__
from pipeline.core.errors import PipelineError
from pipeline.core.settings import get_settings
from pipeline.models import Source, SourceFormat

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
    serve = commands.add_parser(
        "serve",
        help="run the refresh flow on a schedule (starts a local Prefect server, Ctrl-C stops)",
    )
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--cron", help='cron schedule in UTC (default: "0 6 * * *", daily)')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    serve.add_argument(
        "--port", type=int, default=4200, help="the local Prefect server's port (default: 4200)"
    )
    replay = commands.add_parser(
        "replay", help="one dataset version per historical README (tarball, folder, git repo)"
    )
    replay.add_argument(
        "location", type=Path, help="a .tar.xz / folder of dated versions, or a git repo"
    )
    replay.add_argument("--name", help="dataset name (default: from the location)")
    replay.add_argument("--path", default="README.md", help="the file's path in a git repo")
    replay.add_argument("--limit", type=int, help="replay only the first N versions")

    ingest = commands.add_parser(
        "ingest-readme", help="ingest one README (URL or file) into its own dataset"
    )
    ingest.add_argument("target", metavar="URL|PATH", help="a README's URL or a local file")
    ingest.add_argument("--name", help="dataset name (default: owner-repo, or from the file)")
    ingest.add_argument("--add", action="store_true", help="also append it to sources.toml")
    commands.add_parser("sources", help="list the sources in sources.toml")
    commands.add_parser("settings", help="show every PIPELINE_* setting and its current value")

    versions = commands.add_parser("versions", help="list the versions of a dataset")
    versions.add_argument("dataset")

    export = commands.add_parser(
        "export",
        help="one table of a version as jsonl, csv, parquet, bibtex or csl-json",
        description="Example: paper-pipeline export papers --format bibtex --where 'year>=2023' "
        "-o papers.bib",
    )
    export.add_argument("dataset")
    export.add_argument(
        "--format", required=True, help="jsonl, csv, parquet, bibtex, csl-json, json"
    )
    export.add_argument("--version", help="default: LATEST")
    export.add_argument("--table", default="records", help="default: records")
    export.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FILTER",
        help="keep records where FIELD OP VALUE holds (= != >= <= > < ~); repeatable",
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    report = commands.add_parser(
        "report",
        help="a Markdown and a static HTML report: what a curator fixes next",
        description="Example: paper-pipeline report (every dataset) or paper-pipeline "
        "report papers awesome-deep-phenomena -o site/",
    )
    report.add_argument("datasets", nargs="*", help="default: every dataset (--all)")
    report.add_argument("--all", action="store_true", help="every dataset (the default)")
    report.add_argument("-o", "--output", type=Path, help="folder (default: PIPELINE_REPORTS_DIR)")

    diff = commands.add_parser("diff", help="what changed between two versions of a dataset")
    diff.add_argument("dataset")
    diff.add_argument("old", nargs="?", help="default: the version before NEW")
    diff.add_argument("new", nargs="?", help="default: LATEST")
    diff.add_argument("--json", action="store_true", help="print changes.json-style JSON")

    index = commands.add_parser(
        "arxiv-index", help="the local arXiv title index (OAI-PMH harvest into SQLite FTS5)"
    )
    index_commands = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    update = index_commands.add_parser(
        "update", help="harvest what arXiv added or changed since the last update"
    )
    update.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="SET",
        help="an OAI-PMH set (repeatable; default: PIPELINE_ARXIV_INDEX_SETS)",
    )
    update.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="harvest from this day")
    return parser


def _source_for(path: Path, text: str, fmt: SourceFormat) -> Source:
    """The Source a file belongs to: sources.toml's entry for that snapshot, else a stand-in."""
    from pipeline.parse.detect import source_for_path
    from pipeline.sources.config import load_sources
    from pipeline.sources.snapshots import read_snapshot_meta

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
    from pipeline.core.ids import sha256_bytes
    from pipeline.parse.detect import detect_format
    from pipeline.run.steps import parse_snapshot
    from pipeline.sources.decode import decode_document
    from pipeline.sources.snapshots import Snapshot

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"{path}: {exc.strerror or exc}") from None
    text = decode_document(data, str(path))
    fmt = SourceFormat(forced) if forced else detect_format(text)
    source = _source_for(path, text, fmt)
    bundle = parse_snapshot(Snapshot(source, path, text, sha256_bytes(data), fmt))
    document = bundle.document
    assert isinstance(document, BaseModel)  # every kind's document is a record
    sys.stdout.write(json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    return 0


def _command_refresh(refresh_arxiv: bool) -> int:
    from pipeline.sources.config import load_sources

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


def _command_serve(cron: str | None, interval: float | None, port: int) -> int:
    from flows.prefect_env import configure_prefect

    settings = get_settings()
    configure_prefect(settings)
    from flows.serve import serve_refresh

    return serve_refresh(settings, cron=cron, interval=interval, port=port)


def _command_replay(location: Path, name: str | None, file_path: str, limit: int | None) -> int:
    from pipeline.run.replay import replay_name

    settings = get_settings()
    if not location.exists():
        raise PipelineError(f"{location}: no such archive, folder or git repository")
    dataset = name or replay_name(location)

    from flows.prefect_env import configure_prefect

    configure_prefect(settings)
    from flows.replay import replay

    summary = replay(location, dataset, settings, file_path=file_path, limit=limit)
    print(
        f"{dataset}: {len(summary.written)} versions written, "
        f"{summary.already_present} already present, {summary.warnings} parse warnings"
        f" -> {settings.processed_dir / dataset}"
    )
    return 0


def _command_ingest_readme(target: str, name: str | None, add: bool) -> int:
    from pipeline.run.ingest_readme import dataset_name, prepare_readme
    from pipeline.sources.config import check_new_source

    settings = get_settings()
    if add:
        check_new_source(settings.sources_file, dataset_name(target, name))
    # Fetched and recognised before Prefect starts: a document that is no paper list is
    # refused in one line, without a server start and without a log around it.
    prepared = prepare_readme(target, settings, name=name)

    from flows.prefect_env import configure_prefect

    configure_prefect(settings)
    from flows.ingest_readme import ingest_readme

    result = ingest_readme(target, settings, name=name, add=add, prepared=prepared)
    written = result.write
    print(
        f"{written.dataset}: {written.status} {written.version} ({result.cards} cards; "
        f"{result.warnings} parse warnings) -> {written.path}"
    )
    print(f"snapshot: {result.snapshot_path}")
    if result.enrichment:
        print("arXiv: " + ", ".join(f"{n} {status}" for status, n in result.enrichment.items()))
    for note in result.notes:
        print(f"note: {note}")
    if result.added_to is not None:
        print(f"added: source {result.source.id!r} to {result.added_to}")
    return 0


def _command_sources() -> int:
    from pipeline.sources.config import load_sources

    for source in load_sources(get_settings().sources_file):
        print(f"{source.id}\t{source.kind}\t{source.url}")
    return 0


def _command_settings() -> int:
    from pipeline.core.settings import Settings

    settings = get_settings()
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        about = f"  # {field.description}" if field.description else ""
        print(f"PIPELINE_{name.upper()}={'' if value is None else value}{about}")
    return 0


def _command_versions(dataset: str) -> int:
    from pipeline.store.versions import latest_version, list_versions, read_manifest

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
    from pipeline.store.changes import render_change_sets
    from pipeline.store.versions import diff_versions, latest_version, list_versions

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


def _command_export(
    dataset: str,
    format_name: str,
    version: str | None,
    table: str,
    where: list[str],
    output: Path | None,
) -> int:
    from pipeline.core.files import write_atomic
    from pipeline.store.export import export_table

    settings = get_settings()
    exported = export_table(
        settings.processed_dir,
        dataset,
        format_name=format_name,
        version=version,
        table=table,
        where=where,
    )
    if output is None or str(output) == "-":
        if exported.format == "parquet" and sys.stdout.isatty():
            raise PipelineError("parquet is binary: give -o PATH (or redirect stdout)")
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
    else:
        try:
            write_atomic(output, exported.data)
        except OSError as exc:
            raise PipelineError(f"{output}: {exc.strerror or exc}") from None
        print(
            f"{exported.dataset} {exported.version} {exported.table}: {exported.records} "
            f"records as {exported.format} -> {output}",
            file=sys.stderr,
        )
    return 0


def _command_report(datasets: list[str], everything: bool, output: Path | None) -> int:
    from pipeline.report import build_report, write_report
    from pipeline.sources.config import load_sources

    settings = get_settings()
    if everything and datasets:
        raise PipelineError("give dataset names or --all, not both")
    sources = load_sources(settings.sources_file) if settings.sources_file.is_file() else []
    report = build_report(
        settings.processed_dir,
        settings.state_dir,
        datasets or None,
        source_ids=[source.id for source in sources],
    )
    markdown, html = write_report(report, output or settings.reports_dir)
    print(f"report: {markdown} and {html} ({len(report.datasets)} datasets)")
    return 0


def _command_arxiv_index_update(sets: list[str] | None, since: str | None) -> int:
    from pipeline.enrich.arxiv.harvest import HarvestError, update_index

    settings = get_settings()
    if settings.offline:
        raise PipelineError("arxiv-index update: PIPELINE_OFFLINE is set")
    try:
        summary = update_index(settings, sets=sets, since=since)
    except HarvestError as exc:
        raise PipelineError(f"arxiv-index update: {exc}") from None
    for set_spec, count in summary.records.items():
        print(f"{set_spec}: {count} records stored")
    print(
        f"{summary.size} papers in the index ({summary.deleted} deleted, "
        f"{summary.requests} requests)"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return _command_parse(args.path, args.format)
        if args.command == "refresh":
            return _command_refresh(args.refresh_arxiv)
        if args.command == "serve":
            return _command_serve(args.cron, args.interval, args.port)
        if args.command == "replay":
            return _command_replay(args.location, args.name, args.path, args.limit)
        if args.command == "ingest-readme":
            return _command_ingest_readme(args.target, args.name, args.add)
        if args.command == "sources":
            return _command_sources()
        if args.command == "settings":
            return _command_settings()
        if args.command == "versions":
            return _command_versions(args.dataset)
        if args.command == "export":
            return _command_export(
                args.dataset, args.format, args.version, args.table, args.where, args.output
            )
        if args.command == "report":
            return _command_report(args.datasets, args.all, args.output)
        if args.command == "diff":
            return _command_diff(args.dataset, args.old, args.new, args.json)
        if args.command == "arxiv-index":
            return _command_arxiv_index_update(args.sets, args.since)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE
