"""Bytes of a document -> the text every parser reads (one newline convention).

The order of trust: a byte-order mark (UTF-8, UTF-16, UTF-32), then the NUL pattern of
UTF-16/32 text without one, then UTF-8, then UTF-8 with a few stray Windows-1252 bytes (a
list edited in two editors), then the charset the server or the page declares, then the one
charset-normalizer detects. Whatever is not UTF-8 says so in a note; input that reads as
text in no encoding is refused in one line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from pipeline.core.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 4096
# Text has few control characters besides tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
# UTF-8 with at most this share of stray bytes is "mostly UTF-8", not another charset.
_MAX_STRAY_RATIO = 0.01
_FALLBACK_ERRORS = "pipeline-cp1252-fallback"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="strict") if _cp1252_defined(stray) else stray.decode(
        "latin-1"
    ), error.end


def _cp1252_defined(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


@dataclass(frozen=True)
class Decoded:
    """A document's text, the encoding it was read in, and a note when that is not UTF-8."""

    text: str
    encoding: str
    note: str | None = None


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte-order mark, from where the NUL bytes fall."""
    if len(head) < 4 or b"\x00" not in head:
        return None
    quads = len(head) // 4
    if quads and all(head[4 * i + 1 : 4 * i + 4] == b"\x00\x00\x00" for i in range(quads)):
        return "utf-32-le"
    if quads and all(head[4 * i : 4 * i + 3] == b"\x00\x00\x00" for i in range(quads)):
        return "utf-32-be"
    pairs = len(head) // 2
    odd_zero = sum(1 for i in range(pairs) if head[2 * i + 1] == 0 and head[2 * i] != 0)
    even_zero = sum(1 for i in range(pairs) if head[2 * i] == 0 and head[2 * i + 1] != 0)
    if odd_zero >= 0.3 * pairs and even_zero == 0:
        return "utf-16-le"
    if even_zero >= 0.3 * pairs and odd_zero == 0:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_text(text: str) -> bool:
    sample = text[:100_000]
    return len(_CONTROL.findall(sample)) <= _MAX_CONTROL_RATIO * max(len(sample), 1)


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few stray single bytes, read as Windows-1252, and their count."""
    strays = 0
    position = 0
    while True:
        try:
            data[position:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            strays += error.end - error.start
            position += error.end
            if strays > _MAX_STRAY_RATIO * len(data):
                return None
    if not any(byte >= 0x80 for byte in data) or strays == 0:
        return None
    return data.decode("utf-8", errors=_FALLBACK_ERRORS), strays


# Among charsets that read a text equally well, the one most documents are written in.
_PREFERRED = ("utf_8", "cp1252", "latin_1", "iso8859_15")


def _detected(data: bytes) -> tuple[str, str] | None:
    matches = list(from_bytes(data[:1_000_000]))
    if not matches:
        return None
    best = matches[0]
    ties = [
        m
        for m in matches
        if (m.percent_chaos, m.percent_coherence) == (best.percent_chaos, best.percent_coherence)
    ]
    chosen = next((m for name in _PREFERRED for m in ties if m.encoding == name), best)
    text = _strict(data, chosen.encoding)
    return (text, chosen.encoding) if text is not None else None


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """Bytes as text, or a one-line InputError for empty or binary input.

    ``declared`` is the charset a Content-Type or the page itself names, if any.
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    decoded = _decode(data, name, declared)
    if not decoded.text.strip():
        raise InputError(f"{name}: the file is empty")
    if not _is_text(decoded.text):
        raise InputError(f"{name}: this is a binary file, not a text document")
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, decoded.encoding, decoded.note)


def _decode(data: bytes, name: str, declared: str | None) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            with_bom = data[len(bom) :].decode(encoding, errors="replace")
            note = None if encoding == "utf-8" else f"{name}: read as {encoding.upper()} (BOM)"
            return Decoded(with_bom, encoding, note)
    wide = _wide_encoding(data[:_SNIFF_BYTES])
    if wide is not None:
        text = _strict(data, wide)
        if text is not None:
            return Decoded(text, wide, f"{name}: read as {wide.upper()} (no BOM)")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: this is a binary file, not a text document")
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    mixed = _mostly_utf8(data)
    if mixed is not None:
        note = f"{name}: UTF-8 with {mixed[1]} stray bytes, read as Windows-1252"
        return Decoded(mixed[0], "utf-8", note)
    if declared:
        text = _strict(data, declared)
        if text is not None:
            return Decoded(text, declared.lower(), f"{name}: read as {declared} (declared)")
    found = _detected(data)
    if found is not None:
        return Decoded(found[0], found[1], f"{name}: read as {found[1]} (detected)")
    raise InputError(f"{name}: not text in any encoding tried (UTF-8, UTF-16/32, detected)")


def decode_document(data: bytes, name: str, declared: str | None = None) -> str:
    """Bytes as text (see :func:`decode_bytes`), or a one-line InputError."""
    return decode_bytes(data, name, declared).text


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if it names one."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None
