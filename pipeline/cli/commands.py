"""The commands. Each is a thin layer: settings, one library (or flow) call, output.

Heavy imports (Prefect above all) happen inside the commands that need them, so ``parse``,
``versions`` or a refused ``ingest-readme`` answer without starting anything.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from pipeline.cli.output import note, out, plain, print_json, print_table, progress_bars
from pipeline.core.errors import PipelineError
from pipeline.core.settings import Settings, get_settings
from pipeline.models import Manifest, Source, SourceFormat

EXIT_PARTIAL = 3
EXIT_DAMAGED = 1

AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also show Prefect's own log lines.")
]


@contextmanager
def _locks(settings: Settings, datasets: Sequence[str], *, state: bool = True) -> Iterator[None]:
    """The run's locks, taken before Prefect starts: a refused run costs no server start.
    The chain takes them again (re-entrant within this process)."""
    from pipeline.run.steps import run_locks

    with run_locks(settings, datasets, note, state=state):
        yield


def _start_prefect(settings: Settings, *, verbose: bool) -> None:
    from flows.prefect_env import configure_prefect

    configure_prefect(settings, verbose=verbose)


def _changes(result: Any, settings: Settings) -> tuple[int, int, int, int]:
    """(added, removed, changed, renamed) records of a version just written, from its
    changes.json."""
    if result.status != "written":
        return (0, 0, 0, 0)
    from pipeline.store.compaction import read_version_file

    try:
        change_sets = json.loads(read_version_file(result.path / "changes.json"))
    except (PipelineError, OSError, ValueError):
        return (0, 0, 0, 0)
    records = next((c for c in change_sets if c.get("table") == "records"), None)
    if records is None:
        return (0, 0, 0, 0)
    added, removed, changed, renamed = (
        len(records.get(key) or ()) for key in ("added", "removed", "changed", "renamed")
    )
    return (added, removed, changed, renamed)


SUMMARY_COLUMNS = [
    "dataset", "status", "version", "records", "new", "removed", "changed", "renamed",
    "warnings",
]  # fmt: skip


def _summary_table(results: list[Any], warnings: dict[str, int], settings: Settings) -> None:
    rows = []
    for result in results:
        added, removed, changed, renamed = _changes(result, settings)
        counts = ", ".join(f"{n} {name}" for name, n in result.record_counts.items())
        rows.append(
            (
                result.dataset,
                result.status,
                result.version,
                counts,
                added,
                removed,
                changed,
                renamed,
                warnings.get(result.dataset, ""),
            )
        )
    print_table(
        None,
        SUMMARY_COLUMNS,
        rows,
    )


# --------------------------------------------------------------------------- runs


def refresh(
    source_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="ID",
            help="Refresh only this source of sources.toml (repeatable); the papers are "
            "linked from it and the latest versions of the others.",
        ),
    ] = None,
    refresh_arxiv: Annotated[
        bool,
        typer.Option(
            "--refresh-arxiv", help="Ask arXiv again even where the cached answer has not expired."
        ),
    ] = False,
    accept_drop: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-drop",
            metavar="SOURCE",
            help="Publish SOURCE even though it lost most of its records; repeatable.",
        ),
    ] = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> int:
    """Refresh every source in sources.toml (the refresh flow, on Prefect's temporary server).

    Example: paper-pipeline refresh --source awesome-deep-phenomena
    """
    from pipeline.run.refresh import named_sources
    from pipeline.run.steps import PAPERS_DATASET
    from pipeline.sources.config import load_sources

    settings = get_settings()
    # A broken sources.toml is the user's to fix: one line before Prefect starts.
    sources = load_sources(settings.sources_file)
    if not sources:
        raise PipelineError(f"{settings.sources_file}: lists no [[source]]")
    named = named_sources(sources, source_ids or [])
    accepted = accept_drop or []
    unknown = sorted(set(accepted) - {source.id for source in sources})
    if unknown:
        raise PipelineError(f"--accept-drop {unknown[0]}: no such source in sources.toml")
    with _locks(settings, [*(source.id for source in named), PAPERS_DATASET]):
        _start_prefect(settings, verbose=verbose)
        from flows.refresh import refresh as refresh_flow

        with progress_bars(not as_json):
            summary = refresh_flow(
                settings,
                refresh_arxiv=refresh_arxiv,
                accept_drop=accepted,
                source_ids=list(source_ids or []),
            )
    if as_json:
        print_json(summary)
    else:
        _summary_table(summary.results, summary.warnings, settings)
        if summary.enrichment:
            statuses = ", ".join(f"{n} {status}" for status, n in summary.enrichment.items())
            out.print(f"arXiv: {statuses}", markup=False, highlight=False)
        for message in summary.notes:
            note(message)
    return 0 if summary.complete else EXIT_PARTIAL


def serve(
    cron: Annotated[
        str | None, typer.Option(help='Cron schedule in UTC (default: "0 6 * * *", daily).')
    ] = None,
    interval: Annotated[
        float | None, typer.Option(metavar="SECONDS", help="Run every SECONDS instead.")
    ] = None,
    port: Annotated[int, typer.Option(help="The local Prefect server's port.")] = 4200,
) -> int:
    """Run the refresh flow on a schedule (starts a local Prefect server; Ctrl-C stops).

    Example: paper-pipeline serve --cron "0 */6 * * *"
    """
    settings = get_settings()
    _start_prefect(settings, verbose=True)  # the runs' log lines are what serve shows
    from flows.serve import serve_refresh

    return serve_refresh(settings, cron=cron, interval=interval, port=port)


def replay(
    location: Annotated[
        Path, typer.Argument(help="A .tar.xz or folder of dated versions, or a git repository.")
    ],
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: from the location).")
    ] = None,
    path: Annotated[str, typer.Option(help="The file's path in a git repository.")] = "README.md",
    limit: Annotated[int | None, typer.Option(help="Replay only the first N versions.")] = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> int:
    """One dataset version per historical README, dated with its commit time.

    Example: paper-pipeline replay ../shared/corpus/awesome-deep-phenomena/readme-history.tar.xz
    """
    from pipeline.run.replay import replay_name

    settings = get_settings()
    if not location.exists():
        raise PipelineError(f"{location}: no such archive, folder or git repository")
    dataset = replay_name(location, name)
    with _locks(settings, [dataset], state=False):
        _start_prefect(settings, verbose=verbose)
        from flows.replay import replay as replay_flow

        with progress_bars(not as_json):
            summary = replay_flow(location, dataset, settings, file_path=path, limit=limit)
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"{dataset}: {len(summary.written)} versions written, "
            f"{summary.already_present} already present, {summary.warnings} parse warnings"
            f" -> {settings.processed_dir / dataset}",
            markup=False,
            highlight=False,
        )
    return 0


def ingest_readme(
    target: Annotated[
        str, typer.Argument(metavar="URL|PATH", help="A README's URL or a local file.")
    ],
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: owner-repo, or from the file).")
    ] = None,
    add: Annotated[bool, typer.Option("--add", help="Also append it to sources.toml.")] = False,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> int:
    """Ingest one README (URL or file) into its own dataset.

    Example: paper-pipeline ingest-readme https://github.com/owner/awesome-papers --add
    """
    from pipeline.run.ingest_readme import dataset_name, prepare_readme
    from pipeline.sources.config import check_new_source

    settings = get_settings()
    dataset = dataset_name(target, name)
    if add:
        check_new_source(settings.sources_file, dataset)
    with _locks(settings, []):
        # Fetched and recognised before Prefect starts: a document that is no paper list is
        # refused in one line, without a server start and without a log around it.
        prepared = prepare_readme(target, settings, name)
        _start_prefect(settings, verbose=verbose)
        from flows.ingest_readme import ingest_readme as ingest_flow

        result = ingest_flow(target, settings, name=name, add=add, prepared=prepared)
    if as_json:
        print_json(result)
    else:
        written = result.write
        out.print(
            f"{written.dataset}: {written.status} {written.version} ({result.cards} cards; "
            f"{result.warnings} parse warnings) -> {written.path}",
            markup=False,
            highlight=False,
        )
        out.print(f"snapshot: {result.snapshot_path}", markup=False, highlight=False)
        if result.enrichment:
            statuses = ", ".join(f"{n} {status}" for status, n in result.enrichment.items())
            out.print(f"arXiv: {statuses}", markup=False, highlight=False)
        for message in result.notes:
            note(message)
        if result.added_to is not None:
            out.print(f"added: source {result.source.id!r} to {result.added_to}", markup=False)
    pending = result.enrichment.get("pending", 0)
    return EXIT_PARTIAL if result.fell_back or pending else 0


# --------------------------------------------------------------------------- documents


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


def parse(
    path: Annotated[
        Path, typer.Argument(help="A README (markdown or page text), an event page or a feed.")
    ],
    format: Annotated[
        SourceFormat | None,
        typer.Option(
            "--format",
            help="Force the input format (default: markdown for .md/.markdown, else detected).",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Read it as this source kind: readme, workshop, session, listing, feed "
            "(default: detected).",
        ),
    ] = None,
) -> int:
    """Parse one document and print it as JSON: {kind, title, items, warnings}. Writes nothing.

    Example: paper-pipeline parse raw/001_dca7463950b001f7.txt | jq '.items | length'
    """
    from pipeline.core.files import read_capped
    from pipeline.core.ids import sha256_bytes
    from pipeline.kinds import check_kind
    from pipeline.parse.detect import format_of_file
    from pipeline.run.steps import parse_snapshot
    from pipeline.sources.decode import decode_bytes
    from pipeline.sources.snapshots import Snapshot

    data = read_capped(path)
    decoded = decode_bytes(data, str(path))
    if decoded.note:
        note(decoded.note)
    text = decoded.text
    fmt = format or format_of_file(path, text)
    source = _source_for(path, text, fmt)
    if kind is not None:
        source = source.model_copy(update={"kind": check_kind(kind).name})
    bundle = parse_snapshot(Snapshot(source, path, text, sha256_bytes(data), fmt))
    document = bundle.document
    assert isinstance(document, BaseModel)  # every kind's document is a record
    print_json(document)
    return 0


# --------------------------------------------------------------------------- datasets


def datasets(as_json: AsJson = False) -> int:
    """List the datasets in processed/: LATEST, versions, records and warnings.

    Example: paper-pipeline datasets --json
    """
    from pipeline.store.versions import latest_version, list_versions, read_manifest

    settings = get_settings()
    processed = settings.processed_dir
    rows: list[dict[str, Any]] = []
    if processed.is_dir():
        for folder in sorted(path for path in processed.iterdir() if path.is_dir()):
            latest = latest_version(processed, folder.name)
            if latest is None:
                continue
            manifest = read_manifest(processed, folder.name, latest)
            rows.append(
                {
                    "dataset": folder.name,
                    "latest": latest,
                    "versions": len(list_versions(processed, folder.name)),
                    "records": manifest.record_counts,
                    "warnings": manifest.warning_count,
                }
            )
    if as_json:
        print_json(rows)
    else:
        print_table(
            None,
            ["dataset", "LATEST", "versions", "records", "warnings"],
            [
                (
                    row["dataset"],
                    row["latest"],
                    row["versions"],
                    ", ".join(f"{n} {t}" for t, n in row["records"].items()),
                    row["warnings"],
                )
                for row in rows
            ],
        )
    return 0


def versions(
    dataset: Annotated[str, typer.Argument(help="A dataset name (see `datasets`).")],
    as_json: AsJson = False,
) -> int:
    """List a dataset's versions, oldest first (LATEST marked), with the commit each was
    made from when its source is on GitHub.

    Example: paper-pipeline versions papers
    """
    from pipeline.store.versions import latest_version, list_versions, read_manifest

    settings = get_settings()
    names = list_versions(settings.processed_dir, dataset)
    if not names:
        raise PipelineError(f"dataset {dataset!r} has no version in {settings.processed_dir}")
    latest = latest_version(settings.processed_dir, dataset)
    rows: list[dict[str, Any]] = []
    for name in names:
        manifest = read_manifest(settings.processed_dir, dataset, name)
        rows.append(
            {
                "version": name,
                "created_at": manifest.created_at,
                "records": manifest.record_counts,
                "commit": _made_from(manifest),
                "latest": name == latest,
            }
        )
    if as_json:
        print_json(rows)
        return 0
    for row in rows:
        counts = ", ".join(f"{n} {table}" for table, n in row["records"].items())
        commit = f"\tcommit {_short(row['commit'])}" if row["commit"] else ""
        marker = "  (LATEST)" if row["latest"] else ""
        out.print(
            f"{row['version']}\t{row['created_at'].isoformat()}\t{counts}{commit}{marker}",
            markup=False,
            highlight=False,
        )
    return 0


def diff(
    dataset: Annotated[str, typer.Argument(help="A dataset name.")],
    old: Annotated[str | None, typer.Argument(help="Default: the version before NEW.")] = None,
    new: Annotated[str | None, typer.Argument(help="Default: LATEST.")] = None,
    as_json: AsJson = False,
) -> int:
    """What changed between two versions of a dataset, record by record.

    Example: paper-pipeline diff awesome-deep-phenomena
    """
    from pipeline.store.changes import render_change_sets
    from pipeline.store.versions import diff_versions, latest_version, list_versions

    settings = get_settings()
    names = list_versions(settings.processed_dir, dataset)
    new = new or latest_version(settings.processed_dir, dataset)
    if new is None or new not in names:
        raise PipelineError(f"dataset {dataset!r} has no version {new or ''} to compare")
    if old is None:
        earlier = names[: names.index(new)]
        old = earlier[-1] if earlier else None
    elif old not in names:
        raise PipelineError(f"dataset {dataset!r} has no version {old!r}")
    change_sets = diff_versions(settings.processed_dir, dataset, old, new)
    if as_json:
        print_json(change_sets)
    else:
        sys.stdout.write(render_change_sets(change_sets))
    return 0


def export(
    dataset: Annotated[str, typer.Argument(help="A dataset name.")],
    format: Annotated[
        str, typer.Option("--format", help="jsonl, csv, parquet, bibtex, csl-json or json.")
    ],
    version: Annotated[str | None, typer.Option(help="Default: LATEST.")] = None,
    table: Annotated[str, typer.Option(help="Which table of the version.")] = "records",
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FILTER",
            help="Keep records where FIELD OP VALUE holds (= != >= <= > < ~); repeatable.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> int:
    """One table of any version (old ones included) in a format data tools read.

    Example: paper-pipeline export papers --format bibtex --where 'year>=2023' -o papers.bib
    """
    from pipeline.core.files import write_atomic
    from pipeline.store.export import export_table

    settings = get_settings()
    exported = export_table(
        settings.processed_dir,
        dataset,
        format_name=format,
        version=version,
        table=table,
        where=where or [],
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
        note(
            f"{exported.dataset} {exported.version} {exported.table}: {exported.records} "
            f"records as {exported.format} -> {output}"
        )
    return 0


def validate(
    dataset: Annotated[str | None, typer.Argument(help="Default: every dataset.")] = None,
    as_json: AsJson = False,
) -> int:
    """Check every version against its schema.json and manifest checksums, and LATEST.

    Exit code 1 names anything tampered with or incomplete.
    Example: paper-pipeline validate papers
    """
    from pipeline.store.validate import validate_datasets

    settings = get_settings()
    findings = validate_datasets(settings.processed_dir, [dataset] if dataset else None)
    problems = [finding for finding in findings if not finding.ok]
    if as_json:
        print_json(findings)
    else:
        checked = {(f.dataset, f.version) for f in findings}
        for problem in problems:
            out.print(f"{problem.dataset} {problem.version}: {problem.message}", markup=False)
        out.print(f"{len(checked)} versions checked, {len(problems)} problems", markup=False)
    return EXIT_DAMAGED if problems else 0


def report(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[DATASET]...", help="Default: every dataset.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every dataset (the default).")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder (default: PIPELINE_REPORTS_DIR).")
    ] = None,
) -> int:
    """A Markdown and a static HTML report: what a curator fixes next.

    Example: paper-pipeline report papers awesome-deep-phenomena -o site/
    """
    from pipeline.report import build_report, write_report
    from pipeline.sources.config import load_sources

    settings = get_settings()
    if everything and names:
        raise PipelineError("give dataset names or --all, not both")
    sources = load_sources(settings.sources_file) if settings.sources_file.is_file() else []
    built = build_report(
        settings.processed_dir,
        settings.state_dir,
        names or None,
        source_ids=[source.id for source in sources],
    )
    markdown, html = write_report(built, output or settings.reports_dir)
    out.print(f"report: {markdown} and {html} ({len(built.datasets)} datasets)", markup=False)
    return 0


# --------------------------------------------------------------------------- configuration


def sources(as_json: AsJson = False) -> int:
    """List the sources: kind, URL, tracking or pinned, last fetch, last new version.

    Example: paper-pipeline sources --json
    """
    from pipeline.sources.config import load_sources
    from pipeline.sources.fetch import follow_mode
    from pipeline.sources.snapshots import read_check
    from pipeline.store.versions import latest_version, read_manifest

    settings = get_settings()
    rows: list[dict[str, Any]] = []
    for source in load_sources(settings.sources_file):
        check = read_check(settings.state_dir, source.id)
        latest = latest_version(settings.processed_dir, source.id)
        manifest = read_manifest(settings.processed_dir, source.id, latest) if latest else None
        mode, ref = follow_mode(source.url)
        rows.append(
            {
                "id": source.id,
                "kind": source.kind,
                "url": source.url,
                "follows": mode,
                "ref": ref,
                "last_fetch": plain(check) if check else None,
                "latest_version": latest,
                "latest_created_at": manifest.model_dump(mode="json")["created_at"]
                if manifest
                else None,
                "latest_commit": _made_from(manifest) if manifest else None,
                "warnings": manifest.warning_count if manifest else None,
            }
        )
    if as_json:
        print_json(rows)
        return 0
    print_table(
        None,
        ["id", "kind", "url", "follows", "last fetch", "status", "commit", "LATEST", "warnings"],
        [
            (
                row["id"],
                row["kind"],
                row["url"],
                row["follows"] + (f" {_short(row['ref'])}" if row["ref"] else ""),
                (row["last_fetch"] or {}).get("checked_at", "never"),
                (row["last_fetch"] or {}).get("status", ""),
                _short((row["last_fetch"] or {}).get("commit")) or "-",
                (row["latest_version"] or "-")
                + (f" @ {_short(row['latest_commit'])}" if row["latest_commit"] else ""),
                row["warnings"] if row["warnings"] is not None else "-",
            )
            for row in rows
        ],
    )
    return 0


def _made_from(manifest: Manifest) -> str | None:
    """The commit a version was made from: the one its inputs were read at, when they name
    one (a README and its list files; not the papers of several tracked READMEs)."""
    commits = {item.commit for item in manifest.inputs if item.commit}
    return commits.pop() if len(commits) == 1 else None


def _short(ref: str | None) -> str | None:
    """A commit as people write it (7 digits); branch names as they are."""
    if ref and len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        return ref[:7]
    return ref


def settings(as_json: AsJson = False) -> int:
    """Every PIPELINE_* setting with its current value and meaning.

    Example: PIPELINE_OFFLINE=true paper-pipeline settings
    """
    current = get_settings()
    rows = [
        (f"PIPELINE_{name.upper()}", getattr(current, name), field.description or "")
        for name, field in Settings.model_fields.items()
    ]
    if as_json:
        print_json({name: value for name, value, _ in rows})
        return 0
    for name, value, about in rows:
        shown = "" if value is None else value
        comment = f"  # {about}" if about else ""
        out.print(f"{name}={shown}{comment}", markup=False, highlight=False)
    return 0


# --------------------------------------------------------------------------- arXiv title index

ARXIV_INDEX_LOCK = "arxiv-index.lock"  # in the state folder: one harvest at a time


def arxiv_index_update(
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="SET",
            help="An OAI-PMH set to harvest; repeatable (default: PIPELINE_ARXIV_INDEX_SETS).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="YYYY-MM-DD",
            help="Harvest from this day (default: each set's last harvested day).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> int:
    """Harvest what arXiv added or changed since the last update into the title index.

    OAI-PMH into SQLite FTS5, each set from the last day it stored.
    PIPELINE_ARXIV_TITLE_INDEX=true makes a refresh match titles there.
    Example: paper-pipeline arxiv-index update --set cs
    """
    from datetime import date

    from pipeline.core.locks import exclusive
    from pipeline.enrich.arxiv.harvest import HarvestError, update_index

    settings = get_settings()
    if settings.offline:
        raise PipelineError("arxiv-index update: PIPELINE_OFFLINE is set")
    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise PipelineError(f"--from {since!r}: not a day (YYYY-MM-DD)") from None
    with exclusive(
        settings.state_dir / ARXIV_INDEX_LOCK,
        "the arXiv title index",
        "being updated",
        wait=settings.lock_wait_seconds,
        notify=note,
    ):
        try:
            summary = update_index(settings, sets=sets, since=since)
        except HarvestError as exc:
            raise PipelineError(f"arxiv-index update: {exc}") from None
    if as_json:
        print_json(summary)
        return 0
    for set_spec, count in summary.records.items():
        out.print(f"{set_spec}: {count} records stored", markup=False, highlight=False)
    out.print(
        f"{summary.size} papers in the index ({summary.deleted} deleted, "
        f"{summary.requests} requests)",
        markup=False,
        highlight=False,
    )
    return 0


arxiv_index = typer.Typer(
    name="arxiv-index",
    help="The local arXiv title index: title matching without search requests.\n\n"
    "Example: paper-pipeline arxiv-index update",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
arxiv_index.command("update")(arxiv_index_update)


def register(app: typer.Typer) -> None:
    """Every command on the app, in the order --help lists them."""
    for command, name in (
        (refresh, "refresh"),
        (serve, "serve"),
        (ingest_readme, "ingest-readme"),
        (replay, "replay"),
        (parse, "parse"),
        (datasets, "datasets"),
        (versions, "versions"),
        (diff, "diff"),
        (export, "export"),
        (validate, "validate"),
        (report, "report"),
        (sources, "sources"),
        (settings, "settings"),
    ):
        app.command(name)(command)
    app.add_typer(arxiv_index, name="arxiv-index")
