"""linkflow resolves http(s) URLs as browsers do: the web-platform-tests URL cases.

Each case of ``urltestdata.json`` whose input and base make an http(s) URL (or should fail
to) is run through :func:`linkflow.urls.normalize`. A parsed case passes when linkflow's
URL is the canonical form of the browser's ``href`` with the browser's host; a failing case
passes when linkflow finds no URL. ``percent-encoding.json`` checks that the query of a
page in a legacy encoding is written in that encoding.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from linkflow.urls import host_of, normalize
from tests.conformance.data import load_json

# Cases linkflow's canonical form decides differently on purpose, with the reason.
SKIPS = {
    ("http://./", None): "the canonical form drops a host's trailing dot, and '.' has no rest",
    ("http://../", None): "the canonical form drops a host's trailing dot, and '..' has no rest",
}

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def _scheme(text: str) -> str | None:
    text = re.sub(r"[\t\n\r]", "", text.strip(_C0_OR_SPACE))
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else None


def _is_http(case: dict[str, Any]) -> bool:
    base = case["base"]
    if base is not None and not base.startswith(("http:", "https:")):
        return False
    scheme = _scheme(case["input"])
    return scheme in ("http", "https") if scheme is not None else base is not None


CASES = [c for c in load_json("wpt/urltestdata.json") if isinstance(c, dict) and _is_http(c)]


def _host(case: dict[str, Any]) -> str:
    """The browser's host in the canonical form: no trailing dot."""
    host = str(case["host"])
    if host.endswith("]"):
        return host
    name, colon, port = host.rpartition(":")
    return f"{name.rstrip('.')}:{port}" if colon else host.rstrip(".")


@pytest.mark.parametrize("case", CASES, ids=[repr(c["input"])[:60] for c in CASES])
def test_wpt_url(case: dict[str, Any]) -> None:
    reason = SKIPS.get((case["input"], case["base"]))
    if reason is not None:
        pytest.skip(reason)
    got = normalize(case["input"], case["base"])
    if case.get("failure"):
        assert got is None
        return
    assert got is not None
    assert got == normalize(case["href"])
    assert host_of(got) == _host(case)


def test_wpt_url_case_count() -> None:
    # The selection of http(s) cases is not empty by accident (a renamed field, say).
    assert len(CASES) > 400


ENCODED = [
    (case["input"], encoding, output)
    for case in load_json("wpt/percent-encoding.json")
    if isinstance(case, dict)
    for encoding, output in case["output"].items()
]


@pytest.mark.parametrize(("text", "encoding", "output"), ENCODED)
def test_wpt_query_in_page_encoding(text: str, encoding: str, output: str) -> None:
    base = "https://doesnotmatter.invalid/"
    assert normalize(f"?{text}", base, encoding=encoding) == normalize(f"{base}?{output}")
