"""The HTML report: one self-contained, offline ``index.html`` per audit.

Rendered with jinja2 with autoescaping on: every string from a crawled page or an imported
file is untrusted and reaches the page only as escaped text. The CSS and JavaScript are the
package's own files (and the vendored ECharts, ``static/vendor/``, see scripts/vendor-js.sh),
inlined; a Content-Security-Policy pins them by hash, so the page can load nothing from the
network and no injected script could run even if escaping failed.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import math
import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from linkflow import __version__
from linkflow.errors import ReportError
from linkflow.progress import Stage, StageProgress
from linkflow.report import answer, charts_dist, charts_flow, sections
from linkflow.report.explorer import embed_json, explorer_data
from linkflow.report.exports import download_tables, exports_beside, make_folder
from linkflow.report.graph_view import site_graph
from linkflow.report.whatif import whatif_section
from linkflow.settings import ReportSettings
from linkflow.store import Store
from linkflow.store.export import catalogue_snapshot

__all__ = ["render_report", "write_report"]

FINDING_EXAMPLES = 50
"""Affected URLs listed under each finding kind (the CSV export has all of them)."""


def write_report(
    store: Store,
    crawl_id: int,
    out_dir: Path,
    settings: ReportSettings,
    *,
    progress: StageProgress | None = None,
) -> Path:
    """Write ``out_dir/index.html`` for ``crawl_id`` and return its path.

    With ``settings.exports`` the folder also gets ``exports/<table>.csv`` for every table
    with rows but the store's bookkeeping (:func:`~linkflow.report.exports.download_tables`),
    linked from the report's Downloads section. The page is written under a temporary name
    and renamed, so an existing report is replaced only by a complete one. ``progress``
    hears of each export and of the page as the ``report`` stage.

    Raises :class:`ReportError` when the folder cannot be written, and
    :class:`~linkflow.errors.StoreError` when ``crawl_id`` is not in the store.
    """
    out_dir = Path(out_dir)
    downloads: list[dict[str, Any]] = []
    # The report reads the store and writes files only: its many questions about which
    # tables and columns exist are answered from one read of the catalogue.
    with catalogue_snapshot(store):
        tables = download_tables(store) if settings.exports else []
        with Stage("report", progress, total=len(tables) + 2) as step:
            if tables:
                make_folder(out_dir / "exports")
            with exports_beside(store, tables, out_dir / "exports") as exported:
                step("reading the page's data")
                context = _context(store, crawl_id, settings)
                for table, rows in zip(tables, exported, strict=True):
                    step(f"exporting {table}.csv")
                    href = f"exports/{table}.csv"
                    downloads.append({"table": table, "href": href, "rows": rows.result()})
            step("writing the page")
            html = _render(context, downloads)
            return _write_page(out_dir, html)


def _write_page(out_dir: Path, html: str) -> Path:
    path = out_dir / "index.html"
    partial = out_dir / ".index.html.partial"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ReportError(
            f"{path}: cannot write the report ({exc.strerror or exc}); "
            "choose a writable folder with --out"
        ) from exc
    return path


def render_report(
    store: Store,
    crawl_id: int,
    settings: ReportSettings,
    *,
    downloads: list[dict[str, Any]] | None = None,
) -> str:
    """The report page of ``crawl_id`` as an HTML string (see :func:`write_report`)."""
    return _render(_context(store, crawl_id, settings), downloads or [])


def _render(context: dict[str, Any], downloads: list[dict[str, Any]]) -> str:
    return _environment().get_template("report.html.j2").render(context, downloads=downloads)


def _context(store: Store, crawl_id: int, settings: ReportSettings) -> dict[str, Any]:
    """What the page shows, read from the store (all but the downloads)."""
    info = store.crawl_info(crawl_id)
    site = info.get("base_url") or (info["seeds"][0] if info["seeds"] else "")
    top_n = max(1, settings.top_n)
    css = _static("report.css")
    # One inline script, so the policy pins one hash: the vendored chart library, then ours.
    js = _static("vendor/echarts.min.js") + "\n;\n" + _static("report.js")
    backlinks = sections.backlinks_section(store, top_n)
    domains = int(backlinks["overview"]["referring_domains"]) if backlinks else None
    explorer = explorer_data(store, crawl_id)
    return {
        "explorer_json": Markup(embed_json(explorer)),  # JSON with <, >, & escaped
        "explorer_total": len(explorer["pages"]["url"]),
        "graph": site_graph(store, crawl_id),
        "backlinks": backlinks,
        "title": settings.title or urlsplit(site).netloc or site or "linkflow audit",
        "site": site,
        "crawl": info,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "top_n": top_n,
        "overview": sections.overview_section(store, crawl_id),
        "pages": sections.pages_section(store, crawl_id, top_n),
        "findings": sections.findings_section(store, crawl_id, FINDING_EXAMPLES),
        "finding_limit": FINDING_EXAMPLES,
        "charts": sections.charts_section(store, crawl_id),
        "traffic": sections.traffic_section(store, crawl_id, top_n),
        "answer": answer.answer_section(store, crawl_id),
        "flow": answer.flow_section(store, crawl_id, domains),
        "sankey": _sankey(store, crawl_id),
        "distribution": charts_dist.distribution_section(store, crawl_id),
        "recommendations": answer.recommendations_section(store, crawl_id, top_n),
        "whatif": whatif_section(store, crawl_id),
        "css": Markup(css),  # our own package file, not user data
        "js": Markup(js),
        "csp": _csp(css, js),
    }


def _sankey(store: Store, crawl_id: int) -> dict[str, Any] | None:
    """The authority Sankey as the template needs it: ``spec`` for ECharts, ``rows`` for
    the table of its numbers, ``leaks``/``external``/``reach``/``low`` (the entering
    authority that ends on low-value URLs) for the note below it."""
    diagram = charts_flow.authority_sankey(store, crawl_id)
    if diagram is None:
        return None
    title = "Authority: referring domains → landing pages → money pages or trapped"
    return {
        "spec": charts_flow.sankey_spec(diagram, title),
        "rows": charts_flow.sankey_rows(diagram),
        "reach": diagram.reach,
        "leaks": diagram.leaks,
        "external": diagram.external,
        "low": sum(n.value for n in diagram.nodes if n.id == "trapped-low"),
    }


def _static(name: str) -> str:
    return (
        resources.files("linkflow.report").joinpath("static", *name.split("/")).read_text("utf-8")
    )


def _csp(css: str, js: str) -> str:
    """A policy that allows exactly our inline style and script, and no network at all."""

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    return (
        f"default-src 'none'; style-src {digest(css)}; script-src {digest(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment, made once: it keeps the templates it compiled."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("linkflow.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        num=_num, pct=_pct, equity=_equity, cell=_cell, href=_href, sortkey=_sortkey, path=_path
    )
    return env


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs, in a folder of the system's temporary folder
    that only this user can write (jinja2's checks). Compiling the templates takes 0.3 s of
    CPU; loading them, a few ms. An entry is used only for the same template source (its
    checksum), Python and jinja2; one that cannot be written is compiled again next time,
    and one that cannot be read is compiled now: the cache never fails a report."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache of compiled templates, or None when no private folder can be had."""
    try:
        return _BytecodeCache(pattern=f"linkflow-{__version__}-jinja2-{jinja2.__version__}-%s")
    except (OSError, RuntimeError):  # RuntimeError: jinja2 found the folder unsafe
        return None


# ---------------------------------------------------------------------- formatting filters
_MISSING = "—"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _num(value: Any, digits: int = 1) -> str:
    """Thousands-separated number; floats with ``digits`` decimals unless integral."""
    if not _finite(value):
        return _MISSING
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _pct(value: Any) -> str:
    """A 0-1 share as a percentage."""
    return f"{value * 100:.1f}%" if _finite(value) else _MISSING


def _equity(value: Any) -> str:
    """Raw equity (a share of 1) as a percentage with three significant digits."""
    return f"{value * 100:.3g}%" if _finite(value) else _MISSING


def _cell(value: Any) -> str:
    """Any stored value as short text for a generic table cell."""
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _num(value, 2)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _href(url: Any) -> str:
    """``url`` if it is a web address safe to link to, else "" (never javascript: or data:)."""
    if isinstance(url, str) and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return ""


def _path(url: Any) -> str:
    """The path and query of a URL, to show where the host is the audited site's."""
    if not isinstance(url, str):
        return _MISSING
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _sortkey(value: Any) -> str:
    """The ``data-v`` sort key of a cell: numbers as numbers, missing values sort last."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if _finite(value):
        return repr(float(value))
    return str(value).lower()
