"""Loading the conformance vectors of tests/data/conformance (see the README there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "conformance"


def load_json(name: str) -> Any:
    """A JSON file of the conformance data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def latin1(text: str) -> bytes:
    """Bytes written as Latin-1 text, one character per byte."""
    return text.encode("latin-1")


def html5lib_dat(name: str) -> list[tuple[bytes, str]]:
    """``(data, encoding label)`` of each test of an html5lib ``encoding/*.dat`` file.

    A section ends with a newline that belongs to the format, not to the data.
    """
    tests = []
    for chunk in (DATA / "html5lib" / name).read_bytes().split(b"#data\n")[1:]:
        data, _, encoding = chunk.partition(b"#encoding\n")
        tests.append((data[:-1], encoding.strip().decode("ascii")))
    return tests
