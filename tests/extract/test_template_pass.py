"""The template pass on a real DuckDB store: shares, sitewide flags, demoted template links.

The memory-bounded pass is also checked row for row against the SQL it replaced (kept here
as ``reference_template_positions``) on random crawls, and run under a 32 MB DuckDB limit.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from linkflow.crawl.template_pass import apply_template_pass, apply_template_positions
from linkflow.extract import parse_page
from linkflow.settings import ExtractSettings
from linkflow.store import Store
from tests.extract.measure_template_pass import SHARES, build

SITE = "https://site.example"
POSTS = 12
CTA_POSTS = 8  # posts carrying the same "pricing" call to action: 8/12 >= 0.5


# The pass as it first shipped: one wide scratch table of every link of the crawl, then the
# crawl's links deleted and re-inserted. Kept as the reference the narrow pass must match.
# $1 crawl id, $2 template share, $3 sitewide share, $4 minimum pages.
_REFERENCE_MARK_SQL = """
CREATE OR REPLACE TEMP TABLE _lf_template AS
WITH site AS (
    SELECT url_id AS src_id FROM pages
    WHERE crawl_id = $1 AND internal AND status BETWEEN 200 AND 299
      AND redirect_url_id IS NULL
      AND (content_type IS NULL OR lower(content_type) LIKE '%html%')
    UNION
    SELECT src_id FROM links WHERE crawl_id = $1
),
clustered AS (
    SELECT s.src_id,
           regexp_replace(split_part(u.path, '/', 2), '[0-9]+', 'N', 'g') || '/' ||
           CAST(CASE WHEN trim(u.path, '/') = '' THEN 0
                     ELSE len(string_split(trim(u.path, '/'), '/')) END AS VARCHAR) AS cluster
    FROM site s JOIN urls u ON u.id = s.src_id
),
sizes AS (SELECT cluster, count(*) AS cluster_pages FROM clustered GROUP BY cluster),
total AS (SELECT count(*) AS site_pages FROM clustered),
keyed AS (
    SELECT l.*, c.cluster, coalesce(l.anchor, '') AS k_anchor, coalesce(l.dom_path, '') AS k_path
    FROM links l JOIN clustered c ON c.src_id = l.src_id
    WHERE l.crawl_id = $1
),
sig AS (
    SELECT dst_id, k_anchor, k_path, cluster, count(DISTINCT src_id) AS sig_pages
    FROM keyed GROUP BY dst_id, k_anchor, k_path, cluster
),
sig_site AS (
    SELECT dst_id, k_anchor, k_path, sum(sig_pages) AS site_sig_pages
    FROM sig GROUP BY dst_id, k_anchor, k_path
),
shared AS (
    SELECT k.*,
           sig.sig_pages / sizes.cluster_pages AS share,
           sizes.cluster_pages >= $4 AND sig.sig_pages / sizes.cluster_pages >= $2
               AND k.position IN ('content', 'other') AS demote,
           total.site_pages >= $4 AND sig_site.site_sig_pages / total.site_pages >= $3
               AS is_sitewide,
           count(*) OVER (PARTITION BY k.src_id) AS page_links
    FROM keyed k
    JOIN sizes USING (cluster)
    JOIN sig USING (dst_id, k_anchor, k_path, cluster)
    JOIN sig_site USING (dst_id, k_anchor, k_path)
    CROSS JOIN total
),
ranged AS (
    SELECT *,
           min(CASE WHEN position = 'content' AND NOT demote THEN ordinal END)
               OVER (PARTITION BY src_id) AS content_first,
           max(CASE WHEN position = 'content' AND NOT demote THEN ordinal END)
               OVER (PARTITION BY src_id) AS content_last
    FROM shared
)
SELECT * EXCLUDE (cluster, k_anchor, k_path, share, demote, is_sitewide, page_links,
                  content_first, content_last)
         REPLACE (
    CASE WHEN NOT demote THEN position
         WHEN content_first IS NULL THEN
             CASE WHEN 2 * ordinal < page_links THEN 'nav' ELSE 'footer' END
         WHEN ordinal < content_first THEN 'nav'
         WHEN ordinal > content_last THEN 'footer'
         ELSE 'other' END AS position,
    CAST(share AS REAL) AS template_share,
    is_sitewide AS sitewide
)
FROM ranged
"""


def reference_template_positions(
    store: Store, crawl_id: int, *, template_share: float, sitewide_share: float, min_pages: int
) -> int:
    """The first implementation of ``apply_template_positions``, verbatim."""
    params = [crawl_id, template_share, sitewide_share, min_pages]
    with store.transaction():
        store.query(_REFERENCE_MARK_SQL, params)
        changed = int(
            store.scalar(
                "SELECT count(*) FROM _lf_template t JOIN links l "
                "ON l.crawl_id = t.crawl_id AND l.src_id = t.src_id "
                "AND l.ordinal = t.ordinal AND l.dst_id = t.dst_id "
                "WHERE l.position IS DISTINCT FROM t.position"
            )
        )
        store.query("DELETE FROM links WHERE crawl_id = $1", [crawl_id])
        store.query("INSERT INTO links BY NAME SELECT * FROM _lf_template")
        store.query("DROP TABLE _lf_template")
    return changed


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


# ---------------------------------------------------------------- against the reference

_COLUMNS = (
    "src_id, dst_id, ordinal, anchor, alt, is_image, rel, rel_nofollow, rel_sponsored, rel_ugc, "
    "target, fragment, position, dom_path, template_share, sitewide, context"
)
# Slugs whose digits fold: /x1 and /x22 are one cluster, /2023/ and /2024/ another.
_TEMPLATES = ("/", "/x{i}", "/blog/{y}/post-{i}", "/docs/{a}/{b}/", "/p/{i}", "/{y}/{i}")
# 'ab' + 'c', 'a' + 'bc' and 'c' + 'ab' must stay three signatures; NULL and '' are one.
_ANCHORS = (None, "", "a", "ab", "Home", "Pricing", "Read more", "ünïcode ✓")
_TYPES = ("text/html", "TEXT/HTML; charset=utf-8", None, "application/pdf")
_DOM_PATHS = (None, "", "c", "bc", "html>body>nav>a", "html>body>main>p>a", "html>body>footer>a")


def _random_crawl(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pages and links of one random crawl (no crawl id), with URLs in place of ids."""
    templates = rng.sample(_TEMPLATES, rng.randint(1, len(_TEMPLATES)))
    n_pages = rng.randint(1, 40)
    urls = []
    for i in range(n_pages):
        path = rng.choice(templates).format(i=i, y=rng.choice((2023, 2024)), a=i % 3, b=i)
        urls.append(SITE + path if path != "/" or i == 0 else f"{SITE}/?page={i}")
    pages = []
    for url in urls:
        kind = rng.random()
        if kind < 0.1:
            continue  # a page with links but no row of its own (it still counts)
        pages.append({
            "url": url, "internal": kind > 0.15,
            "status": rng.choice((200, 200, 200, 204, 404, None)),
            "redirect": rng.choice(urls) if kind > 0.95 else None,
            "content_type": rng.choice(_TYPES),
        })  # fmt: skip
    # A small pool of signatures, so templates and repeats (also on one page) happen.
    blocks = [
        (rng.choice([*urls, f"{SITE}/elsewhere"]), rng.choice(_ANCHORS), rng.choice(_DOM_PATHS))
        for _ in range(rng.randint(1, 12))
    ]
    if rng.random() < 0.5:  # signatures whose anchor + DOM path read the same, or swapped
        dst = rng.choice(urls)
        blocks += [(dst, "ab", "c"), (dst, "a", "bc"), (dst, "c", "ab")] * 3
    links = []
    for url in urls:
        for ordinal in range(rng.choice((0, rng.randint(1, 30)))):
            if rng.random() < 0.6:
                dst, anchor, dom_path = rng.choice(blocks)
            else:
                dst, anchor, dom_path = (
                    rng.choice(urls),
                    rng.choice(_ANCHORS),
                    rng.choice(_DOM_PATHS),
                )
            links.append({
                "src": url, "dst": dst, "ordinal": ordinal, "anchor": anchor,
                "dom_path": dom_path, "context": rng.choice((None, f"around {ordinal}")),
                "position": rng.choice(("content", "content", "other", "nav", "footer", "sidebar")),
                "template_share": rng.choice((None, 0.5, 1.0)), "sitewide": rng.random() < 0.2,
                "rel": rng.choice((None, "nofollow")), "is_image": rng.random() < 0.1,
            })  # fmt: skip
    return pages, links


def _add_crawl(store: Store, pages: list[dict[str, Any]], links: list[dict[str, Any]]) -> int:
    crawl_id = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    urls = [p["url"] for p in pages] + [p["redirect"] for p in pages if p["redirect"]]
    urls += [lk[end] for lk in links for end in ("src", "dst")]
    ids = dict(zip(urls, store.url_ids(urls), strict=True))
    store.append("pages", [
        {"crawl_id": crawl_id, "url_id": ids[p["url"]], "internal": p["internal"],
         "status": p["status"], "content_type": p["content_type"],
         "redirect_url_id": ids[p["redirect"]] if p["redirect"] else None}
        for p in pages
    ])  # fmt: skip
    store.append("links", [
        {k: v for k, v in lk.items() if k not in ("src", "dst")}
        | {"crawl_id": crawl_id, "src_id": ids[lk["src"]], "dst_id": ids[lk["dst"]]}
        for lk in links
    ])  # fmt: skip
    return crawl_id


def _rows(store: Store, crawl_id: int) -> Counter[tuple[Any, ...]]:
    table = store.query(f"SELECT {_COLUMNS} FROM links WHERE crawl_id = ?", [crawl_id])
    return Counter(tuple(row.values()) for row in table.to_pylist())


@pytest.mark.parametrize("seed", range(30))
def test_matches_the_reference_sql_on_random_crawls(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    pages, links = _random_crawl(rng)
    params = {
        "template_share": rng.choice((0.0, 0.3, 0.5, 0.75, 1.0, rng.random())),
        "sitewide_share": rng.choice((0.0, 0.5, 0.9, 1.0, rng.random())),
        "min_pages": rng.choice((0, 1, 2, 3, 5, len(pages), 100)),
    }
    with Store.open(tmp_path / "audit.duckdb") as store:
        # Two copies of the crawl: the reference runs on one, the new pass on the other,
        # and each must leave the other crawl's rows alone.
        ref_id, new_id = _add_crawl(store, pages, links), _add_crawl(store, pages, links)
        before = _rows(store, new_id)
        expected_changed = reference_template_positions(store, ref_id, **params)
        expected = _rows(store, ref_id)
        assert _rows(store, new_id) == before

        assert apply_template_positions(store, new_id, **params) == expected_changed
        assert _rows(store, new_id) == expected
        assert _rows(store, ref_id) == expected
        assert apply_template_positions(store, new_id, **params) == 0
        assert _rows(store, new_id) == expected
        assert not {t for t in store.tables() if t.startswith("_lf")}


@contextmanager
def _duckdb_budget(store: Store, memory: str, threads: int) -> Iterator[None]:
    # Set back explicitly: RESET memory_limit (DuckDB 1.5) shows the default again but
    # leaves the buffer pool at the old limit.
    old = [
        store.scalar(f"SELECT current_setting('{name}')") for name in ("memory_limit", "threads")
    ]
    store.query(f"SET memory_limit = '{memory}'")
    store.query(f"SET threads = {threads}")
    try:
        yield
    finally:
        store.query(f"SET memory_limit = '{old[0]}'")
        store.query(f"SET threads = {old[1]}")


@pytest.mark.parametrize("threads", [1, 2])
def test_runs_in_32mb_and_matches_the_reference(tmp_path: Path, threads: int) -> None:
    # 1,000 pages, about 165,000 links: the reference pass runs out of memory at this limit.
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl_id = build(store, 1000)
        copy_id = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
        for table in ("pages", "links"):
            store.query(
                f"INSERT INTO {table} SELECT * REPLACE ({copy_id} AS crawl_id) FROM {table} "
                "WHERE crawl_id = ?",
                [crawl_id],
            )
        # The copy's rows cross a slice boundary of row ids (2**18).
        assert store.scalar("SELECT max(rowid) FROM links") >= 1 << 18
        with _duckdb_budget(store, "32MB", threads):
            changed = apply_template_positions(store, copy_id, **SHARES)
        assert changed > 0
        assert reference_template_positions(store, crawl_id, **SHARES) == changed
        assert _rows(store, crawl_id) == _rows(store, copy_id)
