"""Which records hold a float that JSON encoders write differently, read off the model.

orjson and pydantic-core write a float below 1e-4 in another form than Python's json module
('0.00001' for '1e-05', '2.5e-7' for '2.5e-07'); every other value they write alike. The
writers encode with the fast encoders and fall back where such a float may be. Scanning the
encoded bytes for one costs about a third of encoding them (a table's text holds 'e-' in
every 'pre-trained'); most tables have one float field or none, so a checker made once per
model from its field annotations looks at those values only. A field whose type it cannot
follow (Any, a union of models, a dict keyed by other than text) makes the model unknown:
the bytes are scanned.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

Check = Callable[[Any], bool]  # whether a value holds a float written differently
_PLAIN = (str, int, bool, date, datetime, Enum, type(None))  # never a float (bool is an int)


def differs(value: float) -> bool:
    """A float Python's json module writes otherwise than orjson and pydantic-core."""
    return value != 0 and abs(value) < 1e-4


@cache
def float_check(model: type[BaseModel]) -> Check | None:
    """A check of a record of exactly ``model`` for such floats; None when its fields
    cannot be followed (then scan the encoded bytes)."""
    try:
        return _model_check(model, frozenset())
    except _Unknown:
        return None


class _Unknown(Exception):
    pass


def _model_check(model: type[BaseModel], seen: frozenset[type[BaseModel]]) -> Check:
    if model in seen:  # a recursive model: values nest without a bound we can follow
        raise _Unknown
    checks = [
        (name, check)
        for name, info in model.model_fields.items()
        if (check := _check(info.annotation, seen | {model})) is not None
    ]
    if not checks:
        return _never

    def check_record(record: Any) -> bool:
        # exactly the model: a subclass could hold other fields (the writer checks types)
        if type(record) is not model:
            return True
        return any(check(getattr(record, name)) for name, check in checks)

    return check_record


def _check(annotation: Any, seen: frozenset[type[BaseModel]]) -> Check | None:
    """A check of a value of this annotation; None when it never holds a float."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        parts = [_check(arg, seen) for arg in get_args(annotation)]
        kept = [part for part in parts if part is not None]
        if len(kept) > 1:
            raise _Unknown  # e.g. two models: which one a value is decides its fields
        return _optional(kept[0]) if kept else None
    if origin is Literal:
        return None
    if origin in (list, tuple, Sequence, set, frozenset):
        args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
        if len(args) != 1:
            raise _Unknown
        item = _check(args[0], seen)
        return None if item is None else _each(item)
    if origin is dict:
        key, value = get_args(annotation) or (Any, Any)
        if key is not str:
            raise _Unknown
        item = _check(value, seen)
        return None if item is None else _values(item)
    if origin is not None:
        if getattr(origin, "__name__", "") == "Annotated":
            return _check(get_args(annotation)[0], seen)
        raise _Unknown
    if annotation is float:
        return _float
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            inner = _model_check(annotation, seen)
            return None if inner is _never else inner
        if issubclass(annotation, _PLAIN):
            return None
    raise _Unknown


def _never(value: Any) -> bool:
    return False


def _float(value: Any) -> bool:
    return isinstance(value, float) and differs(value)


def _optional(check: Check) -> Check:
    return lambda value: value is not None and check(value)


def _each(check: Check) -> Check:
    return lambda values: any(check(value) for value in values)


def _values(check: Check) -> Check:
    return lambda mapping: any(check(value) for value in mapping.values())
