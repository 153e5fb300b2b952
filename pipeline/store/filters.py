"""``--where`` filters over a table's records: ``year>=2023``, ``topic=Grokking``,
``enrichments.arxiv.status=enriched``, ``title~diffusion``, ``links.kind=code``.

A filter names a field (dotted for nested ones; a singular name also finds its list field,
so ``topic`` matches ``topics``), an operator (``=`` ``!=`` ``>=`` ``<=`` ``>`` ``<``, and
``~`` for "contains", case-insensitive) and a value. A list field matches when any of its
values does (``!=``: when none equals). Numbers compare as numbers, everything else as text
(``=`` is case-insensitive). Filters given together must all match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from pipeline.core.errors import PipelineError

_FILTER = re.compile(
    r"^\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|!=|=|>|<|~)\s*(?P<value>.*?)\s*$"
)
_MISSING = object()


@dataclass(frozen=True)
class Filter:
    path: tuple[str, ...]
    op: str
    value: str

    def __str__(self) -> str:
        return f"{'.'.join(self.path)}{self.op}{self.value}"


def parse_filter(text: str) -> Filter:
    match = _FILTER.match(text)
    if match is None:
        raise PipelineError(
            f"--where {text!r}: write FIELD OP VALUE with OP one of = != >= <= > < ~ "
            "(e.g. 'year>=2023')"
        )
    return Filter(tuple(match.group("field").split(".")), match.group("op"), match.group("value"))


def _lookup(value: Any, path: Sequence[str]) -> Any:
    """The value at ``path``; through a list of records, every record's value, as a list
    (``links.kind`` is the kind of every link)."""
    if not path:
        return value
    if isinstance(value, list):
        found = [_lookup(item, path) for item in value]
        kept = [item for item in found if item is not _MISSING]
        if not kept:  # an empty list holds no such field either
            return _MISSING
        return [leaf for item in kept for leaf in (item if isinstance(item, list) else [item])]
    if not isinstance(value, dict):
        return _MISSING
    name, rest = path[0], path[1:]
    if name in value:
        return _lookup(value[name], rest)
    if f"{name}s" in value:
        return _lookup(value[f"{name}s"], rest)
    return _MISSING


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _compare(actual: Any, op: str, wanted: str) -> bool:
    if actual is None:
        return op == "!=" and wanted.lower() not in ("", "null", "none")
    if op == "~":
        return wanted.casefold() in str(actual).casefold()
    left, right = _number(actual), _number(wanted)
    if left is not None and right is not None:
        pair: tuple[Any, Any] = (left, right)
    else:
        pair = (str(actual).casefold(), wanted.casefold())
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: bool(a == b),
        "!=": lambda a, b: bool(a != b),
        ">=": lambda a, b: bool(a >= b),
        "<=": lambda a, b: bool(a <= b),
        ">": lambda a, b: bool(a > b),
        "<": lambda a, b: bool(a < b),
    }
    return compare[op](*pair)


def matches(row: dict[str, Any], where: Filter) -> bool:
    value = _lookup(row, where.path)
    if value is _MISSING:
        value = None  # e.g. links.kind of a paper without links
    if isinstance(value, list):
        if where.op == "!=":
            return all(_compare(item, "!=", where.value) for item in value)
        return any(_compare(item, where.op, where.value) for item in value)
    return _compare(value, where.op, where.value)


def apply_filters(records: Sequence[BaseModel], filters: Sequence[Filter]) -> list[BaseModel]:
    """The records every filter matches, in their order; a field no record has is an error."""
    if not filters or not records:
        return list(records)
    rows = [record.model_dump(mode="json") for record in records]
    for where in filters:
        if all(_lookup(row, where.path) is _MISSING for row in rows):
            fields = ", ".join(sorted(rows[0]))
            raise PipelineError(f"--where {where}: no field {'.'.join(where.path)!r} ({fields})")
    return [
        record
        for record, row in zip(records, rows, strict=True)
        if all(matches(row, where) for where in filters)
    ]
