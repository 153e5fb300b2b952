"""What changed between two versions of a dataset: by record id, field by field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.models import ChangeSet, FieldChange, RecordChange

# Where a record stands in its document is not what it says: a card moved down by a new
# card above it has not changed.
IGNORED_FIELDS = frozenset({"provenance"})

# Fields shown first in a person's account of a change: what curators look for.
_HEADLINE_FIELDS = ("title", "authors", "venue", "arxiv_id", "type", "start_at")


def _by_id(records: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(record["id"]): record for record in records}


def diff_records(
    dataset: str,
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    *,
    table: str = "records",
    from_version: str | None,
    to_version: str,
) -> ChangeSet:
    """Ids added, removed and renamed, and every changed field of the ids both versions hold.

    A gone id that a record of ``after`` lists in its ``previous_ids`` is a rename (two
    papers merged, or an id scheme moved), not a removal.
    """
    old, new = _by_id(before), _by_id(after)
    alias_of = {
        str(alias): record_id
        for record_id, record in new.items()
        for alias in record.get("previous_ids") or ()
        if alias in old and alias not in new
    }
    changed: list[RecordChange] = []
    for record_id, record in new.items():
        previous = old.get(record_id)
        if previous is None or previous == record:
            continue
        fields = [
            FieldChange(field=name, before=previous.get(name), after=record.get(name))
            for name in sorted((set(previous) | set(record)) - IGNORED_FIELDS)
            if previous.get(name) != record.get(name)
        ]
        if not fields:
            continue
        changed.append(
            RecordChange(id=record_id, title=str(record.get("title") or ""), fields=fields)
        )
    # Validated as one document: a first version adds every record, and a model built per
    # record from Python costs more than writing the table.
    return ChangeSet.model_validate(
        {
            "dataset": dataset,
            "table": table,
            "from_version": from_version,
            "to_version": to_version,
            "added": [
                {"id": i, "title": str(new[i].get("title") or "")} for i in new if i not in old
            ],
            "removed": [
                {"id": i, "title": str(old[i].get("title") or "")}
                for i in old
                if i not in new and i not in alias_of
            ],
            "changed": changed,
            "renamed": [
                {
                    "from_id": i,
                    "to_id": alias_of[i],
                    "title": str(new[alias_of[i]].get("title") or ""),
                }
                for i in old
                if i in alias_of
            ],
        }
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_change_sets(change_sets: Sequence[ChangeSet], *, limit: int = 20) -> str:
    """CHANGES.md: a short account a person reads, one part per table."""
    if not change_sets:
        return "No tables.\n"
    first = change_sets[0]
    span = f"{first.from_version or '(nothing)'} -> {first.to_version}"
    parts = [f"# {first.dataset}: {span}\n"]
    parts += [render_changes(changes, limit=limit) for changes in change_sets]
    return "\n".join(parts)


def render_changes(changes: ChangeSet, *, limit: int = 20) -> str:
    """One table's changes as markdown."""
    lines = [f"## {changes.table}", ""]
    if not (changes.added or changes.removed or changes.changed or changes.renamed):
        lines.append("No record changed.")
        return "\n".join(lines) + "\n"
    summary = []
    if changes.added:
        summary.append(_plural(len(changes.added), "record") + " added")
    if changes.removed:
        summary.append(_plural(len(changes.removed), "record") + " removed")
    if changes.changed:
        summary.append(_plural(len(changes.changed), "record") + " changed")
    if changes.renamed:
        summary.append(_plural(len(changes.renamed), "id") + " renamed")
    lines += ["; ".join(summary) + ".", ""]
    for heading, entries in (("Added", changes.added), ("Removed", changes.removed)):
        if entries:
            lines.append(f"### {heading}")
            lines += [f"- {entry.title or entry.id} (`{entry.id}`)" for entry in entries[:limit]]
            if len(entries) > limit:
                lines.append(f"- ... and {len(entries) - limit} more")
            lines.append("")
    if changes.renamed:
        lines.append("### Renamed")
        lines += [
            f"- {entry.title or entry.to_id}: `{entry.from_id}` -> `{entry.to_id}`"
            for entry in changes.renamed[:limit]
        ]
        if len(changes.renamed) > limit:
            lines.append(f"- ... and {len(changes.renamed) - limit} more")
        lines.append("")
    if changes.changed:
        lines.append("### Changed")
        for entry in changes.changed[:limit]:
            ordered = sorted(
                entry.fields,
                key=lambda f: (f.field not in _HEADLINE_FIELDS, f.field),
            )
            parts = [
                f"{f.field}: {_short(f.before)} -> {_short(f.after)}"
                if f.field in _HEADLINE_FIELDS
                else f.field
                for f in ordered
            ]
            lines.append(f"- {entry.title or entry.id}: " + "; ".join(parts))
        if len(changes.changed) > limit:
            lines.append(f"- ... and {len(changes.changed) - limit} more")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
