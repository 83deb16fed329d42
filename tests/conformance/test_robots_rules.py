"""robots.txt rules decide as Google's matcher does, for any rules and any path.

The reference here is written apart from linkflow's matcher: each pattern becomes a regular
expression (``*`` any run of characters, a final ``$`` the end of the path, anchored at the
start), the longest matching pattern decides, and an allow wins a tie. An allowed
``.../index.htm*`` page also allows its directory (``.../$``), as Google's library does.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.robotstxt import RobotsTxt

AGENT = "linkflow-test/1.0"
# Few characters, so that patterns and paths often overlap.
_PIECES = ["/", "a", "b", ".", "*", "$", "index.html", "?x=1"]


def _reference(rules: list[tuple[str, str]], path: str) -> bool:
    best = {"allow": 0, "disallow": 0}
    for kind, pattern in rules:
        candidates = [pattern]
        slash = pattern.rfind("/")
        if kind == "allow" and slash >= 0 and pattern[slash:].startswith("/index.htm"):
            candidates.append(pattern[: slash + 1] + "$")
        for candidate in candidates:
            anchored = candidate.endswith("$")
            body = candidate[:-1] if anchored else candidate
            regex = ".*".join(map(re.escape, body.split("*"))) + ("$" if anchored else "")
            if re.match(regex, path, re.DOTALL):
                best[kind] = max(best[kind], len(candidate))
                break
    return best["disallow"] <= best["allow"]


_pattern = st.lists(st.sampled_from(_PIECES), min_size=0, max_size=5).map("".join)
_rule = st.tuples(st.sampled_from(["allow", "disallow"]), _pattern.map(lambda p: "/" + p))


@settings(max_examples=400, deadline=None)
@given(
    rules=st.lists(_rule, max_size=6),
    paths=st.lists(
        st.lists(st.sampled_from([p for p in _PIECES if p not in ("*", "$")]), max_size=6).map(
            lambda parts: "/" + "".join(parts)
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_allowed_matches_the_reference(rules: list[tuple[str, str]], paths: list[str]) -> None:
    body = "User-agent: *\n" + "".join(f"{kind}: {pattern}\n" for kind, pattern in rules)
    robots = RobotsTxt.parse(body)
    for path in paths:  # several paths a file: the second and later use what the first set up
        url = "http://example.com" + path
        assert robots.allowed(url, AGENT) is _reference(rules, path), (body, path)


def test_a_path_no_rule_starts_is_allowed_and_a_matching_one_is_not() -> None:
    robots = RobotsTxt.parse("User-agent: *\nDisallow: /private\nDisallow: /*.pdf$\n")
    assert robots.allowed("http://example.com/public/page.html", AGENT)
    assert not robots.allowed("http://example.com/private/page.html", AGENT)
    assert not robots.allowed("http://example.com/docs/file.pdf", AGENT)
    assert robots.allowed("http://example.com/docs/file.pdf?x", AGENT)
