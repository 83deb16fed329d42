"""The demo exports: byte formats as the tools write them, and consistency with the site."""

from __future__ import annotations

import csv
import io
import re

from linkflow.demo import DEMO_EXPORTS, DEMO_ORIGIN, DEMO_SITE, demo_exports
from linkflow.demo.server import parse_redirects

# research/data-formats.md §2.2: the 34 columns of the current subdomain-mode layout.
AHREFS_HEADER = (
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC",
    "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status",
    "First seen", "Last seen", "Lost", "Redirect Chain URLs", "Redirect Chain status codes",
    "Author", "Links in group",
)  # fmt: skip
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _ahrefs_rows() -> list[dict[str, str]]:
    text = demo_exports()["backlinks"].read_bytes()[2:].decode("utf-16-le")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_demo_exports_paths() -> None:
    exports = demo_exports()
    assert set(exports) == {"backlinks", "gsc_links", "gsc_pages"}
    assert all(p.is_file() and p.parent == DEMO_EXPORTS for p in exports.values())
    name = exports["backlinks"].name
    assert re.fullmatch(r"www\.greenleaf-landscaping\.com-backlinks-subdomains_"
                        r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.csv", name)  # fmt: skip


def test_ahrefs_bytes() -> None:
    data = demo_exports()["backlinks"].read_bytes()
    assert data[:2] == b"\xff\xfe"
    text = data[2:].decode("utf-16-le")
    assert "\r" not in text
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    for line in lines:
        fields = line.split("\t")
        assert len(fields) == len(AHREFS_HEADER)
        assert all(len(f) >= 2 and f[0] == f[-1] == '"' for f in fields), line
    assert tuple(f.strip('"') for f in lines[0].split("\t")) == AHREFS_HEADER
    assert 60 <= len(lines) - 1 <= 150


def test_ahrefs_values() -> None:
    rows = _ahrefs_rows()
    for r in rows:
        assert r["Type"] in {"text", "image", "redirect"}
        for col in ("Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw"):
            assert r[col] in {"true", "false"}
        assert 0 <= float(r["Domain rating"]) <= 100
        assert STAMP.fullmatch(r["First seen"])
        assert STAMP.fullmatch(r["Last seen"])
        assert r["Lost"] == "" or STAMP.fullmatch(r["Lost"])
        assert r["Target URL"].startswith(DEMO_ORIGIN + "/")
    for flag in ("Nofollow", "UGC", "Sponsored"):
        assert any(r[flag] == "true" for r in rows)
    assert any(r["Lost"] and r["Lost status"] for r in rows)
    assert any(r["Type"] == "image" for r in rows)
    spam = [r for r in rows if float(r["Domain rating"]) <= 5]
    assert len(spam) >= 4
    assert all("portland" in r["Anchor"] for r in spam)  # exact-match money anchors
    hosts = [r["Referring page URL"].split("/")[2] for r in rows]
    assert max(hosts.count(h) for h in hosts) >= 10  # one strong site with many links


def test_ahrefs_targets_exist_or_are_planted(planted: dict) -> None:
    pages = set(planted["pages"])
    rules = parse_redirects((DEMO_SITE / "_redirects").read_text(encoding="utf-8"))
    redirecting = {DEMO_ORIGIN + src for src in rules}
    targets = {r["Target URL"] for r in _ahrefs_rows()}
    broken = set(planted["backlink_targets_broken"])
    moved = set(planted["backlink_targets_redirecting"])
    assert broken
    assert broken <= targets
    assert not broken & pages
    assert moved
    assert moved <= targets
    assert moved <= redirecting
    assert targets <= pages | broken | moved


def test_trapped_posts_get_the_strongest_backlinks(planted: dict) -> None:
    # Sum of DR over live followed links, per target: the trapped posts lead the blog.
    weight: dict[str, float] = {}
    for r in _ahrefs_rows():
        if r["Nofollow"] == "false" and not r["Lost"]:
            weight[r["Target URL"]] = weight.get(r["Target URL"], 0.0) + float(r["Domain rating"])
    posts = sorted((u for u in weight if "/blog/" in u), key=lambda u: -weight[u])
    assert set(posts[:3]) == set(planted["trapped_authority_posts"])


def _gsc_file(name: str) -> bytes:
    (path,) = DEMO_EXPORTS.glob(f"*{name}*")
    return path.read_bytes()


def test_gsc_links_exports() -> None:
    for name, header in (
        ("Latest links", "Linking page,Last crawled"),
        ("Top linking sites", "Site,Linking pages,Target pages"),
    ):
        data = _gsc_file(name)
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
        assert not text.endswith("\n")
        assert text.count("\n") == text.count("\r\n") >= 5
        assert text.split("\r\n")[0] == header
    latest = list(csv.reader(io.StringIO(_gsc_file("Latest links").decode("utf-8"))))[1:]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", row[1]) for row in latest)
    assert demo_exports()["gsc_links"].read_bytes() == _gsc_file("Latest links")


def test_gsc_pages_export(planted: dict, site_pages: dict) -> None:
    data = demo_exports()["gsc_pages"].read_bytes()
    text = data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "\r" not in text
    assert not text.endswith("\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["Top pages", "Clicks", "Impressions", "CTR", "Position"]
    for r in rows:
        clicks, impressions = int(r["Clicks"]), int(r["Impressions"])
        assert re.fullmatch(r"\d+(\.\d{1,2})?%", r["CTR"])
        assert abs(float(r["CTR"][:-1]) - 100 * clicks / impressions) < 0.006
        assert re.fullmatch(r"\d+(\.\d{1,2})?", r["Position"])
    urls = [r["Top pages"] for r in rows]
    orphan = planted["gsc_orphan_with_traffic"]
    assert orphan in planted["orphan_pages"]
    assert int(next(r["Clicks"] for r in rows if r["Top pages"] == orphan)) > 0
    plain, with_q = planted["gsc_duplicate_rows"]
    assert with_q == plain + "?"
    assert plain in urls
    assert with_q in urls
    assert set(planted["gsc_slash_variants"]) <= set(urls)
    assert {u.rstrip("?") for u in urls} - {DEMO_ORIGIN + "/about"} <= set(site_pages)
