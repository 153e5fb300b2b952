"""Bytes of a document -> the text every parser reads (one newline convention)."""

from __future__ import annotations

from pipeline.core.errors import InputError


def decode_document(data: bytes, name: str) -> str:
    """Bytes as text, or a one-line InputError for empty or binary input."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: this is a binary file, not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
