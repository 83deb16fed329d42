"""Anchor findings of the internal analysis: generic, empty and naked-URL anchors, image
links without alt text, and how descriptive anchors spread over targets.

The class of each distinct anchor of the crawl comes from the one rule of
:mod:`linkflow.analyses.anchors`, run in Python once per distinct text; SQL then only joins
those classes back to the links, which can number in the millions.

anchor-many-targets reports a descriptive anchor that names a topic
(:func:`~linkflow.analyses.anchors.names_a_topic`) leading to different pages, counting only
links written by choice: not those of pagination, breadcrumbs, images, link-directory
pages (:data:`DIRECTORY_SHARE`), whose entries repeat their targets' headings, nor links to
an API entry (:data:`API_FRAGMENT`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.analyses.anchors import classify_anchors, names_a_topic
from linkflow.analyses.findings_text import SEVERITY, WHY
from linkflow.analyses.internal_findings import rows
from linkflow.graph import LinkGraph
from linkflow.graph.load import FOLLOWED_SQL
from linkflow.store import Store

__all__ = [
    "ANCHOR_KINDS",
    "ANCHOR_MANY_TARGETS",
    "API_FRAGMENT",
    "DIRECTORY_MIN_LINKS",
    "DIRECTORY_SHARE",
    "TARGET_MANY_ANCHORS",
    "anchor_classes",
    "anchor_findings",
    "anchor_rows",
    "anchor_spread",
]

ANCHOR_MANY_TARGETS = 2
"""A descriptive anchor text pointing at this many different pages is reported."""
TARGET_MANY_ANCHORS = 10
"""A page reached by this many different descriptive anchors is reported."""
DIRECTORY_SHARE = 0.5
"""A page whose content links' anchor texts hold at least this share of the words of its
main content is a link directory (an index, a table of contents, a sitemap, an archive):
its anchors repeat the headings of the entries they list, so they are left out of
anchor-many-targets."""
DIRECTORY_MIN_LINKS = 10
"""... provided it has at least this many content links (a short page with one link is no
directory)."""
API_FRAGMENT = r"[A-Za-z_]\w*\.[A-Za-z_]"
"""A link whose fragment holds a dotted name (``#asyncio.Queue``, ``#module-os.path``,
``#method.push``) points at one entry of an API reference: its anchor names that entry, and
many entries share a name (``asyncio.Queue``, ``queue.Queue``). Such links are left out of
anchor-many-targets. (``#section-1.2`` is no such name.)"""
ANCHOR_KINDS = ("generic-anchor", "empty-anchor", "naked-url-anchor", "image-link-no-alt")
"""The per-link anchor finding kinds."""


def anchor_classes(store: Store, crawl_id: int, generic: Sequence[str]) -> pa.Table:
    """Every distinct anchor of ``crawl_id`` (NULL read as ``""``) with its normalised text
    ``a``, shared class ``cls`` (empty, naked_url, generic, or NULL for descriptive) and
    ``topic``: a descriptive anchor that names a topic (:func:`names_a_topic`)."""
    distinct = store.query(
        "SELECT DISTINCT coalesce(anchor, '') AS anchor FROM links WHERE crawl_id = ?",
        [crawl_id],
    )["anchor"].combine_chunks()
    cls, norm = classify_anchors(distinct, generic)
    topic = [
        c is None and names_a_topic(text or "", a)
        for text, a, c in zip(distinct.to_pylist(), norm.to_pylist(), cls.to_pylist(), strict=True)
    ]
    return pa.table(
        {"anchor": distinct, "a": norm, "cls": cls, "topic": pa.array(topic, pa.bool_())}
    )


def anchor_findings(
    store: Store, crawl_id: int, internal_ids: pa.Table, classes: pa.Table
) -> pa.Table:
    """Generic, empty and naked-URL anchors, and image links without alt text.

    Only followed links to ``internal_ids`` (column url_id) count, as in Lighthouse's
    link-text audit (links are stored only for crawled pages, so their sources are
    internal). ``classes`` is :func:`anchor_classes`. One row per (source, target, kind),
    severity and why from the vocabulary. Result columns: kind, severity, url_id (the
    source page), detail, why, value (number of links), target_id (the link's target).
    """
    alt = "trim(coalesce(l.alt, ''))"
    image = "coalesce(l.is_image, FALSE)"
    # Only the (small) set of classified anchors, or image links, survive the scan of links.
    bad = classes.select(["anchor", "cls"]).filter(pc.is_valid(classes["cls"]))
    vocab = pa.table(
        {
            "kind": list(ANCHOR_KINDS),
            "severity": [SEVERITY[k] for k in ANCHOR_KINDS],
            "why": [WHY[k] for k in ANCHOR_KINDS],
        }
    )
    with (
        store.registered("_lf_internal", internal_ids),
        store.registered("_lf_bad", bad),
        store.registered("_lf_vocab", vocab),
    ):
        return store.query(
            "WITH c AS (SELECT l.src_id, l.dst_id, l.ordinal, left(trim(l.anchor), 120) AS a, "
            f"  CASE WHEN {image} AND {alt} = '' THEN 'image-link-no-alt' "
            f"  WHEN NOT {image} AND b.cls = 'empty' THEN 'empty-anchor' "
            "  WHEN b.cls = 'naked_url' THEN 'naked-url-anchor' "
            "  WHEN b.cls = 'generic' THEN 'generic-anchor' END AS kind "
            "  FROM links l LEFT JOIN _lf_bad b ON b.anchor = coalesce(l.anchor, '') "
            "  WHERE l.crawl_id = ? "
            "  AND (l.anchor IN (SELECT anchor FROM _lf_bad) OR l.anchor IS NULL OR l.is_image) "
            f"  AND {FOLLOWED_SQL} AND l.dst_id IN (SELECT url_id FROM _lf_internal)), "
            "g AS (SELECT kind, src_id, dst_id, count(*) AS n, arg_min(a, ordinal) AS a "
            "  FROM c WHERE kind IS NOT NULL GROUP BY ALL) "
            "SELECT g.kind, v.severity, g.src_id::INTEGER AS url_id, "
            "CASE g.kind WHEN 'empty-anchor' THEN 'link to ' || u.url || ' has no text' "
            "WHEN 'image-link-no-alt' THEN 'image link to ' || u.url || ' has no alt text' "
            "ELSE 'link to ' || u.url || ' has anchor \"' || g.a || '\"' END || "
            "CASE WHEN g.n > 1 THEN ' (' || g.n || ' links)' ELSE '' END AS detail, "
            "v.why, g.n::DOUBLE AS value, g.dst_id::BIGINT AS target_id "
            "FROM g JOIN urls u ON u.id = g.dst_id JOIN _lf_vocab v ON v.kind = g.kind",
            [crawl_id],
        )


def anchor_spread(
    store: Store,
    crawl_id: int,
    resolved: pa.Table,
    classes: pa.Table,
    *,
    min_targets: int,
    min_anchors: int,
) -> tuple[pa.Table, pa.Table]:
    """Descriptive anchors by distinct final target, and targets by distinct anchors.

    ``resolved`` maps url_id → final_id (the graph node a link to url_id ends at);
    ``classes`` is :func:`anchor_classes`. Only followed links with a descriptive anchor
    (class NULL) and not in pagination or breadcrumbs count; anchors are compared
    normalised. For the anchors, only topics count (``topic``), on links neither from link
    directories (:data:`DIRECTORY_SHARE`) nor to API entries (:data:`API_FRAGMENT`). Returns
    (anchors with at least ``min_targets`` targets: anchor, targets, sample — the first 5
    target URLs; targets with at least ``min_anchors`` anchors: url_id, anchors, sample —
    the first 5 anchors).
    """
    descriptive = classes.select(["anchor", "a", "topic"]).filter(pc.is_null(classes["cls"]))
    # The temporary tables live inside one transaction, which also holds the store for this
    # thread: a rollback takes them away with it.
    with (
        store.transaction(),
        store.registered("_lf_resolved", resolved),
        store.registered("_lf_descriptive", descriptive),
    ):
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_names AS SELECT anchor, hash(anchor) AS h, a, "
            "topic, dense_rank() OVER (ORDER BY a) AS aid FROM _lf_descriptive"
        )
        # Link directories: pages whose main content is mostly the text of their links.
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_directories AS "
            "WITH c AS (SELECT src_id, sum(len(regexp_extract_all(anchor, '\\S+'))) AS words "
            "  FROM links WHERE crawl_id = $crawl AND position = 'content' "
            "  GROUP BY src_id HAVING count(*) >= $min_links), "
            "p AS (SELECT url_id, max(word_count) AS words FROM pages "
            "  WHERE crawl_id = $crawl GROUP BY url_id) "
            "SELECT c.src_id FROM c JOIN p ON p.url_id = c.src_id "
            "WHERE p.words > 0 AND c.words >= $share * p.words",
            {"crawl": crawl_id, "min_links": DIRECTORY_MIN_LINKS, "share": DIRECTORY_SHARE},
        )
        # distinct (anchor, target) pairs on a 64-bit hash of the anchor: grouping
        # millions of links by two integers is several times faster than by text. ``spread``:
        # the pair counts for anchor-many-targets (a topic, on a page not a directory, not
        # to an API entry).
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_pairs AS "
            "WITH raw AS (SELECT DISTINCT hash(coalesce(l.anchor, '')) AS h, l.dst_id, "
            "  l.src_id NOT IN (SELECT src_id FROM _lf_directories) "
            "  AND NOT coalesce(regexp_matches(l.fragment, $api), FALSE) AS chosen "
            f"  FROM links l WHERE l.crawl_id = $crawl AND {FOLLOWED_SQL} "
            "  AND l.position NOT IN ('pagination', 'breadcrumb') "
            "  AND NOT coalesce(l.is_image, FALSE)) "
            "SELECT n.aid, r.final_id, bool_or(raw.chosen AND n.topic) AS spread FROM raw "
            "JOIN (SELECT h, aid, bool_or(topic) AS topic FROM _lf_names GROUP BY ALL) n "
            "ON n.h = raw.h JOIN _lf_resolved r ON r.url_id = raw.dst_id GROUP BY ALL",
            {"crawl": crawl_id, "api": API_FRAGMENT},
        )
        names = "(SELECT DISTINCT aid, a FROM _lf_names)"
        # samples: min(x, 5) keeps the 5 lowest ids per group in one hash aggregate
        anchors = store.query(
            "WITH k AS (SELECT aid, count(*) AS targets, min(final_id, 5) AS ids "
            "  FROM _lf_pairs WHERE spread GROUP BY aid HAVING count(*) >= ?) "
            "SELECT any_value(n.a) AS anchor, any_value(k.targets) AS targets, "
            "string_agg(u.url, ' ' ORDER BY u.url) AS sample "
            "FROM (SELECT aid, targets, unnest(ids) AS final_id FROM k) k "
            f"JOIN urls u ON u.id = k.final_id JOIN {names} n ON n.aid = k.aid "
            "GROUP BY k.aid",
            [min_targets],
        )
        targets = store.query(
            "WITH k AS (SELECT final_id, count(*) AS anchors, min(aid, 5) AS ids "
            "  FROM _lf_pairs GROUP BY final_id HAVING count(*) >= ?) "
            "SELECT k.final_id::INTEGER AS url_id, any_value(k.anchors) AS anchors, "
            "string_agg('\"' || left(n.a, 60) || '\"', ', ' ORDER BY n.a) AS sample "
            "FROM (SELECT final_id, anchors, unnest(ids) AS aid FROM k) k "
            f"JOIN {names} n ON n.aid = k.aid GROUP BY k.final_id",
            [min_anchors],
        )
        store.execute("DROP TABLE _lf_pairs")
        store.execute("DROP TABLE _lf_directories")
        store.execute("DROP TABLE _lf_names")
    return anchors, targets


def anchor_rows(
    store: Store, crawl_id: int, graph: LinkGraph, internal_ids: np.ndarray, generic: Sequence[str]
) -> list[pa.Table]:
    """generic-anchor, empty-anchor, naked-url-anchor, image-link-no-alt (per link pair),
    anchor-many-targets (per anchor text) and target-many-anchors (per page)."""
    t = graph.targets
    assert t is not None
    classes = anchor_classes(store, crawl_id, generic)
    ids = pa.table({"url_id": pa.array(internal_ids, pa.int64())})
    out = [anchor_findings(store, crawl_id, ids, classes)]
    ok = np.flatnonzero(t.node >= 0)
    resolved = pa.table(
        {
            "url_id": pa.array(ok, pa.int64()),
            "final_id": pa.array(graph.node_url_ids[t.node[ok]], pa.int64()),
        }
    )
    anchors, targets = anchor_spread(
        store,
        crawl_id,
        resolved,
        classes,
        min_targets=ANCHOR_MANY_TARGETS,
        min_anchors=TARGET_MANY_ANCHORS,
    )
    n = anchors.num_rows
    detail = pc.binary_join_element_wise(
        '"',
        pc.utf8_slice_codeunits(anchors["anchor"], 0, 80),
        '" links to ',
        pc.cast(anchors["targets"], pa.string()),
        " different pages: ",
        anchors["sample"],
        "",
    )
    out.append(
        rows(
            "anchor-many-targets",
            np.full(n, -1),
            detail,
            anchors["targets"].to_numpy().astype(float),
        )
    )
    out[-1] = out[-1].set_column(2, "url_id", pa.nulls(n, pa.int64()))
    detail = pc.binary_join_element_wise(
        pc.cast(targets["anchors"], pa.string()),
        " different anchor texts, e.g. ",
        targets["sample"],
        "",
    )
    out.append(
        rows(
            "target-many-anchors",
            targets["url_id"].to_numpy(),
            detail,
            targets["anchors"].to_numpy().astype(float),
        )
    )
    return out
