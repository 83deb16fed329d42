"""Turn canonical string columns into the rows of the store's import tables.

One builder per destination table (``FormatSpec.table``). Each returns the typed Arrow table
and a boolean mask of the rows it rejects (a key that is not a URL or domain), so the caller
can report them with line numbers. Builders are pure: they never touch the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from linkflow.ingest.authority import scale_authority
from linkflow.ingest.columns import PARSE, domains_of, hosts_of, normalize_urls, unescape_html
from linkflow.ingest.formats import PARSERS, FormatSpec

__all__ = ["BUILDERS", "BuildContext", "Built"]

Array: TypeAlias = Any  # pa.Array | pa.ChunkedArray (pyarrow ships no type hints)


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a builder needs besides the columns: the spec, URL options, the site origin."""

    spec: FormatSpec
    strip_params: tuple[str, ...]
    origin: str | None


@dataclass(slots=True)
class Built:
    """Rows for the store, and which input rows were rejected (with one reason for all)."""

    table: pa.Table
    rejected: pa.Array  # bool per input row
    reason: str


class _Cols:
    """Typed access to the canonical columns of one raw table (null column when absent)."""

    def __init__(self, raw: pa.Table, ctx: BuildContext) -> None:
        self.raw = raw
        self.ctx = ctx
        self.n = raw.num_rows

    def has(self, name: str) -> bool:
        return name in self.raw.column_names

    def get(self, name: str) -> Array:
        kind = PARSERS[name]
        if not self.has(name):
            typ = {"bool": pa.bool_(), "date": pa.timestamp("s"), "text": pa.string(),
                   "url": pa.string()}.get(kind, pa.float64())  # fmt: skip
            return pa.nulls(self.n, typ)
        return PARSE[kind](self.raw.column(name))

    def authority(self, name: str) -> Array:
        values = self.get(name)
        scale = self.ctx.spec.scales.get(name)
        if scale is None or not self.has(name):
            return values
        return scale_authority(values, scale)

    def url(self, name: str) -> pa.Array:
        return normalize_urls(
            self.raw.column(name), base=self.ctx.origin, strip_params=self.ctx.strip_params
        )


def _contains(values: Array, word: str) -> Array:
    return pc.fill_null(pc.match_substring(pc.utf8_lower(values), word), False)


def _or(*arrays: Array) -> Array:
    out = arrays[0]
    for a in arrays[1:]:
        out = pc.or_kleene(out, a)
    return pc.fill_null(out, False)


def _as_int(values: Array) -> Array:
    return pc.cast(pc.round(values), pa.int32())


def build_backlinks(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    source = c.url("source_url")
    if c.has("target_url"):
        target = c.url("target_url")
        bad = pc.or_(pc.is_null(source), pc.is_null(target))
    else:  # GSC links exports name only the linking page
        target = pa.array([""] * c.n, pa.string())
        bad = pc.is_null(source)
    link_type = c.get("link_type")
    lost_status = c.get("lost_status")
    hosts = hosts_of(source)
    table = pa.table({
        "source_url": source, "source_host": hosts, "source_domain": domains_of(hosts),
        "target_url": target, "anchor": unescape_html(c.get("anchor")),
        "nofollow": _or(c.get("nofollow"), pc.invert(c.get("follow")),
                        _contains(link_type, "nofollow")),
        "sponsored": _or(c.get("sponsored")), "ugc": _or(c.get("ugc")),
        "is_content": c.get("is_content"),
        "is_image": _or(c.get("is_image"), _contains(link_type, "image")),
        "first_seen": c.get("first_seen"), "last_seen": c.get("last_seen"),
        "lost": _or(c.get("lost"), pc.is_valid(c.get("lost_at")),
                    pc.greater(pc.utf8_length(lost_status), 0)),
        "lost_at": c.get("lost_at"),
        "source_authority": c.authority("source_authority"),
        "domain_authority": c.authority("domain_authority"),
        "source_outlinks": _as_int(c.get("source_outlinks")),
        "links_in_group": pc.fill_null(_as_int(c.get("links_in_group")), 1),
        "lang": c.get("lang"), "is_spam": c.get("is_spam"),
        "spam_score": c.get("spam_score"), "sitewide": c.get("sitewide"),
    })  # fmt: skip
    return Built(table, bad, "linking or target page is not an http(s) URL")


def build_targets(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    url = c.url("url")
    table = pa.table({
        "url": url, "links": c.get("links"), "domains": c.get("domains"),
        "dofollow": c.get("dofollow"), "nofollow": c.get("nofollow_links"),
        "top_authority": c.authority("top_authority"),
    })  # fmt: skip
    return Built(table, pc.is_null(url), "page is not an http(s) URL")


def _clean_domain(values: Array) -> pa.Array:
    text = pc.utf8_lower(parse_domain_text(values))
    return pc.if_else(pc.match_substring_regex(text, r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$"), text, None)


def parse_domain_text(values: Array) -> Array:
    """Host names as written: scheme, path and a trailing dot removed."""
    text = PARSE["text"](values)
    text = pc.replace_substring_regex(text, r"^[a-zA-Z]+://", "")
    text = pc.replace_substring_regex(text, r"[/:].*$", "")
    return pc.utf8_rtrim(text, characters=".")


def build_domains(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    host = _clean_domain(raw.column("domain"))
    domain = domains_of(host)
    table = pa.table({
        "domain": domain, "links": c.get("links"), "dofollow": c.get("dofollow"),
        "pages": c.get("pages"), "targets": c.get("targets"), "authority": c.authority("score"),
        "is_spam": c.get("is_spam"), "first_seen": c.get("first_seen"), "lost_at": c.get("lost_at"),
    })  # fmt: skip
    return Built(table, pc.is_null(domain), "not a domain name")


def build_traffic(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    url = c.url("url")
    table = pa.table({
        "url": url, "clicks": c.get("clicks"), "impressions": c.get("impressions"),
        "ctr": c.get("ctr"), "position": c.get("position"), "sessions": c.get("sessions"),
        "views": c.get("views"),
    })  # fmt: skip
    return Built(table, pc.is_null(url), "page is not a URL or a path of the site")


def build_queries(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    query = c.get("query")
    table = pa.table({
        "query": query, "clicks": c.get("clicks"), "impressions": c.get("impressions"),
        "ctr": c.get("ctr"), "position": c.get("position"),
    })  # fmt: skip
    return Built(table, pc.is_null(query), "empty query")


def _reverse_host(name: str) -> str:
    return ".".join(reversed(name.split(".")))


def build_authority(raw: pa.Table, ctx: BuildContext) -> Built:
    from linkflow.ingest.columns import map_unique

    c = _Cols(raw, ctx)
    names = raw.column("domain")
    if ctx.spec.provider == "commoncrawl":  # reversed host names: com.example.www
        names = map_unique(PARSE["text"](names), _reverse_host)
    host = _clean_domain(names)
    score = c.authority("rank") if c.has("rank") else c.authority("score")
    table = pa.table({"domain": domains_of(host), "score": score})
    bad = pc.or_(pc.is_null(host), pc.is_null(score))
    return Built(table, bad, "not a domain name with a score or rank")


BUILDERS: dict[str, Callable[[pa.Table, BuildContext], Built]] = {
    "backlinks": build_backlinks,
    "targets": build_targets,
    "domains": build_domains,
    "traffic": build_traffic,
    "queries": build_queries,
    "authority": build_authority,
}
"""Builder of each destination table (``FormatSpec.table``)."""
