"""Paper ids for life: a paper linked this run keeps the id it had in the last version.

Linking names a paper by its arXiv id or its title's hash (:func:`link_papers`), so the
same paper would change id the day a source gives its arXiv id, and two papers merged by a
new source would lose one id. :func:`carry_ids` gives each paper the id of the previous
paper it continues instead, and keeps every other id that paper had, or that a paper merged
into it had, in ``previous_ids``: changes.json then reports a rename, not a removal plus an
addition.

A paper continues a previous one when they share an appearance (a source's record), else
the arXiv id, else the normalised title. Each previous id goes to one paper: the one that
shares most appearances with it (the smaller id on ties).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.core.ids import disambiguate
from pipeline.core.text import normalise_title
from pipeline.link.papers import LinkResult
from pipeline.models import NearMiss, Paper

# Evidence that a paper continues a previous one, strongest first: shared appearances count
# one each; an arXiv id or a title shared with no appearance in common counts less.
_SAME_ARXIV_ID = 0.5
_SAME_TITLE = 0.25


@dataclass(frozen=True)
class KnownPaper:
    """What a stored paper says of its identity (read from any schema version's rows)."""

    id: str
    title: str
    arxiv_id: str | None
    appearances: frozenset[tuple[str, str]]  # (source_id, record_id)
    previous_ids: tuple[str, ...] = ()


def known_papers(rows: Iterable[Mapping[str, Any]]) -> list[KnownPaper]:
    """The identities of a stored papers table's rows; rows without an id are skipped."""
    known = []
    for row in rows:
        if not isinstance(row.get("id"), str):
            continue
        appearances = frozenset(
            (str(a.get("source_id")), str(a.get("record_id")))
            for a in row.get("appearances") or ()
            if isinstance(a, Mapping)
        )
        known.append(
            KnownPaper(
                id=row["id"],
                title=str(row.get("title") or ""),
                arxiv_id=row.get("arxiv_id") if isinstance(row.get("arxiv_id"), str) else None,
                appearances=appearances,
                previous_ids=tuple(str(alias) for alias in row.get("previous_ids") or ()),
            )
        )
    return known


def _claims(papers: Sequence[Paper], previous: Sequence[KnownPaper]) -> list[dict[str, float]]:
    """For each paper, the previous ids it may continue, with the weight of the evidence."""
    by_appearance: dict[tuple[str, str], str] = {}
    by_arxiv: dict[str, str] = {}
    by_title: defaultdict[str, list[str]] = defaultdict(list)
    for old in previous:
        for key in sorted(old.appearances):
            by_appearance.setdefault(key, old.id)
        if old.arxiv_id:
            by_arxiv.setdefault(old.arxiv_id, old.id)
        by_title[normalise_title(old.title)].append(old.id)
    claims: list[dict[str, float]] = []
    for paper in papers:
        votes: dict[str, float] = {}
        for appearance in paper.appearances:
            found = by_appearance.get((appearance.source_id, appearance.record_id))
            if found is not None:
                votes[found] = votes.get(found, 0.0) + 1.0
        if not votes and paper.arxiv_id and paper.arxiv_id in by_arxiv:
            votes[by_arxiv[paper.arxiv_id]] = _SAME_ARXIV_ID
        titled = by_title.get(normalise_title(paper.title), [])
        if not votes and len(titled) == 1:  # an ambiguous title proves nothing
            votes[titled[0]] = _SAME_TITLE
        claims.append(votes)
    return claims


def _assign(claims: Sequence[dict[str, float]]) -> tuple[dict[int, str], dict[str, int]]:
    """Which paper keeps which previous id: the strongest claim first, each id once."""
    ranked = sorted(
        (
            (-weight, old_id, index)
            for index, votes in enumerate(claims)
            for old_id, weight in votes.items()
        )
    )
    kept: dict[int, str] = {}  # paper index -> the previous id it keeps as its own
    owner: dict[str, int] = {}  # previous id -> the paper that continues it
    for _, old_id, index in ranked:
        if old_id in owner:
            continue
        owner[old_id] = index
        kept.setdefault(index, old_id)
    return kept, owner


def carry_ids(result: LinkResult, previous: Sequence[KnownPaper]) -> LinkResult:
    """``result`` with each paper's id carried over from ``previous`` (the last version's
    papers) where it continues one; its paper_of and near misses follow the new ids."""
    if not previous:
        return result
    papers = result.papers
    claims = _claims(papers, previous)
    kept, owner = _assign(claims)
    aliases_of = {old.id: old.previous_ids for old in previous}

    taken = set(kept.values())
    fresh = [paper.id for index, paper in enumerate(papers) if index not in kept]
    # A new paper whose own id is a kept one's (never the case for live ids) gets a suffix.
    fresh_ids = iter(disambiguate([*sorted(taken), *fresh])[len(taken) :])
    new_ids = [kept[index] if index in kept else next(fresh_ids) for index in range(len(papers))]
    live = set(new_ids)

    carried: list[Paper] = []
    for index, paper in enumerate(papers):
        own = [old_id for old_id, holder in owner.items() if holder == index]
        aliases = {alias for old_id in own for alias in (old_id, *aliases_of.get(old_id, ()))}
        aliases -= live  # an id a paper holds now is nobody's alias
        carried.append(
            paper.model_copy(update={"id": new_ids[index], "previous_ids": sorted(aliases)})
        )
    renamed = {paper.id: new_id for paper, new_id in zip(papers, new_ids, strict=True)}
    return LinkResult(
        papers=carried,
        near_misses=_renamed_near_misses(result.near_misses, renamed),
        paper_of={key: renamed[paper_id] for key, paper_id in result.paper_of.items()},
    )


def _renamed_near_misses(
    near_misses: Sequence[NearMiss], renamed: dict[str, str]
) -> list[NearMiss]:
    updated: list[NearMiss] = []
    for miss in near_misses:
        (a, b), (title_a, title_b) = miss.paper_ids, miss.titles
        a, b = renamed.get(a, a), renamed.get(b, b)
        if b < a:
            a, b, title_a, title_b = b, a, title_b, title_a
        updated.append(
            miss.model_copy(
                update={"id": f"{a}~{b}", "paper_ids": [a, b], "titles": [title_a, title_b]}
            )
        )
    return sorted(updated, key=lambda miss: miss.paper_ids)
