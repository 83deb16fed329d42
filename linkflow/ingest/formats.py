"""The known export formats: how each is recognised and how its columns map.

A format is recognised by its header alone (research/data-formats.md §1): the normalised
header must hold every ``required`` name (or be exactly that set when ``exact``). When several
formats match, the one with the most required names wins, then the earlier in
:data:`FORMATS`. Columns are then mapped by name through ``columns`` (canonical name →
aliases, all normalised), never by position.

Canonical columns and their value parser are listed in :data:`PARSERS`. A format's ``table``
says where its rows go: ``backlinks``, ``targets`` (inbound counts per page of the site),
``domains`` (counts per referring domain), ``traffic``, ``queries`` or ``authority``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from linkflow.errors import ConfigError

__all__ = ["FORMATS", "PARSERS", "RANGES", "FormatSpec", "column_map_spec", "match_header"]

PARSERS: Mapping[str, str] = {
    # backlinks
    "source_url": "url", "target_url": "url", "anchor": "text", "nofollow": "bool",
    "follow": "bool", "sponsored": "bool", "ugc": "bool", "is_content": "bool",
    "is_image": "bool", "link_type": "text", "first_seen": "date", "last_seen": "date",
    "lost": "bool", "lost_at": "date", "lost_status": "text", "source_authority": "number",
    "domain_authority": "number", "source_outlinks": "count", "links_in_group": "count",
    "lang": "text", "is_spam": "bool", "spam_score": "percent", "sitewide": "bool",
    # targets / domains
    "url": "url", "links": "count", "domains": "count", "dofollow": "count",
    "nofollow_links": "count", "top_authority": "number", "domain": "text",
    "pages": "count", "targets": "count",
    # traffic / queries
    "clicks": "count", "impressions": "count", "ctr": "ratio", "position": "number",
    "sessions": "count", "views": "count", "query": "text",
    # authority
    "score": "number", "rank": "number",
}  # fmt: skip
"""Canonical column → value kind (:data:`linkflow.ingest.checks.KINDS`: url, text, bool,
number, count, percent, ratio, date)."""

RANGES: Mapping[str, tuple[float | None, float | None]] = {
    "position": (1.0, None),  # an average search position: 1 is the top result
}
"""Allowed values of number columns whose range is not their kind's nor their authority
scale's (:data:`linkflow.ingest.authority.SCALE_RANGES`); ``None``: unbounded."""


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One export layout: who makes it, how to recognise it, where its columns go.

    ``scales`` names the 0–100 authority scale of a canonical column (see
    :mod:`linkflow.ingest.authority`).
    """

    provider: str
    report: str
    kind: str  # backlinks | traffic | authority
    table: str  # backlinks | targets | domains | traffic | queries | authority
    required: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]]
    scales: Mapping[str, str] = field(default_factory=dict)
    exact: bool = False
    headerless: bool = False

    @property
    def name(self) -> str:
        return f"{self.provider} {self.report}"

    def matches(self, names: Sequence[str]) -> bool:
        present = set(names)
        if self.exact:
            return present == set(self.required) and len(names) == len(self.required)
        return all(r in present for r in self.required)


def _spec(
    provider: str, report: str, kind: str, table: str, required: str, **kw: object
) -> FormatSpec:
    columns = {k: tuple(v.split("|")) for k, v in dict(kw.pop("columns")).items()}  # type: ignore[call-overload]
    return FormatSpec(provider, report, kind, table, tuple(required.split("|")), columns, **kw)  # type: ignore[arg-type]


_AHREFS_BACKLINKS = {
    "source_url": "referring page url", "target_url": "target url|link url",
    "anchor": "anchor|link anchor", "nofollow": "nofollow", "sponsored": "sponsored",
    "ugc": "ugc", "is_content": "content", "link_type": "type", "first_seen": "first seen|found",
    "last_seen": "last seen", "lost_at": "lost", "lost_status": "lost status|backlink status",
    "source_authority": "ur|url rating", "domain_authority": "domain rating",
    "source_outlinks": "external links|external links count", "links_in_group": "links in group",
    "lang": "language", "is_spam": "is spam",
}  # fmt: skip
_SEMRUSH_BACKLINKS = {
    "source_url": "source url|source_url", "target_url": "target url|target_url",
    "anchor": "anchor|anchor text", "nofollow": "nofollow", "sponsored": "sponsored",
    "ugc": "ugc", "is_image": "image", "first_seen": "first seen|first_seen",
    "last_seen": "last seen|last_seen", "lost": "lost link|lostlink",
    "source_authority": "page ascore|page_ascore|authority score",
    "source_outlinks": "external links|external_num", "sitewide": "sitewide",
}  # fmt: skip
_MAJESTIC = {
    "source_url": "source url|sourceurl", "target_url": "target url|targeturl",
    "anchor": "anchor text|anchortext", "nofollow": "flag no follow|flagnofollow",
    "is_image": "flag image link|flagimages", "lost": "flag deleted|flagdeleted",
    "first_seen": "source first found date|link first indexed date|firstindexeddate",
    "last_seen": "source crawl date|lastseendate|date", "lost_at": "datelost",
    "source_authority": "source trust flow|sourcetrustflow",
    "domain_authority": "domain trust flow|domaintrustflow",
}  # fmt: skip
_MOZ = {
    "source_url": "url|source url|linking url|url from|source",
    "target_url": "target url|url to|target",
    "anchor": "anchor text|anchor", "link_type": "link type|link state|follow",
    "domain_authority": "domain authority", "source_authority": "page authority",
    "spam_score": "spam score", "first_seen": "first seen|date first seen",
    "last_seen": "last seen|date last seen",
}  # fmt: skip
_GENERIC_BACKLINKS = {
    "source_url": "source url|source|linking page|referring page url|from url|url from",
    "target_url": "target url|target|destination|link url|to url|url to",
    "anchor": "anchor text|anchor|link text", "nofollow": "nofollow", "link_type": "link type|type",
    "first_seen": "first seen|first found|discovered", "last_seen": "last seen|last crawled",
}  # fmt: skip
_GSC_PAGES = {
    "url": "top pages|page|landing page", "clicks": "clicks|url clicks",
    "impressions": "impressions", "ctr": "ctr|url ctr", "position": "position|average position",
}  # fmt: skip

FORMATS: tuple[FormatSpec, ...] = (
    _spec("ahrefs", "backlinks", "backlinks", "backlinks",
          "referring page url|target url|domain rating", columns=_AHREFS_BACKLINKS,
          scales={"source_authority": "direct", "domain_authority": "direct"}),
    _spec("ahrefs", "backlinks-legacy", "backlinks", "backlinks",
          "referring page url|link url|domain rating", columns=_AHREFS_BACKLINKS,
          scales={"source_authority": "direct", "domain_authority": "direct"}),
    _spec("ahrefs", "refdomains", "backlinks", "domains",
          "domain|dr|dofollow ref. domains|links to target",
          columns={"domain": "domain", "score": "dr", "links": "links to target",
                   "dofollow": "dofollow links", "is_spam": "is spam", "first_seen": "first seen",
                   "lost_at": "lost"}, scales={"score": "direct"}),
    _spec("ahrefs", "best-by-links", "backlinks", "targets", "page url|top dr|links to target",
          columns={"url": "page url", "links": "links to target", "domains": "referring domains",
                   "dofollow": "dofollow", "nofollow_links": "nofollow",
                   "top_authority": "top dr"}, scales={"top_authority": "direct"}),
    _spec("ahrefs", "top-pages", "traffic", "traffic", "url|ur|traffic value|top keyword",
          columns={"url": "url", "clicks": "traffic"}),
    _spec("semrush", "backlinks", "backlinks", "backlinks", "page ascore|source url|target url",
          columns=_SEMRUSH_BACKLINKS, scales={"source_authority": "direct"}),
    _spec("semrush", "backlinks-api", "backlinks", "backlinks",
          "page_ascore|source_url|target_url", columns=_SEMRUSH_BACKLINKS,
          scales={"source_authority": "direct"}),
    _spec("semrush", "refdomains", "backlinks", "domains", "domain ascore|domain|backlinks",
          columns={"domain": "domain|root domain", "score": "domain ascore",
                   "links": "backlinks", "first_seen": "first seen"},
          scales={"score": "direct"}),
    _spec("majestic", "backlinks", "backlinks", "backlinks",
          "source url|source trust flow|source citation flow", columns=_MAJESTIC,
          scales={"source_authority": "direct", "domain_authority": "direct"}),
    _spec("majestic", "backlinks-api", "backlinks", "backlinks",
          "sourceurl|sourcetrustflow|sourcecitationflow", columns=_MAJESTIC,
          scales={"source_authority": "direct", "domain_authority": "direct"}),
    _spec("moz", "backlinks", "backlinks", "backlinks",
          "spam score|domain authority|page authority", columns=_MOZ,
          scales={"source_authority": "direct", "domain_authority": "direct"}),
    _spec("gsc", "latest-links", "backlinks", "backlinks", "linking page|last crawled",
          columns={"source_url": "linking page", "last_seen": "last crawled"}, exact=True),
    _spec("gsc", "sample-links", "backlinks", "backlinks", "linking page",
          columns={"source_url": "linking page"}, exact=True),
    _spec("gsc", "top-linking-sites", "backlinks", "domains",
          "linking pages|target pages",
          columns={"domain": "site|top linking sites", "pages": "linking pages",
                   "targets": "target pages"}),
    _spec("gsc", "top-target-pages", "backlinks", "targets",
          "target page|incoming links|linking sites",
          columns={"url": "target page", "links": "incoming links", "domains": "linking sites"}),
    _spec("gsc", "internal-links", "backlinks", "targets", "target page|incoming links",
          columns={"url": "target page", "links": "incoming links"}, exact=True),
    _spec("gsc", "pages", "traffic", "traffic", "top pages|clicks|impressions", columns=_GSC_PAGES),
    _spec("gsc", "queries", "traffic", "queries", "top queries|clicks|impressions",
          columns={**_GSC_PAGES, "query": "top queries"}),
    _spec("gsc", "looker-pages", "traffic", "traffic", "landing page|url clicks|impressions",
          columns=_GSC_PAGES),
    _spec("ga4", "report", "traffic", "traffic", "page path and screen class|views",
          columns={"url": "page path and screen class", "views": "views", "sessions": "sessions"}),
    _spec("ga4", "exploration", "traffic", "traffic", "page path + query string|sessions",
          columns={"url": "page path + query string", "sessions": "sessions", "views": "views"}),
    _spec("commoncrawl", "ranks", "authority", "authority", "#harmonicc_pos|#host_rev",
          columns={"rank": "#harmonicc_pos", "domain": "#host_rev"}, scales={"rank": "cc_rank"}),
    _spec("domcop", "open-pagerank", "authority", "authority", "rank|domain|open page rank",
          columns={"domain": "domain", "score": "open page rank"}, scales={"score": "opr"}),
    _spec("majestic", "million", "authority", "authority", "globalrank|domain|tldrank",
          columns={"domain": "domain", "rank": "globalrank"}, scales={"rank": "million_rank"}),
    _spec("bing", "backlinks", "backlinks", "backlinks", "source url|target url|anchor text",
          columns=_GENERIC_BACKLINKS),
)  # fmt: skip
"""Every known layout, most specific first within a provider."""

TRANCO = _spec("tranco", "list", "authority", "authority", "rank|domain",
               columns={"rank": "rank", "domain": "domain"}, scales={"rank": "million_rank"},
               headerless=True)  # fmt: skip


def match_header(names: Sequence[str]) -> FormatSpec | None:
    """The best known format for normalised header ``names``, or ``None``."""
    best: FormatSpec | None = None
    for spec in FORMATS:
        if spec.matches(names) and (best is None or len(spec.required) > len(best.required)):
            best = spec
    return best


def column_map_spec(column_map: Sequence[str]) -> FormatSpec:
    """A generic format from ``canonical=Header Name`` pairs (``IngestSettings.column_map``).

    The kind follows from the canonical names: ``source_url`` makes backlinks, ``url`` with
    traffic columns makes traffic, ``domain`` with ``score`` or ``rank`` makes authority.
    """
    from linkflow.ingest.sniff import normalize_header

    columns: dict[str, tuple[str, ...]] = {}
    for pair in column_map:
        canonical, sep, header = pair.partition("=")
        canonical = canonical.strip()
        if not sep or not header.strip() or canonical not in PARSERS:
            known = ", ".join(sorted(PARSERS))
            raise ConfigError(
                f"column map entry {pair!r} must be 'canonical=Header Name' with canonical one "
                f"of: {known}"
            )
        columns[canonical] = (normalize_header(header),)
    if "source_url" in columns:
        kind, table, scales = (
            "backlinks",
            "backlinks",
            {"source_authority": "direct", "domain_authority": "direct"},
        )
    elif "url" in columns:
        kind, table, scales = "traffic", "traffic", {}
    elif "domain" in columns and ({"score", "rank"} & columns.keys()):
        kind, table, scales = "authority", "authority", {"score": "direct", "rank": "million_rank"}
    else:
        raise ConfigError(
            "column map needs source_url (backlinks), url (traffic) or domain with score/rank "
            "(authority)"
        )
    required = tuple(names[0] for names in columns.values())
    return FormatSpec("generic", "column-map", kind, table, required, columns, scales)
