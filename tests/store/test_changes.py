"""changes.json: ids that became aliases are renames, not removals plus additions."""

from __future__ import annotations

from pipeline.store.changes import diff_records, render_changes


def test_a_gone_id_listed_in_previous_ids_is_a_rename() -> None:
    before = [
        {"id": "paper-a", "title": "Grokking", "previous_ids": []},
        {"id": "paper-b", "title": "Grokking (workshop)", "previous_ids": []},
        {"id": "paper-c", "title": "Gone", "previous_ids": []},
    ]
    after = [{"id": "paper-a", "title": "Grokking", "previous_ids": ["paper-b"]}]
    changes = diff_records("papers", before, after, from_version="v1", to_version="v2")
    assert [(r.from_id, r.to_id) for r in changes.renamed] == [("paper-b", "paper-a")]
    assert [r.id for r in changes.removed] == ["paper-c"]
    assert [r.id for r in changes.changed] == ["paper-a"]
    text = render_changes(changes)
    assert "1 id renamed" in text and "`paper-b` -> `paper-a`" in text


def test_an_alias_of_an_id_that_never_existed_is_no_rename() -> None:
    after = [{"id": "paper-a", "title": "T", "previous_ids": ["paper-z"]}]
    changes = diff_records("papers", [], after, from_version=None, to_version="v1")
    assert changes.renamed == [] and [r.id for r in changes.added] == ["paper-a"]
