"""linkflow reads an HTML document's encoding as browsers do: html5lib's and w3lib's cases.

html5lib's ``encoding/*.dat`` give a document and the encoding browsers pick when nothing
else is known (windows-1252 is their default). w3lib's cases are restated in
``w3lib_encoding.json`` with the standards' answer where w3lib chose otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from linkflow.encodings import decode, lookup
from linkflow.extract.charset import declared_encoding, decode_document
from linkflow.extract.mimetype import charset_of
from tests.conformance.data import html5lib_dat, latin1, load_json

HTML5LIB = [
    (f"{name}:{i}", data, label)
    for name in ("tests1.dat", "tests2.dat", "test-yahoo-jp.dat")
    for i, (data, label) in enumerate(html5lib_dat(name))
]


@pytest.mark.parametrize(("data", "label"), [t[1:] for t in HTML5LIB], ids=[t[0] for t in HTML5LIB])
def test_html5lib_encoding(data: bytes, label: str) -> None:
    assert (declared_encoding(data) or "windows-1252") == lookup(label)


W3LIB = load_json("w3lib_encoding.json")["cases"]


def _id(case: dict[str, Any]) -> str:
    shown = next(str(case[k]) for k in ("header", "body", "label", "data", "test") if k in case)
    return f"{case['kind']}:{shown[:40]}" + (":standard" if "why" in case else "")


@pytest.mark.parametrize("case", W3LIB, ids=[_id(c) for c in W3LIB])
def test_w3lib_case(case: dict[str, Any]) -> None:
    kind = case["kind"]
    if kind == "declared":
        assert declared_encoding(latin1(case["body"])) == case["expected"]
    elif kind == "content_type":
        assert charset_of(case["header"]) == case["expected"]
    elif kind == "label":
        assert lookup(case["label"]) == case["expected"]
    elif kind == "decode":
        encoding = lookup(case["label"])
        if case["expected"] is None:
            assert encoding is None
        else:
            assert encoding is not None
            assert decode(latin1(case["data"]), encoding) == case["expected"]
    elif kind == "document":
        text, encoding = decode_document(latin1(case["body"]), case["content_type"])
        if case["encoding"] is not None:
            assert encoding == case["encoding"]
        if "text" in case:
            assert text == case["text"]
        for part in case.get("contains", []):
            assert part in text
    elif kind == "bom":
        data = latin1(case["data"])
        found = declared_encoding(data) if data[:1] in (b"\xef", b"\xfe", b"\xff") else None
        assert found == case["encoding"]
    else:
        pytest.fail(f"unknown kind {kind}")


def test_every_case_kind_is_known() -> None:
    assert {c["kind"] for c in W3LIB} == {
        "declared", "content_type", "label", "decode", "document", "bom"
    }  # fmt: skip
