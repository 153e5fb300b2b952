"""sources.toml: the list of sources a refresh ingests, read and appended to."""

from __future__ import annotations

import json
import stat
import tomllib
from datetime import date
from enum import Enum
from pathlib import Path

from pydantic import ValidationError

from pipeline.core.errors import PipelineError, SourceConfigError
from pipeline.core.files import write_atomic
from pipeline.models import Source


def load_sources(path: Path) -> list[Source]:
    """The sources listed in sources.toml, validated; ids must be unique, kinds known."""
    from pipeline.kinds import check_kind

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"{path}: no such sources file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourceConfigError(f"{path}: 'source' must be an array of tables ([[source]])")
    sources: list[Source] = []
    for index, entry in enumerate(entries, start=1):
        try:
            source = Source.model_validate(entry)
            check_kind(source.kind)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SourceConfigError(f"{path}: source #{index}: {where}: {first['msg']}") from None
        except SourceConfigError as exc:
            raise SourceConfigError(f"{path}: source #{index}: {exc}") from None
        sources.append(source)
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourceConfigError(f"{path}: source id {source.id!r} appears twice")
        seen.add(source.id)
    return sources


def check_new_source(sources_file: Path, source_id: str) -> None:
    """Refuse, in one line, an id sources.toml already has (before any work is done)."""
    if sources_file.exists() and any(s.id == source_id for s in load_sources(sources_file)):
        raise PipelineError(
            f"{sources_file}: a source with id {source_id!r} is already there; "
            "choose another --name"
        )


def _toml_value(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()  # a TOML local date, as the hand-written entries have
    # JSON's escapes (\" \\ \n \uXXXX) are TOML's; DEL is the one control JSON leaves raw.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def source_table(source: Source) -> str:
    """A [[source]] table for sources.toml, fields in the model's order."""
    lines = ["[[source]]"]
    for key, value in source.model_dump(exclude_none=True).items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def add_source(sources_file: Path, source: Source) -> None:
    """Append a [[source]] table to sources.toml as text (its comments and layout stay).

    The new text is checked with the same loader a refresh uses before it replaces the file,
    so a failed append never leaves a broken sources.toml.
    """
    check_new_source(sources_file, source.id)
    try:
        before = sources_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    except OSError as exc:
        raise PipelineError(f"{sources_file}: {exc.strerror or exc}") from None
    separator = "" if not before else "\n" if before.endswith("\n") else "\n\n"
    after = f"{before}{separator}{source_table(source)}"
    # sources.toml keeps the permissions it had; the new text must load before it replaces.
    mode = stat.S_IMODE(sources_file.stat().st_mode) if sources_file.exists() else None
    write_atomic(sources_file, after.encode("utf-8"), mode=mode, check=load_sources)
