"""The steps every run chain is made of, as plain functions over records.

snapshot -> (reuse a stored version | parse) -> [parts] -> link -> enrich -> versions ->
write. What a step means for a source's documents is its kind's (:mod:`pipeline.kinds`);
the chains in :mod:`pipeline.run` order the steps and hand them to a runner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.core.collection import fewer_collections
from pipeline.core.errors import PipelineError
from pipeline.core.ids import sha256_bytes
from pipeline.core.locks import dataset_locks, state_lock
from pipeline.core.progress import progress
from pipeline.core.settings import Settings
from pipeline.enrich import EnrichmentReport, PaperRef, enricher_for
from pipeline.kinds import (
    FollowsDocuments,
    HasParts,
    NotesFromStore,
    SourceBundle,
    check_kind,
    kind_of,
    snapshot_notes,
    with_linked_files,
)
from pipeline.kinds.base import TableReader
from pipeline.link.blocking import PairFinder, blocked_pairs
from pipeline.link.identity import KnownPaper, carry_ids, known_papers
from pipeline.link.papers import LinkResult, Mention, link_papers
from pipeline.models import (
    Enrichments,
    InputFile,
    Manifest,
    NearMiss,
    Paper,
    ParseWarning,
    Source,
)
from pipeline.parse.detect import detect_format
from pipeline.parse.readme import clear_parse_caches
from pipeline.sources.pacing import HostPacer
from pipeline.sources.snapshots import Snapshot, load_snapshot, read_snapshot_meta
from pipeline.store.versions import (
    MAIN_TABLE,
    DatasetVersion,
    Table,
    WriteResult,
    latest_from_inputs,
    latest_version,
    read_manifest,
    read_table,
    recover,
    verify_version,
    write_version,
)
from pipeline.store.writers import WRITERS, version_file_names

PAPERS_DATASET = "papers"
MAX_CONTINUATIONS = 200  # further documents of one source (a feed's pages) per run
MAX_PART_DEPTH = 2  # parts of parts (a conference's feed is a part: depth 1)
# A new version holding less than this share of the last good one's records is not
# published without --accept-drop: a page that lost its content, not a list that shrank.
DROP_RATIO = 0.5


# --------------------------------------------------------------------------- locks


@contextmanager
def run_locks(
    settings: Settings,
    datasets: Sequence[str],
    notify: Callable[[str], None],
    *,
    state: bool = True,
) -> Iterator[None]:
    """Hold, for a whole chain, the state folder's lock (``state``) and the locks of the
    datasets it writes; waiting up to PIPELINE_LOCK_WAIT_SECONDS, saying so. The chain
    runs with the collector set for many records (:mod:`pipeline.core.collection`)."""
    wait = settings.lock_wait_seconds
    with ExitStack() as stack:
        stack.enter_context(fewer_collections())
        if state:
            stack.enter_context(state_lock(settings.state_dir, wait=wait, notify=notify))
        stack.enter_context(
            dataset_locks(settings.processed_dir, list(datasets), wait=wait, notify=notify)
        )
        yield


def _shown(path: Path, raw_dir: Path) -> str:
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.as_posix()


DEFINITION = "sources.toml#"  # an input that is a source's definition, not a file


def snapshot_inputs(snapshot: Snapshot, raw_dir: Path) -> list[InputFile]:
    """The inputs a version depends on: the snapshot's bytes, its parts' (other files its
    records are read from) and the source's definition; each file with the commit it was
    read at, when it has one. A stored version's snapshot lists what its manifest does."""
    if snapshot.recorded is not None:
        return list(snapshot.recorded)
    source_id = snapshot.source.id
    definition = snapshot.source.model_dump_json(exclude_none=True).encode("utf-8")
    return [
        InputFile(
            source_id=source_id,
            path=_shown(snapshot.path, raw_dir),
            sha256=snapshot.sha256,
            commit=snapshot.commit,
        ),
        *(
            InputFile(
                source_id=source_id,
                path=_shown(part.path, raw_dir),
                sha256=part.sha256,
                commit=part.commit,
            )
            for part in snapshot.parts
        ),
        InputFile(
            source_id=snapshot.source.id,
            path=DEFINITION + snapshot.source.id,
            sha256=sha256_bytes(definition),
        ),
        *(
            item
            for continued in snapshot.continuations
            for item in snapshot_inputs(continued, raw_dir)[:1]
        ),
    ]


def take_snapshot(
    source: Source, settings: Settings, pacer: HostPacer | None = None, embedded: bool = True
) -> Snapshot | str:
    """This run's snapshot of a source (fetched, or the last good one), with the further
    documents its kind follows; a source that cannot be read at all gives a one-line reason
    instead, so the other sources still refresh."""
    pacer = pacer or HostPacer(settings.fetch_delay_seconds)
    if not settings.offline:
        pacer.wait(source.url)
    try:
        snapshot = with_linked_files(load_snapshot(source, settings, embedded=embedded), settings)
    except PipelineError as exc:
        return f"{source.id}: skipped: {exc}"
    finally:
        progress("fetch", note=source.id)
    kind = check_kind(source.kind)
    if isinstance(kind, FollowsDocuments):
        snapshot = _follow(snapshot, kind, settings, pacer)
    return snapshot


def _follow(
    first: Snapshot, kind: FollowsDocuments, settings: Settings, pacer: HostPacer
) -> Snapshot:
    """The first document with every further one its kind names, fetched one by one."""
    seen = {first.source.url}
    queue = list(kind.continuations(first))
    followed: list[Snapshot] = []
    notes = [first.note] if first.note else []
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        if len(followed) >= MAX_CONTINUATIONS:
            notes.append(
                f"{first.source.id}: more than {MAX_CONTINUATIONS} documents; "
                f"{url} and after not read"
            )
            break
        seen.add(url)
        if not settings.offline:
            pacer.wait(url)
        try:
            page = load_snapshot(
                first.source.model_copy(update={"url": url, "snapshot": None}),
                settings,
                embedded=False,
            )
        except PipelineError as exc:
            notes.append(f"{first.source.id}: {exc}; the source is read without it")
            continue
        followed.append(page)
        queue.extend(kind.continuations(page))
    note = "; ".join(notes) or None
    return replace(first, continuations=tuple(followed), note=note)


def take_part_snapshots(parts: Sequence[Source], settings: Settings) -> list[Snapshot | str]:
    """The snapshots of the sources other sources name (a conference's workshops), one
    after the other with ``fetch_delay_seconds`` between requests to one host."""
    pacer = HostPacer(settings.fetch_delay_seconds)
    return [take_snapshot(part, settings, pacer, embedded=False) for part in parts]


class KnownSources:
    """The sources a run reads, by id and URL, so a part is read once and never twice."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.ids = {source.id: source.url for source in sources}
        self.urls = {source.url for source in sources}

    def new_parts(self, bundles: Sequence[SourceBundle]) -> tuple[list[Source], list[str]]:
        """The parts these bundles' kinds name that no source reads yet, and why any other
        part is left out (its id is taken)."""
        parts: list[Source] = []
        refused: list[str] = []
        for bundle in bundles:
            kind = kind_of(bundle)
            if not isinstance(kind, HasParts):
                continue
            for part in kind.parts(bundle):
                if part.url in self.urls:
                    continue  # a source of its own (sources.toml's definition wins)
                if part.id in self.ids:
                    refused.append(
                        f"{bundle.source.id}: part {part.id!r} ({part.url}) skipped: the id "
                        f"is already the source of {self.ids[part.id]}"
                    )
                    continue
                self.ids[part.id] = part.url
                self.urls.add(part.url)
                parts.append(part)
        return parts, refused


@dataclass(frozen=True)
class StoredBundle:
    """A source whose LATEST was made from this run's snapshot and definition, its files
    verified against the manifest's checksums: its records stay on disk until a step needs
    them (:func:`materialise`), which a refresh where nothing changed never does."""

    snapshot: Snapshot
    version: str
    record_count: int  # of the main table, from the manifest (the drop guard's count)
    warning_count: int
    notes: list[str]

    @property
    def source(self) -> Source:
        return self.snapshot.source


# A source as a run has read it: parsed (or reloaded) records, or a verified stored version.
ReadBundle = SourceBundle | StoredBundle


def stored_tables(settings: Settings, dataset: str, version: str) -> TableReader:
    """Reads a stored version's tables by name, when a kind asks for them."""

    def table(name: str) -> list[dict[str, Any]]:
        return read_table(settings.processed_dir, dataset, version, name)

    return table


def reuse_stored(snapshot: Snapshot, settings: Settings) -> StoredBundle | None:
    """LATEST, when the snapshot is unchanged: no parse needed, and nothing read yet.

    Keyed on the snapshot's content hash and the source's definition (the version's
    inputs) and on the pipeline version, with every file's checksum compared with the
    manifest's; anything unreadable means parse again.
    """
    source_id = snapshot.source.id
    inputs = snapshot_inputs(snapshot, settings.raw_dir)
    version = latest_from_inputs(settings.processed_dir, source_id, inputs)
    if version is None:
        return None
    table = stored_tables(settings, source_id, version)
    kind = check_kind(snapshot.source.kind)
    try:
        manifest = read_manifest(settings.processed_dir, source_id, version)
        notes = (
            kind.stored_notes(snapshot, table)
            if isinstance(kind, NotesFromStore)
            else snapshot_notes(snapshot)
        )
    except (PipelineError, ValueError):
        return None
    return StoredBundle(
        snapshot,
        version,
        manifest.record_counts.get(MAIN_TABLE, 0),
        manifest.warning_count,
        notes,
    )


def materialise(bundle: ReadBundle, settings: Settings) -> tuple[SourceBundle, bool]:
    """The bundle with its records, and whether they are the stored version's: a stored
    bundle is read back from its version, or parsed from its snapshot when that version no
    longer reads (the run then writes a new one)."""
    if isinstance(bundle, SourceBundle):
        return bundle, True
    table = stored_tables(settings, bundle.source.id, bundle.version)
    try:
        return check_kind(bundle.source.kind).reload(bundle.snapshot, table), True
    except (PipelineError, ValueError):
        return parse_snapshot(bundle.snapshot), False


def warning_count(bundle: ReadBundle) -> int:
    return bundle.warning_count if isinstance(bundle, StoredBundle) else len(bundle.warnings)


def record_count(bundle: ReadBundle) -> int:
    """The records of the bundle's main table."""
    if isinstance(bundle, StoredBundle):
        return bundle.record_count
    return len(bundle.document.items)


def parse_snapshot(snapshot: Snapshot) -> SourceBundle:
    return check_kind(snapshot.source.kind).parse(snapshot)


def forget_parses() -> None:
    """Drop the markdown parses kept for the next reading of the same text: once a run's
    sources are parsed nothing reads them again, and they are up to 4M characters of
    tokens (more than the parsed records at 16 times the embedded default's size)."""
    clear_parse_caches()


def written_bundle(bundle: SourceBundle, result: WriteResult) -> StoredBundle:
    """What a run keeps of a source once its version is written (or stood unchanged): the
    snapshot, counts and notes, not the records."""
    return StoredBundle(
        bundle.snapshot,
        result.version,
        len(bundle.document.items),
        len(bundle.warnings),
        bundle.notes,
    )


def link_bundles(
    bundles: Sequence[SourceBundle],
    pairs: PairFinder = blocked_pairs,
    previous: Sequence[KnownPaper] = (),
) -> LinkResult:
    """One paper per paper across the bundles; with ``previous`` (the last version's papers),
    each keeps the id it had (:func:`~pipeline.link.identity.carry_ids`). ``pairs``: a
    :class:`~pipeline.link.blocking.RememberedPairs` shared by a run's links finds the
    similar titles once."""
    return link_mentions(
        [mention for bundle in bundles for mention in source_mentions(bundle)], pairs, previous
    )


def source_mentions(bundle: SourceBundle) -> list[Mention]:
    """The papers a source shows, for linking: all a link needs of its records."""
    return kind_of(bundle).mentions(bundle)


def link_mentions(
    mentions: Sequence[Mention],
    pairs: PairFinder = blocked_pairs,
    previous: Sequence[KnownPaper] = (),
) -> LinkResult:
    """:func:`link_bundles` of the sources these mentions were taken from."""
    return carry_ids(link_papers(list(mentions), pairs), previous)


def previous_papers(settings: Settings) -> list[KnownPaper]:
    """The identities of the papers in the papers dataset's LATEST version (none at first)."""
    latest = latest_version(settings.processed_dir, PAPERS_DATASET)
    if latest is None:
        return []
    try:
        rows = read_table(settings.processed_dir, PAPERS_DATASET, latest, MAIN_TABLE)
    except PipelineError:
        return []  # a damaged LATEST: the write names and repairs it; ids start afresh
    return known_papers(rows)


def enrichment_requests(link: LinkResult) -> list[PaperRef]:
    """One request per linked paper: a workshop paper a README carries needs no title search."""
    return [
        PaperRef(key=paper.id, title=paper.title, authors=paper.authors, arxiv_id=paper.arxiv_id)
        for paper in link.papers
    ]


def enrich(link: LinkResult, settings: Settings, refresh: bool = False) -> EnrichmentReport:
    """Metadata for every linked paper, from the configured service, in one call: every
    request goes through one client and one limiter, never in parallel."""
    return enricher_for(settings).enrich(enrichment_requests(link), settings, refresh=refresh)


def apply_enrichment(
    bundle: SourceBundle, link: LinkResult, report: EnrichmentReport
) -> SourceBundle:
    """The bundle with each of its paper records carrying its linked paper's enrichment."""

    def enrichment_of(record_id: str) -> Enrichments:
        paper_id = link.paper_of.get((bundle.source.id, record_id))
        result = report.results.get(paper_id) if paper_id else None
        return {report.service: result} if result else {}

    return kind_of(bundle).with_enrichment(bundle, enrichment_of)


def source_version(bundle: SourceBundle, raw_dir: Path) -> DatasetVersion:
    """The dataset version of one source: the tables its kind makes, and its warnings."""
    return DatasetVersion(
        dataset=bundle.source.id,
        tables=kind_of(bundle).tables(bundle),
        inputs=snapshot_inputs(bundle.snapshot, raw_dir),
        warnings=bundle.warnings,
    )


def papers_version(
    bundles: Sequence[ReadBundle], link: LinkResult, raw_dir: Path
) -> DatasetVersion:
    """The papers dataset: every paper once, with its appearances, and the near misses."""
    return DatasetVersion(
        dataset=PAPERS_DATASET,
        tables=[
            Table(MAIN_TABLE, Paper, link.papers),
            Table("near_misses", NearMiss, link.near_misses),
        ],
        inputs=[item for bundle in bundles for item in snapshot_inputs(bundle.snapshot, raw_dir)],
        warnings=[
            ParseWarning(
                line=None,
                message=f"{bundle.source.id}: {warning_count(bundle)} parse warnings",
            )
            for bundle in bundles
            if warning_count(bundle)
        ],
    )


def write(version: DatasetVersion, settings: Settings) -> WriteResult:
    return write_version(settings.processed_dir, version, wait=settings.lock_wait_seconds)


# --------------------------------------------------------------------------- drop guard


def dropped(before: int, after: int) -> bool:
    """A loss the drop guard stops: all records, or more than half of them."""
    return before > 0 and after < before * DROP_RATIO


_SIGN_IN = re.compile(r"\b(?:sign[ -]?in|log[ -]?in|password|authenticate)\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")


def likely_cause(snapshot: Snapshot) -> str:
    """Why a page may have lost its records, from what its snapshot holds."""
    words = len(_WORDS.findall(snapshot.text[:1_000_000]))
    meta = read_snapshot_meta(snapshot.path)
    served = (meta.content_type or "").split(";")[0].strip() if meta else ""
    if words < 50 and _SIGN_IN.search(snapshot.text):
        return "it looks like a sign-in page"
    if words < 50:
        return f"the page is almost empty ({words} words)"
    if _SIGN_IN.search(snapshot.text[:5000]) and words < 2000:
        return "it may be a sign-in page"
    shown_as = snapshot.format or snapshot.source.format
    content = detect_format(snapshot.text)
    if served and shown_as is not None and content is not shown_as:
        return f"served as {served} and read as {shown_as.value}, but it looks like {content.value}"
    if served:
        return f"served as {served}; its layout may have changed"
    return "its layout may have changed"


def stored_snapshot(source: Source, manifest: Manifest, raw_dir: Path) -> Snapshot | None:
    """The snapshot a stored version was made from, as its manifest names it: its first
    file, with every input of the source recorded, so that a version or the papers made
    from what it holds list the same inputs (its parts', its definition as it was)."""
    own = tuple(item for item in manifest.inputs if item.source_id == source.id)
    first = next((item for item in own if not item.path.startswith(DEFINITION)), None)
    if first is None:
        return None
    path = Path(first.path) if Path(first.path).is_absolute() else raw_dir / first.path
    return Snapshot(source, path, "", first.sha256, commit=first.commit, recorded=own)


def stored_bundle(source: Source, settings: Settings) -> SourceBundle | str:
    """What the latest version of a source holds, read back without reading the source;
    a one-line reason instead when it has none, or one whose files do not verify."""
    processed = settings.processed_dir
    name = latest_version(processed, source.id)
    if name is None:
        return f"{source.id}: no stored version, so the papers are linked without it"
    problems = verify_version(processed, source.id, name)
    try:
        manifest = read_manifest(processed, source.id, name)
        snapshot = stored_snapshot(source, manifest, settings.raw_dir)
        if problems:
            raise ValueError(problems[0])
        if snapshot is None:
            raise ValueError("its manifest names no snapshot")
        return check_kind(source.kind).reload(snapshot, stored_tables(settings, source.id, name))
    except (PipelineError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return (
            f"{source.id}: its LATEST {name} is unreadable ({reason}), so the papers are "
            "linked without it"
        )


def deep_parts(pending: Sequence[Source]) -> str:
    """Why parts of parts nested too deep are not read."""
    return f"{len(pending)} part(s) nested deeper than {MAX_PART_DEPTH} not read: " + ", ".join(
        part.id for part in pending[:5]
    )


def guard_drop(
    bundle: ReadBundle, settings: Settings, accepted: Collection[str] = ()
) -> tuple[ReadBundle, str | None]:
    """The bundle to publish for a source, and a note when the drop guard stopped it.

    A bundle that lost most of the records of the source's last good version (see
    :func:`dropped`) is replaced by that version's own bundle, so the source's dataset and
    the papers keep their records; ``accepted`` names the sources whose drop is deliberate.
    """
    source = bundle.source
    name = latest_version(settings.processed_dir, source.id)
    if name is None or source.id in accepted:
        return bundle, None
    try:
        manifest = read_manifest(settings.processed_dir, source.id, name)
    except (PipelineError, ValueError):
        return bundle, None
    before = manifest.record_counts.get(MAIN_TABLE, 0)
    after = record_count(bundle)
    if not dropped(before, after):
        return bundle, None
    stop = (
        f"{source.id}: not published: {after} records against {before} in {name} "
        f"({likely_cause(bundle.snapshot)}); "
    )
    stored = stored_snapshot(source, manifest, settings.raw_dir)
    try:
        if stored is None:
            raise ValueError("no snapshot input")
        kept = check_kind(source.kind).reload(stored, stored_tables(settings, source.id, name))
    except (PipelineError, ValueError) as exc:
        note = stop + f"its last good version is unreadable ({exc}), so nothing is kept"
        return bundle, note
    note = stop + f"{name} stays; 'refresh --accept-drop {source.id}' publishes the drop"
    return kept, note


def write_notes(results: Sequence[WriteResult]) -> list[str]:
    """The repairs the writes made (temporaries removed, LATEST moved, damaged data)."""
    return [note for result in results for note in result.notes]


def report_markdown(settings: Settings, sources: Sequence[Source]) -> str:
    """What a curator fixes next, over the datasets as they now are (see pipeline.report)."""
    from pipeline.report import build_report
    from pipeline.report.render import render_markdown

    report = build_report(
        settings.processed_dir, settings.state_dir, source_ids=[s.id for s in sources]
    )
    return render_markdown(report)


def describe(result: WriteResult) -> str:
    """One line for a person: what a write did."""
    counts = ", ".join(f"{n} {name}" for name, n in result.record_counts.items())
    return f"{result.dataset}: {result.status} {result.version} ({counts})"


# --------------------------------------------------------------------------- reuse
# What a refresh reuses from the last versions when sources did not change: the papers
# dataset's link instead of linking again, and LATEST instead of writing what it holds.


def stored_link(bundles: Sequence[SourceBundle], settings: Settings) -> LinkResult | None:
    """The papers dataset's LATEST as a link of these bundles, when it was made from exactly
    their inputs and every mention carries its stored paper's enrichment (so linking them
    again would give it back); None otherwise."""
    inputs = [
        item for bundle in bundles for item in snapshot_inputs(bundle.snapshot, settings.raw_dir)
    ]
    version = latest_from_inputs(settings.processed_dir, PAPERS_DATASET, inputs)
    if version is None:
        return None
    try:
        papers = [
            Paper.model_validate(record)
            for record in read_table(settings.processed_dir, PAPERS_DATASET, version)
        ]
        near_misses = [
            NearMiss.model_validate(record)
            for record in read_table(settings.processed_dir, PAPERS_DATASET, version, "near_misses")
        ]
    except (PipelineError, ValueError):
        return None
    by_id = {paper.id: paper for paper in papers}
    paper_of = {
        (appearance.source_id, appearance.record_id): paper.id
        for paper in papers
        for appearance in paper.appearances
    }
    mentions = [mention for bundle in bundles for mention in kind_of(bundle).mentions(bundle)]
    if len(mentions) != len(paper_of):
        return None
    for mention in mentions:
        paper_id = paper_of.get((mention.appearance.source_id, mention.appearance.record_id))
        if paper_id is None or by_id[paper_id].enrichments != mention.enrichments:
            return None  # the sources' versions and the papers' come from different runs
    return LinkResult(papers=papers, near_misses=near_misses, paper_of=paper_of)


def same_tables(before: SourceBundle, after: SourceBundle) -> bool:
    """Whether two bundles of a source give the same tables (enrichment changed nothing)."""
    kind = kind_of(before)
    return [list(t.records) for t in kind.tables(before)] == [
        list(t.records) for t in kind.tables(after)
    ]


def write_source(bundle: SourceBundle, settings: Settings, unchanged: bool = False) -> WriteResult:
    """Write a source's version; ``unchanged`` (its tables are LATEST's): only say so."""
    version = source_version(bundle, settings.raw_dir)
    return (unchanged and _latest_holds(version, settings)) or write(version, settings)


def write_papers(
    bundles: Sequence[ReadBundle], link: LinkResult, settings: Settings, unchanged: bool = False
) -> WriteResult:
    """Write the papers dataset; ``unchanged`` (``link`` is LATEST's): only say so."""
    version = papers_version(bundles, link, settings.raw_dir)
    return (unchanged and _latest_holds(version, settings)) or write(version, settings)


def _latest_holds(version: DatasetVersion, settings: Settings) -> WriteResult | None:
    """'unchanged' for a version whose tables LATEST holds, when LATEST also carries a file
    of every writer this run has (a writer added since makes a new version)."""
    name = latest_version(settings.processed_dir, version.dataset)
    if name is None:
        return None
    try:
        manifest = read_manifest(settings.processed_dir, version.dataset, name)
    except (PipelineError, ValueError):
        return None
    if not set(version_file_names(list(version.tables))) <= {f.name for f in manifest.files}:
        return None
    path = settings.processed_dir / version.dataset / name
    return WriteResult(version.dataset, name, path, "unchanged", dict(manifest.record_counts))


@dataclass(frozen=True)
class Standing:
    """Every dataset's LATEST, when a refresh would change none of them (``results``), or
    only the enrichment that changes something, for the run to use rather than ask again."""

    report: EnrichmentReport
    results: list[WriteResult] | None = None


def standing_versions(
    bundles: Sequence[ReadBundle], settings: Settings, refresh: bool = False
) -> Standing | None:
    """The run's outcome when nothing changed, found from manifests and the papers table.

    ``bundles`` were all read back from their LATEST (:func:`reuse_stored`, which verified
    each against its manifest, made from the same snapshot and definition, in this run and
    under its locks). Also needed: the papers' LATEST made from all of them (and verified),
    every writer's file present, and enrichment giving each paper what it carries. None
    when an input differs (or ``refresh`` asks arXiv again); only the report when
    enrichment does: the run then does the work."""
    if refresh:
        return None
    manifests: list[Manifest] = []
    everything: list[InputFile] = []
    for bundle in bundles:
        everything += snapshot_inputs(bundle.snapshot, settings.raw_dir)
        manifest = _standing_manifest(bundle.source.id, settings)
        if manifest is None:
            return None
        manifests.append(manifest)
    papers_name = latest_from_inputs(settings.processed_dir, PAPERS_DATASET, everything)
    if papers_name is None:
        return None
    papers_manifest = _standing_manifest(PAPERS_DATASET, settings, papers_name)
    if papers_manifest is None:
        return None
    try:
        papers = read_table(settings.processed_dir, PAPERS_DATASET, papers_manifest.version)
        requests = [
            PaperRef(key=p["id"], title=p["title"], authors=p["authors"], arxiv_id=p["arxiv_id"])
            for p in papers
        ]
    except (PipelineError, ValueError, KeyError, TypeError):
        return None
    report = enricher_for(settings).enrich(requests, settings, refresh=False)
    dumped: dict[int, Any] = {}  # papers often share one result (pending, a failed batch)
    for paper in papers:
        found = report.results.get(paper["id"])
        if found is None:
            return Standing(report=report)
        if id(found) not in dumped:
            dumped[id(found)] = found.model_dump(mode="json")
        if dumped[id(found)] != (paper.get("enrichments") or {}).get(report.service):
            return Standing(report=report)
    results = [
        WriteResult(
            manifest.dataset,
            manifest.version,
            settings.processed_dir / manifest.dataset / manifest.version,
            "unchanged",
            dict(manifest.record_counts),
        )
        for manifest in [*manifests, papers_manifest]
    ]
    return Standing(report=report, results=results)


def _standing_manifest(
    dataset: str, settings: Settings, name: str | None = None
) -> Manifest | None:
    """The manifest of LATEST (or of ``name``) when it has every writer's file."""
    name = name or latest_version(settings.processed_dir, dataset)
    if name is None:
        return None
    try:
        manifest = read_manifest(settings.processed_dir, dataset, name)
    except (PipelineError, ValueError):
        return None
    names = {entry.name for entry in manifest.files}
    suffixes = {writer.suffix for writer in WRITERS.values() if writer.every_version}
    if not all(
        f"{table}{suffix}" in names for table in manifest.record_counts for suffix in suffixes
    ):
        return None  # a writer added since: the next version carries its files
    return manifest


def recover_datasets(datasets: Sequence[str], settings: Settings) -> tuple[list[str], set[str]]:
    """Finish what a killed writer left in each dataset that exists (under its lock, as a
    write would: :func:`pipeline.store.versions.recover`), before a run decides what is
    unchanged. Returns the repairs made, one line each, and the datasets whose LATEST they
    moved (what was read from those is not LATEST's any more)."""
    notes: list[str] = []
    moved: set[str] = set()
    for dataset in dict.fromkeys(datasets):
        if not (settings.processed_dir / dataset).is_dir():
            continue
        with dataset_locks(settings.processed_dir, [dataset], wait=settings.lock_wait_seconds):
            before = latest_version(settings.processed_dir, dataset)
            notes += recover(settings.processed_dir, dataset)
            if latest_version(settings.processed_dir, dataset) != before:
                moved.add(dataset)
    return notes, moved
