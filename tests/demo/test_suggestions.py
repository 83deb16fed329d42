"""The demo's link suggestions: each backlinked post whose authority is trapped gets its link.

The expectations are written by hand from the posts' text in linkflow/demo/content/: which
service each post names in a sentence that holds no link yet. The pages a suggestion may
point to come from planted.json and from the independent HTML parse of the site files
(conftest), not from linkflow's output.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.demo.content import LINK, entries, plain_text
from linkflow.store import Store
from tests.demo.conftest import ParsedPage

ORIGIN = "https://www.greenleaf-landscaping.com"

# post slug -> (service page it should link to, a word the anchor must hold, words of the
# sentence that should carry the link); read off the posts in content/posts_*.txt
EXPECTED = {
    "drought-tolerant-plants": ("/services/garden-design/", "garden", "Good garden design and"),
    "summer-watering-schedule": (
        "/services/irrigation-systems/",
        "irrigation",
        "modern irrigation",
    ),
    "mowing-height-guide": ("/services/lawn-care/", "lawn care", "Professional lawn care crews"),
}
GENERIC = {"click here", "read more", "learn more", "here", "this page", "more", "link", "this"}
CUT_OFF = {"a", "an", "and", "the", "of", "to", "in", "on", "with", "for", "or", "at", "by"}
MIN_CONTENT_INLINKS = 3  # the analyse.min_content_inlinks default: fewer is under-linked


@pytest.fixture(scope="module")
def suggestions(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    audit = tmp_path_factory.mktemp("demo-suggest") / "audit"
    result = CliRunner().invoke(cli, ["demo", "--audit", str(audit), "--quiet"])
    assert result.exit_code == 0, result.output
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        rows = store.read("suggestions", crawl_id=store.latest_crawl_id()).to_pylist()
    html = (audit / "report" / "index.html").read_text(encoding="utf-8")
    return rows, html


def _post_sentences(slug: str) -> dict[str, bool]:
    """Sentences of the post's body as written in the content file, each with whether it
    already holds a link."""
    [post] = [p for p in entries("post") if p["slug"] == slug]
    out: dict[str, bool] = {}
    for block in post.blocks:
        for raw in re.split(r"(?<=[.!?])\s+", block):
            out[plain_text(raw).strip()] = LINK.search(raw) is not None
    return out


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_trapped_post_gets_a_link_to_its_service_in_one_of_its_sentences(
    slug: str, suggestions: tuple[list[dict[str, Any]], str], planted: dict[str, Any]
) -> None:
    rows, html = suggestions
    source = f"{ORIGIN}/blog/{slug}/"
    assert source in planted["trapped_authority_posts"]
    target_path, anchor_word, sentence_words = EXPECTED[slug]
    assert f"{ORIGIN}{target_path}" in planted["money_pages"]
    found = [
        r for r in rows if r["source_url"] == source and r["target_url"] == ORIGIN + target_path
    ]
    assert len(found) == 1, [(r["source_url"], r["target_url"]) for r in rows]
    [row] = found
    sentences = _post_sentences(slug)
    assert row["sentence"] in sentences  # a sentence of the post, word for word
    assert not sentences[row["sentence"]]  # that holds no link yet
    assert sentence_words in row["sentence"]
    assert row["anchor"] in row["sentence"]
    assert anchor_word in row["anchor"].lower()
    assert row["anchor"].lower().strip() not in GENERIC
    edges = row["anchor"].lower().split()
    assert edges[0] not in CUT_OFF  # it reads whole: no "irrigation systems with"
    assert edges[-1] not in CUT_OFF
    assert len(row["anchor"]) < len(row["sentence"]) / 2
    assert row["gain"] > 0
    assert row["target_gain"] > 0
    # the report shows it: the sentence with its anchor marked, and the gain
    marked = row["sentence"].replace(row["anchor"], f"<mark>{row['anchor']}</mark>", 1)
    assert (
        escape(marked, quote=False)
        .replace("&lt;mark&gt;", "<mark>")
        .replace("&lt;/mark&gt;", "</mark>")
        in html
    )
    assert f"gain {row['gain'] * 100:+.2f} pp" in html


def test_suggestions_point_only_at_money_orphan_or_under_linked_pages(
    suggestions: tuple[list[dict[str, Any]], str],
    planted: dict[str, Any],
    site_pages: dict[str, ParsedPage],
) -> None:
    rows, _ = suggestions
    content_in: dict[str, set[str]] = {}
    for page in site_pages.values():
        for link in page.links:
            if link.in_main and link.target != page.url:
                content_in.setdefault(link.target, set()).add(page.url)
    under = {u for u in site_pages if len(content_in.get(u, ())) < MIN_CONTENT_INLINKS}
    money = {*planted["money_pages"], f"{ORIGIN}/services/"}  # the demo's money: /services/*
    allowed = money | set(planted["orphan_pages"]) | under
    assert rows
    assert {r["target_url"] for r in rows} <= allowed
    # and the other way: a well-linked page that earns nothing is no target
    not_allowed = set(site_pages) - allowed
    assert f"{ORIGIN}/blog/mulch-guide/" in not_allowed
    assert not {r["target_url"] for r in rows} & not_allowed
    # each suggestion is a new link: its source does not link its target yet
    for r in rows:
        page = site_pages[r["source_url"]]
        assert r["target_url"] not in {link.target for link in page.links}, r
