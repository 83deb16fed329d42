"""The problems planted in the demo site, derived from the generator's own link record.

:func:`compute` returns the content of planted.json. Each fact is computed from what the
generator wrote (pages, links, redirect rules), and checked against the intent: if an edit
of the content files removes a planted problem, the build fails instead of writing a key that
no longer holds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from linkflow.demo.content import entries
from linkflow.demo.render import ORIGIN, WrittenLink

__all__ = ["GENERIC_ANCHORS", "TRAPPED_POSTS", "compute"]

TRAPPED_POSTS = ("drought-tolerant-plants", "summer-watering-schedule", "mowing-height-guide")
"""Posts that get the strongest backlinks yet never link to a money (service) page."""

GENERIC_ANCHORS = frozenset({"click here", "read more", "learn more"})

Facts = dict[str, object]


def _url(path: str) -> str:
    return ORIGIN + path


def _internal(url: str) -> bool:
    return url.startswith(ORIGIN + "/")


def _pairs(links: Iterable[WrittenLink]) -> list[dict[str, str]]:
    return [{"source": x.source, "target": x.target, "anchor": x.anchor} for x in links]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(f"planted problem missing: {message}")


def _resolve(url: str, redirects: dict[str, str]) -> str:
    seen = {url}
    while url in redirects:
        url = redirects[url]
        if url in seen:  # a loop would never end; rules here are acyclic, but stay safe
            break
        seen.add(url)
    return url


def _depths(links: Sequence[WrittenLink], redirects: dict[str, str]) -> dict[str, int]:
    """Click depth from the home page; redirect hops do not count as clicks."""
    out: dict[str, set[str]] = {}
    for link in links:
        if _internal(link.target):
            out.setdefault(link.source, set()).add(_resolve(link.target, redirects))
    depth = {_url("/"): 0}
    queue = deque([_url("/")])
    while queue:
        page = queue.popleft()
        for nxt in sorted(out.get(page, ())):
            if nxt not in depth:
                depth[nxt] = depth[page] + 1
                queue.append(nxt)
    return depth


def _link_facts(pages: set[str], links: Sequence[WrittenLink], redirects: dict[str, str]) -> Facts:
    internal = [x for x in links if _internal(x.target)]
    broken = [x for x in internal if x.target not in pages and x.target not in redirects]
    to_redirect = [x for x in internal if x.target in redirects]
    return {
        "generic_anchors": _pairs(x for x in links if x.anchor.lower() in GENERIC_ANCHORS),
        "broken_internal_links": _pairs(broken),
        "broken_targets": sorted({x.target for x in broken}),
        "links_to_redirects": [
            {"source": x.source, "target": x.target, "final": _resolve(x.target, redirects)}
            for x in to_redirect
        ],
        "nofollow_internal_links": _pairs(x for x in internal if x.nofollow),
        "image_links_without_alt": _pairs(x for x in links if x.image and x.alt is None),
        "naked_url_anchors": _pairs(
            x for x in links if x.anchor.startswith(("http://", "https://"))
        ),
        "absolute_internal_links": _pairs(x for x in internal if x.href.startswith(ORIGIN)),
        "relative_links": _pairs(x for x in links if not x.href.startswith(("/", "http", "#"))),
        "external_links": sorted({x.target for x in links if not _internal(x.target)}),
    }


def _page_facts(
    paths: Sequence[str], links: Sequence[WrittenLink], redirects: dict[str, str]
) -> Facts:
    pages = {_url(p) for p in paths}
    inlinks: dict[str, set[str]] = {p: set() for p in pages}
    outlinks: dict[str, int] = dict.fromkeys(pages, 0)
    for x in links:
        if _internal(x.target) and x.source != x.target:
            outlinks[x.source] += 1
            final = _resolve(x.target, redirects)
            if final in inlinks:
                inlinks[final].add(x.source)
    depth = _depths(links, redirects)
    deep = [
        {"url": p, "depth": depth[p], "linked_from": sorted(inlinks[p])}
        for p in sorted(pages, key=lambda p: (-depth.get(p, 0), p))
        if depth.get(p, 0) >= 6
    ]
    return {
        "orphan_pages": sorted(p for p in pages if not inlinks[p] and p != _url("/")),
        "dead_end_pages": sorted(p for p in pages if outlinks[p] == 0),
        "deep_pages": deep,
        "max_click_depth": max(depth.values()),
    }


def compute(
    paths: Sequence[str], links: Sequence[WrittenLink], rules: Sequence[tuple[str, str, int]]
) -> Facts:
    """The planted problems of the site whose pages are ``paths`` and links are ``links``.

    Raises AssertionError when one of the intended problems is not present.
    """
    redirects = {_url(src): _url(dst) for src, dst, _ in rules}
    pages = {_url(p) for p in paths}
    money = [_url(f"/services/{s['slug']}/") for s in entries("service")]
    trapped = [_url(f"/blog/{slug}/") for slug in TRAPPED_POSTS]
    noindex = [_url(e["path"]) for e in entries("page") if e.get("noindex") == "yes"]
    print_page = _url("/services/patio-installation/print/")
    facts: Facts = {
        "origin": ORIGIN,
        "money_pages": money,
        "trapped_authority_posts": trapped,
        "redirects": [{"from": _url(s), "to": _url(d), "status": c} for s, d, c in rules],
        "redirect_chains": [
            [src, *_chain_tail(src, redirects)]
            for src in sorted(redirects)
            if len(_chain_tail(src, redirects)) > 1
        ],
        "noindex_pages": noindex,
        "links_to_noindex": _pairs(x for x in links if x.target in noindex),
        "canonicalised_pages": [
            {"url": print_page, "canonical": _url("/services/patio-installation/")}
        ],
        "pages": sorted(pages),
    }
    facts |= _page_facts(paths, links, redirects)
    facts |= _link_facts(pages, links, redirects)
    _verify(facts, links, trapped, money)
    return facts


def _chain_tail(src: str, redirects: dict[str, str]) -> list[str]:
    tail: list[str] = []
    while src in redirects and redirects[src] not in tail:
        src = redirects[src]
        tail.append(src)
    return tail


def _verify(
    facts: Facts, links: Sequence[WrittenLink], trapped: list[str], money: list[str]
) -> None:
    orphans = {_url(f"/services/{s['slug']}/") for s in entries("service") if s.get("orphan")}
    orphans |= {_url(f"/blog/{p['slug']}/") for p in entries("post") if p.get("orphan")}
    found = facts["orphan_pages"]
    _check(isinstance(found, list) and set(found) == orphans, "orphans are the entries so marked")
    for post in trapped:
        bad = [x.target for x in links if x.source == post and x.target in money]
        _check(not bad, f"{post} links to money pages {bad}")
    for key in (
        "generic_anchors", "broken_internal_links", "links_to_redirects", "redirect_chains",
        "nofollow_internal_links", "image_links_without_alt", "naked_url_anchors",
        "absolute_internal_links", "external_links", "dead_end_pages", "deep_pages",
        "links_to_noindex",
    ):  # fmt: skip
        _check(bool(facts[key]), key)
    anchors = {x.anchor.lower() for x in links} & GENERIC_ANCHORS
    _check(anchors == GENERIC_ANCHORS, "each generic anchor is used")
