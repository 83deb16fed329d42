"""The template pass on a real DuckDB store: shares, sitewide flags, demoted template links."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from linkflow.crawl.template_pass import apply_template_pass
from linkflow.extract import parse_page
from linkflow.settings import ExtractSettings
from linkflow.store import Store

SITE = "https://site.example"
POSTS = 12
CTA_POSTS = 8  # posts carrying the same "pricing" call to action: 8/12 >= 0.5


def _page(path: str, body: str) -> bytes:
    # Div soup with no region vocabulary, so only the template pass can find the boilerplate.
    nav = "".join(f'<a href="/{p}">{p.title()}</a> ' for p in ("about", "blog", "pricing"))
    return (
        f"<html><body><div class='top'><a href='/'>Home</a> {nav}</div>"
        f"<div class='post'>{body}</div>"
        f"<div class='bottom2'><a href='/legal'>Legal</a> <a href='/jobs'>Jobs</a></div>"
        f"</body></html>"
    ).encode()


def _post(i: int) -> bytes:
    text = (
        f"<h1>Post {i}</h1><p>This post number {i} explains a topic in enough words to be "
        f"the main text of the page. Read <a href='/blog/post-{(i + 1) % POSTS}'>the next "
        f"story about topic {i + 1}</a> or <a href='/guides/g{i % 4}'>guide {i % 4}</a> for "
        f"more background on the subject.</p><p>Another paragraph of real text follows "
        f"here, so that the main content is clearly this block of the page.</p>"
    )
    if i < CTA_POSTS:
        text += (
            "<p>Ready to start? Our plans are simple and fair: "
            "<a href='/pricing'>See our pricing</a> today.</p>"
        )
    return _page(f"/blog/post-{i}", text)


def _site() -> dict[str, bytes]:
    pages = {f"{SITE}/blog/post-{i}": _post(i) for i in range(POSTS)}
    for name in ("about", "pricing", "legal", "jobs"):
        pages[f"{SITE}/{name}"] = _page(name, f"<p>The {name} page has its own long text.</p>")
    return pages


def _store_crawl(store: Store, pages: dict[str, bytes]) -> int:
    crawl_id = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    page_ids = store.url_ids(list(pages))
    rows: list[dict[str, object]] = []
    for (url, body), src_id in zip(pages.items(), page_ids, strict=True):
        links = parse_page(body, url).links
        dst_ids = store.url_ids([link.url for link in links])
        rows += [
            {
                "crawl_id": crawl_id, "src_id": src_id, "dst_id": dst, "ordinal": link.ordinal,
                "anchor": link.anchor, "position": link.position, "dom_path": link.dom_path,
            }
            for link, dst in zip(links, dst_ids, strict=True)
        ]  # fmt: skip
    store.append(
        "pages",
        [
            {"crawl_id": crawl_id, "url_id": i, "status": 200, "content_type": "text/html"}
            for i in page_ids
        ],
    )
    store.append("links", rows)
    return crawl_id


def _links(store: Store, crawl_id: int) -> list[dict[str, object]]:
    return store.query(
        "SELECT u.url AS src, d.url AS dst, l.ordinal, l.anchor, l.dom_path, l.position, "
        "l.template_share, l.sitewide FROM links l JOIN urls u ON u.id = l.src_id "
        "JOIN urls d ON d.id = l.dst_id WHERE l.crawl_id = ? ORDER BY src, ordinal",
        [crawl_id],
    ).to_pylist()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "audit.duckdb")
    yield s
    s.close()


def test_shares_sitewide_and_demotion_match_an_independent_count(store: Store) -> None:
    pages = _site()
    crawl_id = _store_crawl(store, pages)
    before = _links(store, crawl_id)
    cta_before = [r for r in before if r["anchor"] == "See our pricing"]
    assert len(cta_before) == CTA_POSTS
    assert {r["position"] for r in cta_before} == {"content"}  # the page alone cannot tell

    apply_template_pass(store, crawl_id, ExtractSettings())
    after = _links(store, crawl_id)
    assert len(after) == len(before)

    def cluster(url: str) -> str:
        return "blog" if "/blog/" in url else url

    sizes = Counter(cluster(url) for url in pages)
    # Distinct (page, signature) pairs: a page carrying a link twice counts once.
    page_sigs = {(r["src"], r["dst"], r["anchor"], r["dom_path"]) for r in before}
    carrying = Counter((cluster(str(src)), dst, a, p) for (src, dst, a, p) in page_sigs)
    site_sig = Counter((dst, a, p) for (_, dst, a, p) in page_sigs)
    for row in after:
        key = (cluster(str(row["src"])), row["dst"], row["anchor"], row["dom_path"])
        assert row["template_share"] == pytest.approx(carrying[key] / sizes[key[0]], rel=1e-6)
        share = site_sig[(row["dst"], row["anchor"], row["dom_path"])] / len(pages)
        assert row["sitewide"] == (share >= 0.9)

    nav = [r for r in after if r["anchor"] == "Home"]
    assert len(nav) == len(pages)
    assert all(r["sitewide"] for r in nav)
    cta = [r for r in after if r["anchor"] == "See our pricing"]
    assert {r["position"] for r in cta} == {"footer"}  # after the page's own content links
    assert not any(r["sitewide"] for r in cta)
    # Editorial links stay content: each appears on too few pages of the blog template.
    story = [r for r in after if str(r["anchor"]).startswith("the next story")]
    assert story
    assert {r["position"] for r in story} == {"content"}
    guides = [r for r in after if str(r["anchor"]).startswith("guide ")]
    assert {r["position"] for r in guides} == {"content"}


def test_pass_is_idempotent_and_leaves_small_templates_alone(store: Store) -> None:
    crawl_id = _store_crawl(store, _site())
    before = {(r["src"], r["ordinal"]): r["position"] for r in _links(store, crawl_id)}
    apply_template_pass(store, crawl_id, ExtractSettings())
    once = _links(store, crawl_id)
    apply_template_pass(store, crawl_id, ExtractSettings())
    assert _links(store, crawl_id) == once
    for row in once:  # one-page templates (/about, /legal ...) keep the page's positions
        if "/blog/" not in str(row["src"]):
            assert row["position"] == before[(row["src"], row["ordinal"])]


def test_threshold_above_the_template_share_demotes_nothing(store: Store) -> None:
    crawl_id = _store_crawl(store, _site())
    before = [r["position"] for r in _links(store, crawl_id)]
    apply_template_pass(store, crawl_id, ExtractSettings(template_share=0.9))
    assert [r["position"] for r in _links(store, crawl_id)] == before
