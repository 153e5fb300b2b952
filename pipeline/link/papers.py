"""One paper, one record: link the papers of READMEs, workshops and sessions.

Mentions (a README card, a poster, an oral, a feed's presentation...) are grouped in
passes, each recording its evidence:

1. the same arXiv base id;
2. the same OpenReview forum id (a workshop version of a paper has its own forum, so
   different forum ids never keep two mentions apart);
3. the same normalised title (case, hyphen, punctuation, LaTeX insensitive);
4. similar titles (``title_similarity`` >= 0.93, the threshold arXiv matching uses too)
   *and* a shared author surname; only titles that share a rare word stem are compared
   (:mod:`pipeline.link.blocking`), so the pass costs near n log n, not n².

Two mentions with different arXiv ids are never merged, nor titles that differ in a number
('Part 1' / 'Part 2'). Similar titles left apart are reported as near misses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.core.ids import title_key_id
from pipeline.core.text import (
    TITLE_MATCH_THRESHOLD,
    normalise_title,
    shared_surnames,
    title_similarity,
)
from pipeline.link.blocking import PairFinder, blocked_pairs
from pipeline.link.links import paper_links
from pipeline.models import (
    ARXIV_SERVICE,
    Appearance,
    ArxivMetadata,
    Enrichments,
    EnrichmentStatus,
    Link,
    MatchEvidence,
    MatchRule,
    NearMiss,
    Paper,
)

NEAR_MISS_SCORE = 0.85
_NUMBERISH = re.compile(r"^(\d+|[ivx]+)$")


@dataclass
class Mention:
    """A paper as one source shows it."""

    appearance: Appearance
    title: str
    authors: list[str]
    arxiv_id: str | None = None
    openreview_id: str | None = None
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    topic: str | None = None
    enrichments: Enrichments = field(default_factory=dict)
    venue: str | None = None
    year: int | None = None
    links: list[Link] = field(default_factory=list)
    arxiv_version: int | None = None
    rank: int = 0  # lower: preferred for the canonical title (README cards keep hyphens)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.rank, self.appearance.source_id, self.appearance.record_id)

    @property
    def linked_arxiv_id(self) -> str | None:
        metadata = arxiv_metadata(self.enrichments)
        return metadata.arxiv_id if metadata else self.arxiv_id


def arxiv_metadata(enrichments: Enrichments) -> ArxivMetadata | None:
    """arXiv's record of a paper, when arXiv enriched it."""
    enrichment = enrichments.get(ARXIV_SERVICE)
    if enrichment and enrichment.status is EnrichmentStatus.enriched:
        return enrichment.metadata
    return None


@dataclass(frozen=True)
class LinkResult:
    papers: list[Paper]
    near_misses: list[NearMiss]
    # record id of each mention -> the paper id it was linked to
    paper_of: dict[tuple[str, str], str]


class _Groups:
    """Union-find over mention indexes, refusing unions that join two arXiv ids."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.parent = list(range(len(mentions)))
        self.arxiv: list[set[str]] = [
            {m.linked_arxiv_id} if m.linked_arxiv_id else set() for m in mentions
        ]
        self.edges: dict[int, list[tuple[int, MatchRule, float | None, list[str]]]] = defaultdict(
            list
        )

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def conflict(self, a: int, b: int) -> bool:
        ids_a, ids_b = self.arxiv[self.find(a)], self.arxiv[self.find(b)]
        return bool(ids_a and ids_b and ids_a != ids_b)

    def union(
        self, a: int, b: int, rule: MatchRule, score: float | None, shared: list[str]
    ) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self.conflict(a, b):
            return False
        low, high = sorted((root_a, root_b))
        self.parent[high] = low
        self.arxiv[low] |= self.arxiv[high]
        self.edges[a].append((b, rule, score, shared))
        self.edges[b].append((a, rule, score, shared))
        return True


def _numbers_differ(title_a: str, title_b: str) -> bool:
    words_a = {w for w in title_a.split() if _NUMBERISH.match(w)}
    words_b = {w for w in title_b.split() if _NUMBERISH.match(w)}
    return words_a != words_b


def _link_similar_titles(
    ordered: Sequence[Mention],
    groups: _Groups,
    distinct: list[tuple[str, int]],
    near: dict[tuple[int, int], tuple[float, str]],
    pairs: PairFinder,
) -> None:
    """The fuzzy pass: similar titles with a shared surname merge, the others are near misses.

    ``pairs`` finds the candidate pairs (rapidfuzz's C++ ratio over blocked candidates);
    ``title_similarity`` decides. Pairs come in (row, other) order, as an all-pairs walk
    visits them, so blocking changes which pairs are compared, never the outcome.
    """
    keys = [title for title, _ in distinct]
    for row, other, _ in pairs(keys, NEAR_MISS_SCORE * 100 - 5):
        (title_a, a), (title_b, b) = distinct[row], distinct[other]
        score = title_similarity(title_a, title_b)
        if score < NEAR_MISS_SCORE:
            continue
        shared = shared_surnames(ordered[a].authors, ordered[b].authors)
        matches = score >= TITLE_MATCH_THRESHOLD
        if matches and shared and not _numbers_differ(title_a, title_b):
            if groups.union(a, b, MatchRule.fuzzy_title, score, shared):
                continue
            if groups.find(a) == groups.find(b):
                continue
            reason = "similar titles, different arXiv ids"
        elif matches and not shared:
            reason = "similar titles, no shared author surname"
        elif matches:
            reason = "titles differ in a number"
        else:
            reason = "similar titles below the merge threshold"
        near[(a, b)] = (score, reason)


def link_papers(mentions: Sequence[Mention], pairs: PairFinder = blocked_pairs) -> LinkResult:
    """Group mentions into papers; deterministic for the same mentions in any order.

    ``pairs``: how similar titles are found (:mod:`pipeline.link.blocking`; ``all_pairs`` is
    the exhaustive reference the tests compare against).
    """
    ordered = sorted(mentions, key=lambda m: m.key)
    groups = _Groups(ordered)
    titles = [normalise_title(m.title) for m in ordered]

    # The same identifier: the arXiv id first (it may refuse a union), then the forum.
    identifiers: tuple[tuple[MatchRule, Callable[[Mention], str | None]], ...] = (
        (MatchRule.arxiv_id, lambda mention: mention.linked_arxiv_id),
        (MatchRule.openreview_id, lambda mention: mention.openreview_id),
    )
    for rule, identifier in identifiers:
        first_with: dict[str, int] = {}
        for index, mention in enumerate(ordered):
            value = identifier(mention)
            if value is None:
                continue
            if value in first_with:
                groups.union(first_with[value], index, rule, None, [])
            else:
                first_with[value] = index

    by_title: dict[str, int] = {}
    near: dict[tuple[int, int], tuple[float, str]] = {}
    for index, title in enumerate(titles):
        if not title:
            continue
        if title in by_title:
            first = by_title[title]
            if not groups.union(first, index, MatchRule.title_key, 1.0, []) and (
                groups.find(first) != groups.find(index)
            ):
                near[(first, index)] = (1.0, "same title, different arXiv ids")
        else:
            by_title[title] = index

    _link_similar_titles(ordered, groups, list(by_title.items()), near, pairs)

    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(ordered)):
        members[groups.find(index)].append(index)

    built = sorted(
        ((_paper(ordered, indexes, groups), root, indexes) for root, indexes in members.items()),
        key=lambda entry: entry[0].id,
    )
    papers = _unique_ids([paper for paper, _, _ in built])
    paper_of: dict[tuple[str, str], str] = {}
    root_paper: dict[int, str] = {}
    for paper, (_, root, indexes) in zip(papers, built, strict=True):
        root_paper[root] = paper.id
        for index in indexes:
            appearance = ordered[index].appearance
            paper_of[(appearance.source_id, appearance.record_id)] = paper.id

    near_misses: dict[tuple[str, str], NearMiss] = {}
    for (a, b), (score, reason) in sorted(near.items()):
        id_a, id_b = root_paper[groups.find(a)], root_paper[groups.find(b)]
        if id_a == id_b:
            continue
        pair = (min(id_a, id_b), max(id_a, id_b))
        if pair in near_misses and near_misses[pair].score >= score:
            continue
        near_misses[pair] = NearMiss(
            id="~".join(pair),
            paper_ids=list(pair),
            titles=[ordered[a].title, ordered[b].title]
            if id_a <= id_b
            else [
                ordered[b].title,
                ordered[a].title,
            ],
            score=score,
            reason=reason,
        )
    return LinkResult(
        papers=papers,
        near_misses=sorted(near_misses.values(), key=lambda n: n.paper_ids),
        paper_of=paper_of,
    )


def _evidence(
    ordered: Sequence[Mention], indexes: list[int], groups: _Groups
) -> list[MatchEvidence]:
    """Walk the union edges from the first mention: how each other mention joined."""
    start = indexes[0]
    first = ordered[start].appearance
    evidence = [
        MatchEvidence(record_id=first.record_id, source_id=first.source_id, rule=MatchRule.first)
    ]
    seen, frontier = {start}, [start]
    while frontier:
        current = frontier.pop(0)
        for other, rule, score, shared in sorted(groups.edges[current], key=lambda e: e[0]):
            if other in seen:
                continue
            seen.add(other)
            frontier.append(other)
            appearance = ordered[other].appearance
            evidence.append(
                MatchEvidence(
                    record_id=appearance.record_id,
                    source_id=appearance.source_id,
                    rule=rule,
                    score=score,
                    matched_record_id=ordered[current].appearance.record_id,
                    shared_surnames=shared,
                )
            )
    return evidence


def _first(values: Iterable[str | None]) -> str | None:
    return next((value for value in values if value), None)


def _merged(lists: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        for value in values:
            seen.setdefault(value, None)
    return list(seen)


def _enrichments(mentions: Sequence[Mention]) -> Enrichments:
    """Per service, the first mention's result with metadata, else the first result."""
    services = sorted({service for m in mentions for service in m.enrichments})
    chosen: Enrichments = {}
    for service in services:
        results = [m.enrichments[service] for m in mentions if service in m.enrichments]
        chosen[service] = next((e for e in results if e.metadata), results[0])
    return chosen


def _links(mentions: Sequence[Mention], metadata: ArxivMetadata | None) -> list[Link]:
    links = [link for m in mentions for link in m.links]
    if metadata:
        links += [
            Link(label=label, url=url)
            for label, url in (("arXiv", metadata.abs_url), ("PDF", metadata.pdf_url))
            if url
        ]
    return links


def _paper(ordered: Sequence[Mention], indexes: list[int], groups: _Groups) -> Paper:
    mentions = [ordered[index] for index in indexes]
    canonical = mentions[0]
    enrichments = _enrichments(mentions)
    metadata = arxiv_metadata(enrichments)
    arxiv_id = metadata.arxiv_id if metadata else _first(m.arxiv_id for m in mentions)
    paper_id = f"arxiv:{arxiv_id}" if arxiv_id else title_key_id("paper", canonical.title)
    years = [m.year for m in mentions if m.year]
    published = metadata.published.year if metadata and metadata.published else None
    primary = [metadata.primary_category] if metadata and metadata.primary_category else []
    categories = _merged([primary, metadata.categories]) if metadata else []
    return Paper(
        id=paper_id,
        title=metadata.title if metadata else canonical.title,
        authors=(metadata.authors if metadata else None)
        or next((m.authors for m in mentions if m.authors), []),
        year=min(years) if years else published,
        venues=_merged([" ".join(m.venue.split())] if m.venue else [] for m in mentions),
        abstract=(metadata.abstract if metadata else None) or _first(m.abstract for m in mentions),
        arxiv_id=arxiv_id,
        arxiv_version=(metadata.version if metadata else None)
        or next((m.arxiv_version for m in mentions if m.arxiv_version), None),
        categories=categories,
        doi=metadata.doi if metadata else None,
        links=paper_links(_links(mentions, metadata)),
        openreview_ids=_merged([m.openreview_id] if m.openreview_id else [] for m in mentions),
        keywords=_merged(m.keywords for m in mentions),
        topics=_merged([m.topic] if m.topic else [] for m in mentions),
        appearances=sorted(
            (m.appearance for m in mentions), key=lambda a: (a.source_id, a.record_id)
        ),
        evidence=_evidence(ordered, indexes, groups),
        enrichments=enrichments,
    )


def _unique_ids(papers: list[Paper]) -> list[Paper]:
    """Two papers whose titles hash alike (never merged) still get distinct ids."""
    seen: dict[str, int] = {}
    result = []
    for paper in papers:
        count = seen.get(paper.id, 0) + 1
        seen[paper.id] = count
        result.append(
            paper if count == 1 else paper.model_copy(update={"id": f"{paper.id}-{count}"})
        )
    return result
