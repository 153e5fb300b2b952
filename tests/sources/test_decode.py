"""Bytes -> text: BOMs, UTF-16/32 without one, stray bytes, declared and detected charsets;
truly binary input is refused in one line."""

from __future__ import annotations

import os
import random

import pytest

from pipeline.core.errors import InputError
from pipeline.sources.decode import decode_bytes

TEXT = "# Lecturas\n\n- [Über naïve Generalisation](https://arxiv.org/abs/2101.00001) café\n" * 8


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-16"), "utf-16-le"),  # with its BOM
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32-le"),
        (TEXT.encode("utf-32-be"), "utf-32-be"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
    ],
)
def test_wide_and_bom_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, "doc.md")
    assert decoded.text == TEXT
    assert decoded.encoding == encoding
    assert (decoded.note is None) == (encoding == "utf-8")


def test_latin1_is_detected_and_said() -> None:
    decoded = decode_bytes(TEXT.encode("latin-1"), "doc.md")
    assert decoded.text == TEXT
    assert decoded.note is not None and "doc.md: read as" in decoded.note


def test_a_declared_charset_is_used_when_utf8_fails() -> None:
    data = "Привет, мир: обучение глубоких сетей\n".encode("koi8-r") * 5
    decoded = decode_bytes(data, "page", declared="koi8-r")
    assert decoded.text.startswith("Привет") and decoded.encoding == "koi8-r"


def test_mixed_utf8_and_stray_cp1252_bytes_keep_both() -> None:
    data = TEXT.encode("utf-8") + "Résumé\n".encode("cp1252") + TEXT.encode("utf-8")
    decoded = decode_bytes(data, "doc.md")
    assert "Über" in decoded.text and "Résumé" in decoded.text
    assert decoded.note is not None and "stray" in decoded.note


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"\x00" * 100,
        bytes(range(256)) * 20,
        os.urandom(0) + random.Random(3).randbytes(20000),
        b"\x89PNG\r\n\x1a\n" + random.Random(4).randbytes(5000),
    ],
    ids=["empty", "blank", "nul", "all-bytes", "random", "png"],
)
def test_binary_or_empty_input_is_one_line(data: bytes) -> None:
    with pytest.raises(InputError) as refused:
        decode_bytes(data, "blob.bin")
    assert str(refused.value).startswith("blob.bin: ") and "\n" not in str(refused.value)
