"""The link graph built on Spark, by the rules of :func:`linkflow.graph.build_graph`.

The input is the store's own ``pages`` and ``links`` tables, as ``linkflow export --table
pages --format parquet`` (and ``--table links``) writes them; another pipeline may write
the same columns (extra ones are ignored):

- pages: ``crawl_id``, ``url_id`` (integers), ``internal`` (bool), ``status`` (HTTP status,
  NULL: no response), ``redirect_url_id``, ``canonical_url_id`` (NULL: none),
  ``indexable`` (bool, NULL read as TRUE), ``fetched_at`` (timestamp: of several rows of
  one url_id the latest counts, NULL oldest);
- links: ``crawl_id``, ``src_id``, ``dst_id`` (url ids), ``ordinal`` (order on the page),
  ``position`` (``content``, ``nav`` ...; unknown: ``other``), ``is_image``,
  ``rel_nofollow``, ``rel_sponsored``, ``rel_ugc`` (bool, NULL read as FALSE).

A node's key on Spark is its url id (int64), so no global numbering (a window over every
row, which Spark runs in one partition) is needed. Every rule has one definition in
:mod:`linkflow.graph.model`; where Spark needs its own expression of one, the comment names
the local function it mirrors. Only the order of floating-point sums may differ, so summed
weights agree to the last bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from linkflow.errors import ConfigError
from linkflow.graph.load import NOFOLLOW_COLUMNS
from linkflow.graph.model import check_settings, position_weights
from linkflow.settings import GraphSettings

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = [
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "SparkGraph",
    "SparkLanding",
    "spark_build_graph",
    "spark_landing",
]

PAGE_COLUMNS: Final = (
    "crawl_id", "url_id", "internal", "status", "redirect_url_id", "canonical_url_id",
    "indexable", "fetched_at",
)  # fmt: skip
"""The ``pages`` columns the build reads."""

LINK_COLUMNS: Final = (
    "crawl_id", "src_id", "dst_id", "ordinal", "position", "is_image", *NOFOLLOW_COLUMNS,
)  # fmt: skip
"""The ``links`` columns the build reads."""


@dataclass(frozen=True, slots=True)
class SparkLanding:
    """``nodes``: ``node`` (int64 url id of every node); ``targets``: ``url_id`` of every
    page row, ``node`` where a link to it lands (NULL: the link is dropped: a loop, or a
    chain that ends at a non-node)."""

    nodes: DataFrame
    targets: DataFrame


@dataclass(frozen=True, slots=True)
class SparkGraph:
    """The built graph as DataFrames, keyed by url id.

    ``edges``: ``src``, ``dst`` (int64 url ids of nodes; one row per pair, no self-links),
    ``weight`` (float64), ``content`` (bool: includes a main-content link) — the exchange
    table of :mod:`.exchange`; ``nodes``: ``node`` (int64 url id), ``out_weight`` (W_i:
    the edge weights plus any evaporated nofollow weight), ``nofollow_in`` (nofollow,
    sponsored or ugc links landing on the node, self-links not counted); ``targets``:
    ``url_id`` of every page row, ``node`` where a link to it lands (NULL: the link is
    dropped: a loop, or a chain that ends at a non-node).
    """

    edges: DataFrame
    nodes: DataFrame
    targets: DataFrame


def _require(frame: DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"the {table} table for the Spark graph build lacks the column(s) "
            f"{', '.join(missing)}: write the store's own {table} columns"
        )


def _latest(pages: DataFrame) -> DataFrame:
    """One row per url_id: the last fetched (mirrors ``crawl_pages``'s QUALIFY)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # partitioned by url_id: each window holds the rows of one URL, never the whole table
    latest = Window.partitionBy("url_id").orderBy(F.col("fetched_at").desc_nulls_last())
    return pages.withColumn("_row", F.row_number().over(latest)).filter("_row = 1").drop("_row")


def _is_node() -> Column:
    """The node rule of ``build_graph``'s ``is_node`` (NULLs filled as it fills them)."""
    from pyspark.sql import functions as F

    canonical = F.col("canonical_url_id")
    return (
        F.coalesce(F.col("internal"), F.lit(False))
        & (F.coalesce(F.col("status"), F.lit(0)) == 200)
        & F.coalesce(F.col("indexable"), F.lit(True))
        & F.col("redirect_url_id").isNull()
        & (canonical.isNull() | (canonical == F.col("url_id")))
    )


def _pointers(pages: DataFrame) -> DataFrame:
    """``u`` → ``next``: the hop a link to u takes (mirrors ``resolve_targets``'s
    ``full_next``: the redirect, else a canonical naming another URL). A URL without a row
    here is the end of its chain."""
    from pyspark.sql import functions as F

    url, canonical = F.col("url_id"), F.col("canonical_url_id")
    hop = F.when(F.col("redirect_url_id").isNotNull(), F.col("redirect_url_id")).when(
        canonical.isNotNull() & (canonical != url), canonical
    )
    return (
        pages.select(url.cast("long").alias("u"), hop.cast("long").alias("next")).filter(
            F.col("next").isNotNull() & (F.col("next") != F.col("u"))
        )  # u → u is an end
    )


def _follow(pointers: DataFrame) -> DataFrame:
    """``u``, ``final``: where each pointer row's chain ends; NULL in a loop (mirrors
    ``follow_chains``).

    Pointer doubling over the pointer rows only: after k rounds ``end`` is the 2**k-th
    successor or the chain's end, so ceil(log2(rows)) + 1 rounds reach every end; it stops
    sooner when a round moves nothing. An ``end`` that still has a pointer is in a loop.
    """
    from pyspark.sql import functions as F

    ptr = pointers.select("u", F.col("next").alias("end"))
    rounds, bound = 0, 1
    while rounds < bound:
        ahead = ptr.select(F.col("u").alias("end"), F.col("end").alias("far"))
        step = (
            ptr.join(ahead, "end", "left")
            .select(
                "u",
                F.coalesce(F.col("far"), F.col("end")).alias("end"),
                (F.col("far").isNotNull() & (F.col("far") != F.col("end"))).alias("moved"),
            )
            .localCheckpoint(eager=False)  # the count below computes it: one job a round
        )
        counts = step.agg(
            F.count("*").alias("rows"), F.count(F.when(F.col("moved"), 1)).alias("moved")
        ).first()
        assert counts is not None
        ptr = step.select("u", "end")
        rounds += 1
        if rounds == 1:
            rows = int(counts["rows"])
            bound = math.ceil(math.log2(rows)) + 1 if rows > 1 else 1
        if not counts["moved"]:
            break
    open_end = pointers.select(F.col("u").alias("end"), F.lit(True).alias("open"))
    return ptr.join(open_end, "end", "left").select(
        "u", F.when(F.col("open").isNull(), F.col("end")).alias("final")
    )


def _weight(settings: GraphSettings) -> Column:
    """Position weight × image multiplier (mirrors ``crawl_links``'s weight expression)."""
    from pyspark.sql import functions as F

    weights, image = position_weights(settings)
    by_position = None
    for position, w in weights.items():
        hit = F.col("position") == F.lit(position)
        by_position = (
            F.when(hit, F.lit(w)) if by_position is None else by_position.when(hit, F.lit(w))
        )
    other = F.lit(float(weights.get("other", 1.0)))
    per_position = other if by_position is None else by_position.otherwise(other)
    multiplier = F.when(F.coalesce(F.col("is_image"), F.lit(False)), F.lit(image)).otherwise(
        F.lit(1.0)
    )
    return per_position * multiplier


def _merge(links: DataFrame, how: str) -> DataFrame:
    """One row per (src, dst): weight max, sum or first (lowest ordinal), content OR
    (mirrors ``_dedupe``)."""
    from pyspark.sql import functions as F

    if how == "sum":
        weight = F.sum("weight")
    elif how == "max":
        weight = F.max("weight")
    else:
        weight = F.min(F.struct("ordinal", "weight")).getField("weight")
    return links.groupBy("src", "dst").agg(
        weight.alias("weight"), F.max("content").alias("content")
    )


def spark_landing(pages: DataFrame, crawl_id: int | None = None) -> SparkLanding:
    """The nodes of the crawl and where a link to each URL lands (the settings play no
    part: one landing serves builds under several settings).

    ``pages``: the table of the module docstring; ``crawl_id`` keeps that crawl's rows
    (None: every row belongs to one crawl). The redirect/canonical chains are followed
    here, eagerly (one small Spark job a round). Raises :class:`ConfigError` for a missing
    column.
    """
    from pyspark.sql import functions as F

    _require(pages, PAGE_COLUMNS, "pages")
    if crawl_id is not None:
        pages = pages.filter(F.col("crawl_id") == F.lit(crawl_id))
    # read by the chains, the nodes and the landing table: computed once
    pages = _latest(pages.select(*PAGE_COLUMNS)).localCheckpoint(eager=False)
    nodes = pages.filter(_is_node()).select(F.col("url_id").cast("long").alias("node"))
    ends = _follow(_pointers(pages))
    # where a link to each URL lands (mirrors resolve_targets's ``node``): a pointer row
    # goes to its chain's end, any other URL stays; only a node receives the link
    hops = ends.withColumnRenamed("u", "url_id").withColumn("hop", F.lit(True))
    end = F.when(F.col("hop"), F.col("final")).otherwise(F.col("url_id"))
    is_node = nodes.withColumnRenamed("node", "end").withColumn("is_node", F.lit(True))
    targets = (
        pages.select(F.col("url_id").cast("long").alias("url_id"))
        .join(hops, "url_id", "left")
        .select("url_id", end.alias("end"))
        .join(is_node, "end", "left")
        .select("url_id", F.when(F.col("is_node"), F.col("end")).alias("node"))
        .localCheckpoint(eager=False)
    )
    return SparkLanding(nodes=nodes, targets=targets)


def spark_build_graph(
    pages: DataFrame,
    links: DataFrame,
    settings: GraphSettings,
    crawl_id: int | None = None,
    *,
    landing: SparkLanding | None = None,
) -> SparkGraph:
    """Build the equity graph on Spark (the rules of :func:`linkflow.graph.build_graph`).

    ``pages``/``links``: the tables of the module docstring; ``crawl_id`` keeps that crawl's
    rows (None: every row belongs to one crawl). ``landing``: :func:`spark_landing` of the
    same pages and crawl, when several settings are built over one crawl (None: computed
    here, eagerly: a few small Spark jobs). The returned DataFrames are lazy, over links
    kept in a local checkpoint once computed. Raises :class:`ConfigError` for invalid
    settings or a missing column.
    """
    from pyspark.sql import functions as F

    check_settings(settings)
    weight = _weight(settings)  # checks settings.weights
    if landing is None:
        _require(pages, PAGE_COLUMNS, "pages")
    _require(links, LINK_COLUMNS, "links")
    if landing is None:
        landing = spark_landing(pages, crawl_id)
    if crawl_id is not None:
        links = links.filter(F.col("crawl_id") == F.lit(crawl_id))
    nodes, targets = landing.nodes, landing.targets
    lands = targets.filter(F.col("node").isNotNull()).select(
        F.col("url_id").alias("dst_id"), F.col("node").alias("dst")
    )
    nofollow = F.lit(False)
    for flag in NOFOLLOW_COLUMNS:
        nofollow = nofollow | F.coalesce(F.col(flag), F.lit(False))
    kept = (
        links.select(
            F.col("src_id").cast("long").alias("src"),
            F.col("dst_id").cast("long").alias("dst_id"),
            weight.cast("double").alias("weight"),
            nofollow.alias("nofollow"),
            F.coalesce(F.col("position") == F.lit("content"), F.lit(False)).alias("content"),
            F.col("ordinal").cast("long").alias("ordinal"),
        )
        .join(nodes.withColumnRenamed("node", "src"), "src", "left_semi")  # from a node
        .join(lands, "dst_id")  # to where the link lands, if a node
        .filter(F.col("src") != F.col("dst"))  # self-links after the collapse go
        .drop("dst_id")
        .localCheckpoint(eager=False)  # three uses below: computed once
    )
    edges = _merge(kept.filter(~F.col("nofollow")), settings.duplicates)
    out = edges.groupBy(F.col("src").alias("node")).agg(F.sum("weight").alias("edge_weight"))
    nofollow_in = (
        kept.filter("nofollow")
        .groupBy(F.col("dst").alias("node"))
        .agg(F.count("*").alias("nofollow_in"))
    )
    table = nodes.join(out, "node", "left").join(nofollow_in, "node", "left")
    out_weight = F.coalesce(F.col("edge_weight"), F.lit(0.0))
    if settings.nofollow == "evaporate":
        # their share counts in W_i without an edge (mirrors from_edges's ``evaporate``)
        gone = _merge(kept.filter("nofollow"), settings.duplicates)
        lost = gone.groupBy(F.col("src").alias("node")).agg(F.sum("weight").alias("lost"))
        table = table.join(lost, "node", "left")
        out_weight = out_weight + F.coalesce(F.col("lost"), F.lit(0.0))
    table = table.select(
        "node",
        out_weight.alias("out_weight"),
        F.coalesce(F.col("nofollow_in"), F.lit(0)).cast("long").alias("nofollow_in"),
    )
    return SparkGraph(
        edges=edges.select("src", "dst", "weight", F.col("content").cast("boolean")),
        nodes=table,
        targets=targets,
    )
