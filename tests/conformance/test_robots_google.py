"""linkflow reads robots.txt as Google's open-source parser does: its own test cases.

``google_robotstxt.json`` restates google/robotstxt's ``robots_test.cc``. Two groups of
cases do not apply, listed in ``SKIPS`` with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from linkflow.robotstxt import RobotsTxt, parse_lines, path_of
from tests.conformance.data import load_json

DATA = load_json("google_robotstxt.json")
_FILL = {f"{{{k}}}": v["text"] + v["then"] * v["times"] for k, v in DATA["placeholders"].items()}
_VALID = ("user-agent", "allow", "disallow", "sitemap")

SKIPS = {
    # linkflow looks for a group's token in its whole User-Agent string (its documented
    # rule); Google's library is handed a bare product token and compares it exactly.
    ("GoogleOnly_AcceptUserAgentUpToFirstSpace", "Foo Bar"): (
        "linkflow matches a group's token inside its full User-Agent, so 'Foo' applies to "
        "the agent 'Foo Bar'; Google's matcher takes a bare product token"
    ),
    "valid_agent": "IsValidUserAgentToObey checks a crawler's own product token: no such API",
}


def _fill(text: str) -> str:
    for name, value in _FILL.items():
        text = text.replace(name, value)
    return text


def _robots(case: dict[str, Any]) -> bytes:
    body = _fill(DATA["robots"][case["robots"]])
    return body.encode(case.get("robots_encoding", "utf-8"))


CASES = DATA["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['test']}-{c['kind']}" for c in CASES])
def test_google_robotstxt(case: dict[str, Any]) -> None:
    reason = SKIPS.get(case["kind"]) or SKIPS.get((case["test"], case.get("agent")))
    if reason is not None:
        pytest.skip(reason)
    kind = case["kind"]
    if kind == "allowed":
        rules = RobotsTxt.parse(_robots(case))
        assert rules.allowed(_fill(case["url"]), case["agent"]) is case["allowed"]
    elif kind == "lines":
        lines = parse_lines(_robots(case))
        assert sum(line.kind in _VALID for line in lines) == case["valid"]
        if "unknown" in case:
            assert sum(line.kind not in _VALID for line in lines) == case["unknown"]
        if "last_line" in case:
            assert lines[-1].number == case["last_line"]
    elif kind == "sitemaps":
        assert RobotsTxt.parse(_robots(case)).sitemaps == case["sitemaps"]
    elif kind == "path":
        assert path_of(case["url"]) == case["path"]
    elif kind == "escape":
        assert parse_lines("allow: " + case["pattern"])[0].value == case["escaped"]
    else:
        pytest.fail(f"unknown kind {kind}")
