"""Bibliographies: BibTeX and CSL-JSON for any table of papers (title and authors).

Each record is first read into a :class:`Citation` by small named rules (the year from the
record, else from arXiv's first version; the venue from the record; the arXiv id, class and
DOI from the record or its arXiv metadata), then written:

- BibTeX: ``@misc`` with ``eprint``/``archivePrefix``/``primaryClass`` for an arXiv paper
  with no venue, ``@inproceedings`` with ``booktitle`` for a paper with a venue
  (``@article`` with ``journal`` where the venue is a journal); keys ``surname + year +
  first word of the title`` (``bubeck2021universal``), unique in the file: the record that
  sorts first by id keeps the key, the others get ``-2``, ``-3``...
- CSL-JSON (what Zotero, pandoc and citeproc read): ``author`` as ``{family, given}``,
  ``issued.date-parts``, ``container-title``, ``DOI``, ``URL``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from pipeline.core.text import strip_accents

if TYPE_CHECKING:
    from pipeline.store.versions import Table

_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "dos",
     "das", "ter", "ten", "zu", "al", "bin", "ibn"}
)  # fmt: skip
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_STOP_WORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "towards",
     "toward", "is", "are", "do", "does", "how", "what", "why", "when", "can", "from", "by"}
)  # fmt: skip
_JOURNAL = re.compile(
    r"\b(journal|transactions|nature|science|letters|review|tmlr|jmlr|pnas)\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_BIBTEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    suffix: str = ""


def split_name(name: str) -> Name:
    """'Sébastien Bubeck' -> (Sébastien, Bubeck); 'Bubeck, Sébastien' the same; particles
    ('van der Maaten') stay with the family name; 'Jr.' is a suffix."""
    text = " ".join(name.split())
    if "," in text:
        family, _, given = (part.strip() for part in text.partition(","))
        return Name(given, family)
    words = text.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Name("", words[0], suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Name(" ".join(words[:start]), " ".join(words[start:]), suffix)


@dataclass(frozen=True)
class Citation:
    record_id: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    arxiv_id: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    url: str | None = None


def _arxiv_metadata(row: dict[str, Any]) -> dict[str, Any]:
    """The record's arXiv metadata when it was enriched (either schema's layout)."""
    enrichments = row.get("enrichments")
    enrichment = enrichments.get("arxiv") if isinstance(enrichments, dict) else None
    enrichment = enrichment or row.get("enrichment")
    if isinstance(enrichment, dict) and enrichment.get("status") == "enriched":
        metadata = enrichment.get("metadata")
        return metadata if isinstance(metadata, dict) else {}
    return {}


def _year(row: dict[str, Any], metadata: dict[str, Any]) -> int | None:
    if isinstance(row.get("year"), int):
        return int(row["year"])
    for text in (row.get("venue"), *(row.get("venues") or []), metadata.get("published")):
        found = _YEAR.search(str(text or ""))
        if found:
            return int(found.group(0))
    return None


def _venue(row: dict[str, Any]) -> str | None:
    venues = [row.get("venue"), *(row.get("venues") or [])]
    for venue in venues:
        if isinstance(venue, str) and venue.strip() and venue.strip().lower() != "arxiv":
            return venue.strip()
    return None


def _url(row: dict[str, Any], metadata: dict[str, Any]) -> str | None:
    for link in row.get("links") or []:
        if isinstance(link, dict) and str(link.get("label", "")).lower() in ("paper", "pdf"):
            return str(link.get("url"))
    return metadata.get("abs_url") or None


def citation_of(row: dict[str, Any]) -> Citation | None:
    """A record as a citation, or None when it has no title."""
    title = " ".join(str(row.get("title") or "").split())
    if not title:
        return None
    metadata = _arxiv_metadata(row)
    authors = [str(a) for a in (row.get("authors") or metadata.get("authors") or [])]
    return Citation(
        record_id=str(row.get("id", "")),
        title=title,
        authors=authors,
        year=_year(row, metadata),
        venue=_venue(row),
        arxiv_id=row.get("arxiv_id") or metadata.get("arxiv_id"),
        primary_class=metadata.get("primary_category"),
        doi=row.get("doi") or metadata.get("doi"),
        url=_url(row, metadata),
    )


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


def base_key(citation: Citation) -> str:
    family = split_name(citation.authors[0]).family if citation.authors else "anon"
    surname = _key_word(family.split(" ")[-1]) or "anon"
    words = [_key_word(word) for word in citation.title.split()]
    significant = [word for word in words if word and word not in _STOP_WORDS]
    first = (significant or [word for word in words if word] or ["paper"])[0]
    return f"{surname}{citation.year or 'nd'}{first}"


def citations_with_keys(table: Table) -> list[tuple[str, Citation]]:
    """Every citable record with its unique key, in the table's order."""
    citations = [c for c in (citation_of(r.model_dump(mode="json")) for r in table.records) if c]
    by_base: dict[str, list[Citation]] = {}
    for citation in citations:
        by_base.setdefault(base_key(citation), []).append(citation)
    keys: dict[int, str] = {}
    for base, group in by_base.items():
        for position, citation in enumerate(sorted(group, key=lambda c: c.record_id)):
            keys[id(citation)] = base if position == 0 else f"{base}-{position + 1}"
    return [(keys[id(citation)], citation) for citation in citations]


def _accepts_papers(model: type[BaseModel]) -> bool:
    return {"title", "authors"} <= set(model.model_fields)


def _bibtex_text(text: str) -> str:
    escaped = "".join(_BIBTEX_SPECIAL.get(char, char) for char in text)
    return escaped.replace("{", "").replace("}", "")


def _bibtex_author(name: str) -> str:
    parts = split_name(name)
    if not parts.given:
        return "{" + _bibtex_text(parts.family) + "}"
    family = _bibtex_text(parts.family)
    if parts.suffix:
        return f"{family}, {_bibtex_text(parts.suffix)}, {_bibtex_text(parts.given)}"
    return f"{family}, {_bibtex_text(parts.given)}"


def bibtex_entry(key: str, citation: Citation) -> str:
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_text(citation.title) + "}")]
    if citation.authors:
        fields.append(("author", " and ".join(_bibtex_author(a) for a in citation.authors)))
    venue = citation.venue
    if venue and _JOURNAL.search(venue):
        entry_type = "article"
        fields.append(("journal", _bibtex_text(venue)))
    elif venue:
        entry_type = "inproceedings"
        fields.append(("booktitle", _bibtex_text(venue)))
    else:
        entry_type = "misc"
    if citation.year:
        fields.append(("year", str(citation.year)))
    if citation.arxiv_id:
        fields += [("eprint", citation.arxiv_id), ("archivePrefix", "arXiv")]
        if citation.primary_class:
            fields.append(("primaryClass", citation.primary_class))
    if citation.doi:
        fields.append(("doi", citation.doi))
    if citation.url:
        fields.append(("url", citation.url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


@dataclass(frozen=True)
class BibtexWriter:
    name: str = "bibtex"
    suffix: str = ".bib"
    every_version: bool = False

    def accepts(self, model: type[BaseModel]) -> bool:
        return _accepts_papers(model)

    def write(self, table: Table) -> bytes:
        entries = [bibtex_entry(key, citation) for key, citation in citations_with_keys(table)]
        return "\n".join(entries).encode("utf-8")


def csl_item(key: str, citation: Citation) -> dict[str, Any]:
    authors: list[dict[str, str]] = []
    for name in citation.authors:
        parts = split_name(name)
        if parts.given:
            person = {"family": parts.family, "given": parts.given}
            if parts.suffix:
                person["suffix"] = parts.suffix
            authors.append(person)
        else:
            authors.append({"literal": parts.family})
    venue = citation.venue
    item: dict[str, Any] = {
        "id": key,
        "type": (
            "article-journal"
            if venue and _JOURNAL.search(venue)
            else "paper-conference"
            if venue
            else "article"
        ),
        "title": citation.title,
        "author": authors,
    }
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    if venue:
        item["container-title"] = venue
    if citation.arxiv_id:
        item["number"] = f"arXiv:{citation.arxiv_id}"
        if not venue:
            item["publisher"] = "arXiv"
    if citation.doi:
        item["DOI"] = citation.doi
    if citation.url:
        item["URL"] = citation.url
    return item


@dataclass(frozen=True)
class CslJsonWriter:
    name: str = "csl-json"
    suffix: str = ".csl.json"
    every_version: bool = False

    def accepts(self, model: type[BaseModel]) -> bool:
        return _accepts_papers(model)

    def write(self, table: Table) -> bytes:
        items = [csl_item(key, citation) for key, citation in citations_with_keys(table)]
        return (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = [
    "BibtexWriter",
    "Citation",
    "CslJsonWriter",
    "Name",
    "citation_of",
    "citations_with_keys",
    "split_name",
]
