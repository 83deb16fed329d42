"""Import one export file into the store, all or nothing: :func:`import_file`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from linkflow.errors import ConfigError, ImportFormatError
from linkflow.ingest.build import BUILDERS, BuildContext, Built
from linkflow.ingest.detect import DetectedFormat, detect
from linkflow.ingest.reader import RawTable, file_sha256, read_export
from linkflow.ingest.records import (
    MAX_REJECTS,
    Reject,
    crawl_origin,
    delete_import,
    find_import,
    next_import_id,
    record_import,
)
from linkflow.progress import Step, no_step
from linkflow.settings import IngestSettings
from linkflow.store import Store
from linkflow.urls import normalize, origin_of

__all__ = ["MAX_REJECTED_SHARE", "MAX_REJECTS", "ImportResult", "import_file"]

MAX_REJECTED_SHARE: Final = 0.1
"""A file more than this share of whose rows are rejected (and more than one row) fails
whole: so many unreadable values mean a damaged file or a misread layout, and importing the
rest would give numbers nobody can trust (docs/formats.md)."""

_STORE_TABLE = {
    "backlinks": "backlinks", "targets": "backlink_counts", "domains": "domain_counts",
    "traffic": "traffic", "queries": "queries", "authority": "domain_authority",
}  # fmt: skip
_PROVIDER_COLUMN = {"traffic": "source", "queries": "source", "authority": "source"}
_KEY = {"backlinks": "source_url", "targets": "url", "domains": "domain", "traffic": "url",
        "queries": "query", "authority": "domain"}  # fmt: skip
_SUMMARY_KEYS = ("", "grand total", "total")


@dataclass(slots=True)
class ImportResult:
    """One imported file: its ``imports.id``, detected format and row counts.

    ``rows`` counts the data rows read, ``rejected`` those not stored; ``rejects`` holds the
    first :data:`MAX_REJECTS` of them as ``{"line", "reason", "value"}``.
    """

    import_id: int
    path: Path
    format: DetectedFormat
    rows: int
    rejected: int
    rejects: list[Reject] = field(default_factory=list)


def _origin(store: Store, site_origin: str | None) -> str | None:
    """The origin paths are resolved against: ``site_origin``, else the newest crawl's."""
    if site_origin:
        url = normalize(site_origin.strip())
        if url is None:
            raise ConfigError(
                f"{site_origin!r} is not a site origin; give its scheme and host, "
                "e.g. https://www.example.com"
            )
        return origin_of(url) + "/"
    origin = crawl_origin(store)
    return origin_of(origin) + "/" if origin else None


def _summary_rows(raw: pa.Table, key: str) -> pa.Array:
    """Traffic rows that only summarise others (GA4's ``Grand total``, a blank page): dropped,
    not rejected, as they hold no page of their own."""
    text = pc.fill_null(pc.utf8_lower(pc.utf8_trim_whitespace(raw.column(key))), "")
    return pc.is_in(text, value_set=pa.array(_SUMMARY_KEYS)).combine_chunks()


def _line(raw: RawTable, index: int) -> int:
    """1-based file line of data row ``index`` (counting rows the parser skipped)."""
    line = raw.first_line + index
    for skipped in raw.skipped_lines:
        if skipped <= line:
            line += 1
    return line


def _rejects(raw: RawTable, built: Built, positions: pa.Array) -> list[Reject]:
    bad = pc.indices_nonzero(built.rejected)[:MAX_REJECTS]
    where = pc.take(positions, bad).to_pylist()
    reasons = pc.take(built.reasons, bad).to_pylist()
    values = pc.take(built.values, bad).to_pylist()
    return [
        {"line": _line(raw, i), "reason": r, "value": (v or "")[:200]}
        for i, r, v in zip(where, reasons, values, strict=True)
    ]


def _check_share(
    path: Path, fmt: DetectedFormat, rows: int, rejected: int, rejects: list[Reject]
) -> None:
    """Refuse a file whose rejects are all its rows, or more than :data:`MAX_REJECTED_SHARE`
    of them (and more than one)."""
    if not rejected:
        return
    first = rejects[0]
    where = f"line {first['line']}: {first['reason']} ({first['value'][:80]!r})"
    if rejected == rows:
        raise ImportFormatError(f"{path}: {where}; no row of this {fmt.spec.name} export is usable")
    if rejected > 1 and rejected > MAX_REJECTED_SHARE * rows:
        raise ImportFormatError(
            f"{path}: {rejected:,} of {rows:,} rows rejected, more than "
            f"{MAX_REJECTED_SHARE:.0%}; the first: {where}; nothing was imported: fix or "
            "remove those rows, or export the file again"
        )


def _aggregate_traffic(table: pa.Table, key: str) -> pa.Table:
    """One row per key: sums of counts, CTR recomputed, impression-weighted position."""
    weight = pc.fill_null(table.column("impressions"), 0.0)
    table = table.append_column("pos_w", pc.multiply(table.column("position"), weight))
    table = table.append_column("w", pc.if_else(pc.is_valid(table.column("position")), weight, 0.0))
    sums = ["clicks", "impressions", "pos_w", "w"] + [
        c for c in ("sessions", "views") if c in table.column_names
    ]
    agg = table.group_by(key).aggregate(
        [(c, "sum") for c in sums] + [("ctr", "mean"), ("position", "mean")]
    )
    impressions = agg.column("impressions_sum")
    ctr = pc.if_else(
        pc.greater(pc.fill_null(impressions, 0.0), 0.0),
        pc.divide(agg.column("clicks_sum"), impressions),
        agg.column("ctr_mean"),
    )
    position = pc.if_else(
        pc.greater(agg.column("w_sum"), 0.0),
        pc.divide(agg.column("pos_w_sum"), agg.column("w_sum")),
        agg.column("position_mean"),
    )
    out = {key: agg.column(key), "clicks": agg.column("clicks_sum"),
           "impressions": impressions, "ctr": ctr, "position": position}  # fmt: skip
    for c in ("sessions", "views"):
        if f"{c}_sum" in agg.column_names:
            out[c] = agg.column(f"{c}_sum")
    return pa.table(out)


def _finish(store: Store, table: pa.Table, kind: str, site: str) -> pa.Table:
    if kind in ("traffic", "queries"):
        table = _aggregate_traffic(table, _KEY[kind])
    if kind == "authority":  # host-keyed lists (DomCop): keep each domain's best score
        agg = table.group_by("domain").aggregate([("score", "max")])
        return agg.rename_columns(["domain", "score"])
    url_col = {"backlinks": "target_url", "targets": "url", "traffic": "url"}.get(kind)
    if url_col and site == "self":
        # Ids for every page of the site, crawled or not: orphan detection reads
        # traffic.url_id, and a backlink target never crawled is a lost or orphan page.
        urls = table.column(url_col)
        distinct = [u for u in pc.unique(urls).to_pylist() if u]
        ids = pa.array(store.url_ids(distinct), pa.int32())
        mapped = pc.take(ids, pc.index_in(urls, value_set=pa.array(distinct, pa.string())))
        table = table.append_column(f"{url_col}_id" if kind == "backlinks" else "url_id", mapped)
    return table


def _write(store: Store, fmt: DetectedFormat, table: pa.Table, import_id: int) -> None:
    kind = fmt.spec.table
    table = table.append_column("import_id", pa.array([import_id] * table.num_rows, pa.int32()))
    provider = pa.array([fmt.provider] * table.num_rows, pa.string())
    table = table.append_column(_PROVIDER_COLUMN.get(kind, "provider"), provider)
    store.append(_STORE_TABLE[kind], table)
    if kind == "domains":
        scored = table.filter(pc.is_valid(table.column("authority")))
        store.append(
            "domain_authority",
            {"import_id": scored.column("import_id"), "domain": scored.column("domain"),
             "score": scored.column("authority"), "source": scored.column("provider")},
        )  # fmt: skip


def _build(
    store: Store,
    path: Path,
    fmt: DetectedFormat,
    raw: RawTable,
    strip_params: tuple[str, ...],
    site_origin: str | None,
) -> tuple[pa.Table, pa.Array, Built]:
    """The rows to build (traffic summary rows dropped), their raw positions, and the result."""
    kind, key = fmt.spec.table, _KEY[fmt.spec.table]
    keep = pa.array(range(raw.table.num_rows), pa.int64())
    if kind in ("traffic", "queries"):
        keep = pc.indices_nonzero(pc.invert(_summary_rows(raw.table, key)))
    body = raw.table.take(keep)
    origin = _origin(store, site_origin) if kind == "traffic" else None
    paths = pc.starts_with(pc.fill_null(body.column(key), ""), "/")
    if kind == "traffic" and origin is None and pc.any(paths).as_py():
        raise ImportFormatError(
            f"{path}: holds page paths, not URLs; crawl the site first, or pass its origin "
            "(linkflow import --base-url https://www.example.com; site_origin= in Python)"
        )
    context = BuildContext(fmt.spec, strip_params, origin, raw.headers)
    built = BUILDERS[kind](body, context)
    return body, keep, built


def import_file(
    store: Store,
    path: Path,
    *,
    settings: IngestSettings = IngestSettings(),
    site: str = "self",
    strip_params: tuple[str, ...] = (),
    site_origin: str | None = None,
    step: Step = no_step,
) -> ImportResult:
    """Import the export at ``path`` (format auto-detected) in one transaction.

    ``step`` hears as each of its three steps starts (reading, checking, storing).

    ``site`` labels a competitor's export (``'self'`` is the audited site); ``strip_params``
    are query parameters removed from every URL; ``site_origin`` resolves path-only exports
    (GA4) and defaults to the origin of the newest crawl. Importing the same bytes again for
    the same site replaces the earlier import instead of adding its rows twice.

    A row is rejected (not stored; counted, and the first :data:`MAX_REJECTS` kept with line
    and reason) when its key is unusable or any of its values cannot be read or is out of
    range (:mod:`linkflow.ingest.checks`).

    Raises :class:`ImportFormatError` for an unknown format, a malformed file, a path-only
    export without an origin, a file without one usable row, or one with more rejected rows
    than :data:`MAX_REJECTED_SHARE` allows; nothing is stored then.
    """
    path = Path(path)
    step(f"reading {path.name}")
    fmt = detect(path, column_map=settings.column_map)
    raw = read_export(path, fmt)
    step(f"checking {path.name}")
    body, positions, built = _build(store, path, fmt, raw, strip_params, site_origin)
    rejected = int(pc.sum(built.rejected).as_py() or 0)
    rejects = _rejects(raw, built, positions)
    _check_share(path, fmt, body.num_rows, rejected, rejects)
    good = built.table.filter(pc.invert(built.rejected))
    sha = file_sha256(path)
    step(f"storing {path.name}")
    with store.transaction():
        old = find_import(store, sha, site)
        if old is not None:
            delete_import(store, old)
        import_id = old if old is not None else next_import_id(store)
        good = _finish(store, good, fmt.spec.table, site)
        record_import(
            store, import_id=import_id, path=str(path), sha256=sha, kind=fmt.kind,
            provider=fmt.provider, report=fmt.report, site=site, rows=body.num_rows,
            rejected=rejected, rejects=rejects,
        )  # fmt: skip
        _write(store, fmt, good, import_id)
    return ImportResult(import_id, path, fmt, body.num_rows, rejected, rejects)
