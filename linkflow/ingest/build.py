"""Turn canonical string columns into the rows of the store's import tables.

One builder per destination table (``FormatSpec.table``). Each returns the typed Arrow table
and, per input row, why it is rejected (null: kept): a key that is not a URL or domain, or
any value that cannot be read or is out of range (:mod:`linkflow.ingest.checks`), so the
caller can report it with its line. Builders are pure: they never touch the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from linkflow.ingest.authority import SCALE_RANGES, scale_authority
from linkflow.ingest.checks import check_column
from linkflow.ingest.columns import PARSE, domains_of, hosts_of, normalize_urls, unescape_html
from linkflow.ingest.formats import PARSERS, RANGES, FormatSpec

__all__ = ["BUILDERS", "BuildContext", "Built", "value_range"]

Array: TypeAlias = Any  # pa.Array | pa.ChunkedArray (pyarrow ships no type hints)

_NULL_TYPES = {"bool": pa.bool_(), "date": pa.timestamp("s"), "text": pa.string(),
               "url": pa.string(), "count": pa.int64()}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a builder needs besides the columns: the spec, URL options, the site origin,
    and the file's header name of each canonical column (for the reasons of rejects)."""

    spec: FormatSpec
    strip_params: tuple[str, ...]
    origin: str | None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Built:
    """Rows for the store, and per input row why it is rejected (``reasons``, null where the
    row is kept) and the text at fault (``values``: the key, or the unreadable cell)."""

    table: pa.Table
    reasons: pa.Array
    values: pa.Array

    @property
    def rejected(self) -> pa.Array:
        """True for each input row that is not stored."""
        return pc.is_valid(self.reasons)


def value_range(spec: FormatSpec, name: str) -> tuple[float | None, float | None]:
    """The values canonical column ``name`` of ``spec`` may take beyond its kind's own range
    (``None``: unbounded): its authority scale's, else :data:`~linkflow.ingest.formats.RANGES`."""
    scale = spec.scales.get(name)
    if scale is not None:
        return SCALE_RANGES[scale]
    return RANGES.get(name, (None, None))


class _Cols:
    """Typed access to the canonical columns of one raw table (null column when absent).

    Every column read strictly (:func:`linkflow.ingest.checks.check_column`) records its
    problems, which :meth:`built` turns into the rejects of the rows.
    """

    def __init__(self, raw: pa.Table, ctx: BuildContext) -> None:
        self.raw = raw
        self.ctx = ctx
        self.n = raw.num_rows
        self._read: dict[str, Array] = {}
        self._problems: list[tuple[Array, Array]] = []  # (reason, cell text), in read order

    def has(self, name: str) -> bool:
        return name in self.raw.column_names

    def get(self, name: str) -> Array:
        if name in self._read:
            return self._read[name]
        kind = PARSERS[name]
        if not self.has(name):
            return pa.nulls(self.n, _NULL_TYPES.get(kind, pa.float64()))
        low, high = value_range(self.ctx.spec, name)
        checked = check_column(kind, self.raw.column(name), low=low, high=high)
        header = self.ctx.headers.get(name, name)
        reason = pc.binary_join_element_wise(header, checked.problems, ": ")
        self._problems.append((reason, self.raw.column(name)))
        self._read[name] = checked.values
        return checked.values

    def double(self, name: str) -> Array:
        """A count or number column as float64 (the store keeps these as DOUBLE)."""
        return pc.cast(self.get(name), pa.float64())

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

    def built(self, table: pa.Table, key_bad: Array, key_reason: str, key: Array) -> Built:
        """``table`` with the rejects of its rows: the key's first, then the first problem
        of the columns in the order they were read."""
        reasons = [pc.if_else(pc.fill_null(key_bad, False), key_reason,
                              pa.scalar(None, pa.string()))]  # fmt: skip
        texts = [key]
        for reason, text in self._problems:
            reasons.append(reason)
            texts.append(text)
        chosen = pc.coalesce(*reasons)
        value = pa.nulls(self.n, pa.string())
        for reason, text in zip(reversed(reasons), reversed(texts), strict=True):
            value = pc.if_else(pc.is_valid(reason), pc.cast(text, pa.string()), value)
        return Built(table, _array(chosen), _array(value))


def _array(values: Array) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _contains(values: Array, word: str) -> Array:
    return pc.fill_null(pc.match_substring(pc.utf8_lower(values), word), False)


def _or(*arrays: Array) -> Array:
    out = arrays[0]
    for a in arrays[1:]:
        out = pc.or_kleene(out, a)
    return pc.fill_null(out, False)


def _flag(c: _Cols, informed_by: tuple[str, ...], *values: Array) -> Array:
    """A link flag: true if any of ``values`` says so, false otherwise; null (unknown) when
    the export has none of the columns ``informed_by``: a provider that does not report a
    flag must not outvote one that does when links are merged (``backlink_edges``)."""
    if not any(c.has(name) for name in informed_by):
        return pa.nulls(c.n, pa.bool_())
    return _or(*values)


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
    # An export with an anchor column knows every anchor: an empty cell is a link without
    # text (""). Without the column (GSC) the anchor is unknown (NULL).
    anchor = unescape_html(c.get("anchor"))
    if c.has("anchor"):
        anchor = pc.fill_null(anchor, "")
    table = pa.table({
        "source_url": source, "source_host": hosts, "source_domain": domains_of(hosts),
        "target_url": target, "anchor": anchor,
        "nofollow": _flag(c, ("nofollow", "follow", "link_type"), c.get("nofollow"),
                          pc.invert(c.get("follow")), _contains(link_type, "nofollow")),
        "sponsored": _flag(c, ("sponsored",), c.get("sponsored")),
        "ugc": _flag(c, ("ugc",), c.get("ugc")),
        "is_content": c.get("is_content"),
        "is_image": _flag(c, ("is_image", "link_type"), c.get("is_image"),
                          _contains(link_type, "image")),
        "first_seen": c.get("first_seen"), "last_seen": c.get("last_seen"),
        "lost": _flag(c, ("lost", "lost_at", "lost_status"), c.get("lost"),
                      pc.is_valid(c.get("lost_at")), pc.greater(pc.utf8_length(lost_status), 0)),
        "lost_at": c.get("lost_at"),
        "source_authority": c.authority("source_authority"),
        "domain_authority": c.authority("domain_authority"),
        "source_outlinks": c.get("source_outlinks"),
        "links_in_group": pc.fill_null(c.get("links_in_group"), 1),
        "lang": c.get("lang"), "is_spam": c.get("is_spam"),
        "spam_score": c.get("spam_score"), "sitewide": c.get("sitewide"),
    })  # fmt: skip
    key = raw.column("source_url")  # the text at fault: the linking page, else the target
    if c.has("target_url"):
        key = pc.if_else(pc.is_null(source), key, raw.column("target_url"))
    return c.built(table, bad, "linking or target page is not an http(s) URL", key)


def build_targets(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    url = c.url("url")
    table = pa.table({
        "url": url, "links": c.double("links"), "domains": c.double("domains"),
        "dofollow": c.double("dofollow"), "nofollow": c.double("nofollow_links"),
        "top_authority": c.authority("top_authority"),
    })  # fmt: skip
    return c.built(table, pc.is_null(url), "page is not an http(s) URL", raw.column("url"))


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
        "domain": domain, "links": c.double("links"), "dofollow": c.double("dofollow"),
        "pages": c.double("pages"), "targets": c.double("targets"),
        "authority": c.authority("score"), "is_spam": c.get("is_spam"),
        "first_seen": c.get("first_seen"), "lost_at": c.get("lost_at"),
    })  # fmt: skip
    return c.built(table, pc.is_null(domain), "not a domain name", raw.column("domain"))


def build_traffic(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    url = c.url("url")
    table = pa.table({
        "url": url, "clicks": c.double("clicks"), "impressions": c.double("impressions"),
        "ctr": c.get("ctr"), "position": c.get("position"), "sessions": c.double("sessions"),
        "views": c.double("views"),
    })  # fmt: skip
    return c.built(
        table, pc.is_null(url), "page is not a URL or a path of the site", raw.column("url")
    )


def build_queries(raw: pa.Table, ctx: BuildContext) -> Built:
    c = _Cols(raw, ctx)
    query = c.get("query")
    table = pa.table({
        "query": query, "clicks": c.double("clicks"), "impressions": c.double("impressions"),
        "ctr": c.get("ctr"), "position": c.get("position"),
    })  # fmt: skip
    return c.built(table, pc.is_null(query), "empty query", raw.column("query"))


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
    return c.built(table, bad, "not a domain name with a score or rank", raw.column("domain"))


BUILDERS: dict[str, Callable[[pa.Table, BuildContext], Built]] = {
    "backlinks": build_backlinks,
    "targets": build_targets,
    "domains": build_domains,
    "traffic": build_traffic,
    "queries": build_queries,
    "authority": build_authority,
}
"""Builder of each destination table (``FormatSpec.table``)."""
