"""CSV exports people open in a spreadsheet: URLs instead of ids, Screaming Frog's column
names, a byte-order mark; and the export rules (format, folder) and the report's downloads.

Every test writes a real DuckDB file and reads the CSV back with the csv module.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import duckdb
import pytest

from linkflow.errors import ReportError
from linkflow.ingest.screaming_frog import import_screaming_frog
from linkflow.report import export_table, write_report
from linkflow.report import exports as exports_module
from linkflow.report.exports import CSV_COLUMNS, INTERNAL_TABLES, exports_beside, output_format
from linkflow.settings import ReportSettings
from linkflow.store import Store, db
from linkflow.store.migrations import MIGRATIONS
from tests.report.conftest import FORMULA, SITE, Audit


def owasp(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def export(audit: Audit, table: str, folder: Path) -> list[dict[str, str]]:
    with Store.open(audit.path) as store:
        export_table(store, table, "csv", folder / f"{table}.csv")
    return read_csv(folder / f"{table}.csv")


def urls_by_id(audit: Audit) -> dict[int, str]:
    with Store.open(audit.path) as store:
        return {int(i): str(u) for i, u in store.rows("SELECT id, url FROM urls")}


# ---------------------------------------------------------------------- spreadsheet basics
@pytest.mark.parametrize("table", ["pages", "links", "page_metrics", "crawls"])
def test_every_csv_starts_with_a_byte_order_mark(audit: Audit, tmp_path: Path, table: str) -> None:
    """Excel reads a CSV without the mark in the local code page: "Café" turns into "CafÃ©"."""
    with Store.open(audit.path) as store:
        export_table(store, table, "csv", tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not raw[3:].startswith(b'"')  # the mark is not inside a quoted header cell
    assert raw.count(b"\xef\xbb\xbf") == 1


def test_no_csv_of_a_url_table_has_an_id_column(audit: Audit, tmp_path: Path) -> None:
    for table in ("pages", "links", "findings", "backlinks"):
        header = list(export(audit, table, tmp_path)[0])
        assert not [c for c in header if c.lower().endswith("_id") or c.lower() == "id"], table


# ---------------------------------------------------------------------- pages
def test_pages_csv_carries_each_address_and_its_inlinks(audit: Audit, tmp_path: Path) -> None:
    url_of = urls_by_id(audit)
    with Store.open(audit.path) as store:
        pages = store.read("pages").to_pylist()
        links = store.read("links").to_pylist()
    got = export(audit, "pages", tmp_path)
    # both directions: one row per stored page, in order, each naming that page's URL
    assert [r["Address"] for r in got] == [url_of[p["url_id"]] for p in pages]
    assert all(r["Address"].startswith(SITE) for r in got)
    inlinks = Counter(url_of[link["dst_id"]] for link in links)
    sources = {
        u: {url_of[k["src_id"]] for k in links if url_of[k["dst_id"]] == u} for u in url_of.values()
    }
    for row, page in zip(got, pages, strict=True):
        assert int(row["Inlinks"]) == inlinks[row["Address"]]
        assert int(row["Unique Inlinks"]) == len(sources[row["Address"]])
        assert int(row["Status Code"]) == page["status"]
        assert row["Indexability"] == ("Indexable" if page["indexable"] else "Non-Indexable")
    gone = next(r for r in got if r["Address"] == f"{SITE}/gone")
    assert (gone["Status Code"], gone["Inlinks"], gone["Unique Inlinks"]) == ("404", "2", "2")


def test_pages_csv_names_canonical_and_redirect_targets(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=[f"{SITE}/"], settings={})
        a, b, c = store.url_ids([f"{SITE}/a", f"{SITE}/b", f"{SITE}/c"])
        store.append(
            "pages",
            [
                {"crawl_id": crawl, "url_id": a, "status": 200, "canonical_url_id": b},
                {"crawl_id": crawl, "url_id": c, "status": 301, "redirect_url_id": b},
            ],
        )
        export_table(store, "pages", "csv", tmp_path / "pages.csv")
    rows = {r["Address"]: r for r in read_csv(tmp_path / "pages.csv")}
    assert rows[f"{SITE}/a"]["Canonical Link Element 1"] == f"{SITE}/b"
    assert rows[f"{SITE}/c"]["Redirect URL"] == f"{SITE}/b"
    assert rows[f"{SITE}/a"]["Redirect URL"] == rows[f"{SITE}/c"]["Canonical Link Element 1"] == ""


# ---------------------------------------------------------------------- links
def test_links_csv_has_source_and_destination_urls(audit: Audit, tmp_path: Path) -> None:
    url_of = urls_by_id(audit)
    with Store.open(audit.path) as store:
        links = store.read("links").to_pylist()
        status = dict(store.rows("SELECT url_id, status FROM pages"))
    got = export(audit, "links", tmp_path)
    assert len(got) == len(links)
    # every stored link is a row with its two URLs, and every row is a stored link
    assert [(r["Source"], r["Destination"]) for r in got] == [
        (url_of[k["src_id"]], url_of[k["dst_id"]]) for k in links
    ]
    assert all(r["Source"] and r["Destination"] for r in got)
    assert {r["Type"] for r in got} == {"Hyperlink"}
    assert {r["Link Position"] for r in got} == {"Content"}
    assert {r["Follow"] for r in got} == {"true"}
    for row, link in zip(got, links, strict=True):
        assert row["Status Code"] == str(status[link["dst_id"]])


def test_links_csv_names_nofollow_and_positions_as_screaming_frog(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=[f"{SITE}/"], settings={})
        a, b = store.url_ids([f"{SITE}/", f"{SITE}/b"])
        store.append(
            "links",
            [
                {"crawl_id": crawl, "src_id": a, "dst_id": b, "ordinal": 0, "position": "nav",
                 "rel": "nofollow", "rel_nofollow": True, "dom_path": "html>body>nav>ul>li>a"},
                {"crawl_id": crawl, "src_id": a, "dst_id": b, "ordinal": 1, "position": "footer"},
            ],
        )  # fmt: skip
        export_table(store, "links", "csv", tmp_path / "links.csv")
    nav, footer = read_csv(tmp_path / "links.csv")
    assert (nav["Link Position"], nav["Follow"], nav["Rel"]) == ("Navigation", "false", "nofollow")
    assert nav["Link Path"] == "/html/body/nav/ul/li/a"
    assert (footer["Link Position"], footer["Follow"], footer["Link Path"]) == (
        "Footer",
        "true",
        "",
    )
    assert nav["Status Code"] == ""  # the target was never fetched


def test_screaming_frog_reads_the_pages_and_links_csv_back(audit: Audit, tmp_path: Path) -> None:
    """The column names are Screaming Frog's own: its import takes the two files as an
    Internal:All and an All Inlinks export."""
    url_of = urls_by_id(audit)
    with Store.open(audit.path) as store:
        links = store.read("links").to_pylist()
        pages = {url_of[p["url_id"]]: p for p in store.read("pages").to_pylist()}
        export_table(store, "links", "csv", tmp_path / "links.csv")
        export_table(store, "pages", "csv", tmp_path / "pages.csv")
    with Store.open(tmp_path / "again.duckdb") as store:
        summary = import_screaming_frog(store, tmp_path / "links.csv", tmp_path / "pages.csv")
        again = store.rows(
            "SELECT s.url, d.url, l.anchor FROM links l JOIN urls s ON s.id = l.src_id "
            "JOIN urls d ON d.id = l.dst_id"
        )
        statuses = dict(
            store.rows("SELECT u.url, p.status FROM pages p JOIN urls u ON u.id = p.url_id")
        )
    assert summary.links == len(links)
    assert Counter(again) == Counter(
        (url_of[k["src_id"]], url_of[k["dst_id"]], owasp(k["anchor"])) for k in links
    )
    assert statuses == {url: p["status"] for url, p in pages.items()}


# ---------------------------------------------------------------------- findings
def test_findings_csv_names_the_page_and_the_link_target(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        stored = store.read("findings").to_pylist()
    got = export(audit, "findings", tmp_path)
    assert len(got) == len(stored)
    assert Counter((r["Issue"], r["Address"]) for r in got) == Counter(
        (f["kind"], f["url"]) for f in stored
    )
    broken = [r for r in got if r["Issue"] == "broken-link"]
    assert broken
    assert {r["Destination"] for r in broken} == {f"{SITE}/gone"}
    assert all(r["Destination"] == "" for r in got if r["Issue"] != "broken-link")
    # most severe first, as the report lists them
    order = [("critical", "high", "medium", "low", "info").index(r["Severity"]) for r in got]
    assert order == sorted(order)


def test_findings_of_an_older_audit_get_their_link_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written before findings had ``target_url`` gets it from each link finding's
    detail when it is opened."""
    # The file is taken back to the version before that step, and opened by a linkflow whose
    # newest step is that one: later steps, which this file already has, stay out of it.
    step = next(v for v, sql in MIGRATIONS.items() if "findings ADD COLUMN target_url" in sql)
    monkeypatch.setattr(db, "SCHEMA_VERSION", step)
    path = tmp_path / "old.duckdb"
    details = {
        "broken-link": f'links to {SITE}/gone (404) with anchor "x"',
        "link-to-redirect": f"links to {SITE}/old (redirects 1 time(s) to {SITE}/new) with anchor",
        "image-link-no-alt": f"image link to {SITE}/faq has no alt text (2 links)",
        "empty-anchor": f"link to {SITE}/faq has no text",
        "deep-page": "7 clicks from the home page",
    }
    Store.open(path).close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE findings DROP COLUMN target_url")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step - 1)])
    for kind, detail in details.items():
        con.execute(
            "INSERT INTO findings (crawl_id, kind, severity, url, detail, why) "
            "VALUES (1, ?, 'low', ?, ?, 'why')",
            [kind, f"{SITE}/", detail],
        )
    con.close()
    with Store.open(path) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(step)
        export_table(store, "findings", "csv", tmp_path / "findings.csv")
    got = {r["Issue"]: r["Destination"] for r in read_csv(tmp_path / "findings.csv")}
    assert got == {
        "broken-link": f"{SITE}/gone",
        "link-to-redirect": f"{SITE}/old",
        "image-link-no-alt": f"{SITE}/faq",
        "empty-anchor": f"{SITE}/faq",
        "deep-page": "",
    }


# ---------------------------------------------------------------------- backlinks and the rest
def test_backlinks_csv_has_both_urls_and_follow(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        stored = store.read("backlinks").to_pylist()
    got = export(audit, "backlinks", tmp_path)
    assert [(r["Source"], r["Destination"]) for r in got] == [
        (b["source_url"], b["target_url"]) for b in stored
    ]
    assert [r["Follow"] for r in got] == [str(not b["nofollow"]).lower() for b in stored]
    assert [r["Anchor"] for r in got] == [owasp(b["anchor"]) for b in stored]
    assert FORMULA not in {r["Anchor"] for r in got}
    assert [r["Site"] for r in got] == ["self"] * 4 + ["rival"]


def test_hreflang_and_sitemap_csv_carry_urls(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=[f"{SITE}/"], settings={})
        en, de, sitemap = store.url_ids([f"{SITE}/en", f"{SITE}/de", f"{SITE}/sitemap.xml"])
        store.append("hreflang", [{"crawl_id": crawl, "src_id": en, "dst_id": de, "lang": "de"}])
        store.append(
            "sitemap_urls",
            [{"crawl_id": crawl, "url_id": en, "sitemap_url_id": sitemap, "lastmod": "2026-01-02"}],
        )
        export_table(store, "hreflang", "csv", tmp_path / "h.csv")
        export_table(store, "sitemap_urls", "csv", tmp_path / "s.csv")
    assert read_csv(tmp_path / "h.csv") == [
        {"Source": f"{SITE}/en", "Destination": f"{SITE}/de", "Language": "de", "Crawl": "1"}
    ]
    assert read_csv(tmp_path / "s.csv") == [
        {"Address": f"{SITE}/en", "Sitemap": f"{SITE}/sitemap.xml", "Lastmod": "2026-01-02",
         "Crawl": "1"}
    ]  # fmt: skip


def test_frontier_and_page_text_csvs_carry_urls_and_readable_text(
    audit: Audit, tmp_path: Path
) -> None:
    """The crawl queue and the stored main text name their pages by URL; the text loses the
    code marks the store keeps (U+FDD0/U+FDD1), a formula in it is neutralised, and JSON keeps
    the text as stored."""
    stored = "Run \ufdd0pip install x\ufdd1 then \ufdd0import x\ufdd1."
    with Store.open(audit.path) as store:
        crawl = int(store.scalar("SELECT max(id) FROM crawls"))
        en, de = store.url_ids([f"{SITE}/en", f"{SITE}/de"])
        store.execute("DELETE FROM frontier")
        store.execute("DELETE FROM page_text")
        store.append(
            "frontier",
            [{"crawl_id": crawl, "url_id": en, "depth": 0, "state": "done", "hops": 0},
             {"crawl_id": crawl, "url_id": de, "depth": 2, "state": "queued", "hops": 1}],
        )  # fmt: skip
        store.append(
            "page_text",
            [{"crawl_id": crawl, "url_id": en, "main_text": stored},
             {"crawl_id": crawl, "url_id": de, "main_text": "=1+2 is a formula"}],
        )  # fmt: skip
        export_table(store, "frontier", "csv", tmp_path / "f.csv")
        export_table(store, "page_text", "csv", tmp_path / "t.csv")
        export_table(store, "page_text", "json", tmp_path / "t.json")
    assert read_csv(tmp_path / "f.csv") == [
        {"Address": f"{SITE}/en", "Crawl Depth": "0", "State": "done", "Redirect Hops": "0",
         "Crawl": str(crawl)},
        {"Address": f"{SITE}/de", "Crawl Depth": "2", "State": "queued", "Redirect Hops": "1",
         "Crawl": str(crawl)},
    ]  # fmt: skip
    assert read_csv(tmp_path / "t.csv") == [
        {"Address": f"{SITE}/en", "Main Text": "Run pip install x then import x.",
         "Crawl": str(crawl)},
        {"Address": f"{SITE}/de", "Main Text": "'=1+2 is a formula", "Crawl": str(crawl)},
    ]  # fmt: skip
    as_json = json.loads((tmp_path / "t.json").read_text("utf-8"))
    assert [r["main_text"] for r in as_json] == [stored, "=1+2 is a formula"]


def test_json_keeps_the_store_names(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        export_table(store, "links", "json", tmp_path / "links.json")
        columns = store.read("links").column_names
    text = (tmp_path / "links.json").read_text("utf-8")
    assert not text.startswith("\ufeff")
    assert all(f'"{c}"' in text for c in columns)
    assert set(CSV_COLUMNS) == {
        "pages",
        "links",
        "findings",
        "backlinks",
        "hreflang",
        "sitemap_urls",
        "frontier",
        "page_text",
    }


# ---------------------------------------------------------------------- export rules
@pytest.mark.parametrize(
    ("name", "fmt"), [("pages.json", "csv"), ("pages.csv", "parquet"), ("pages.parquet", "json")]
)
def test_a_format_the_extension_contradicts_is_refused(
    audit: Audit, tmp_path: Path, name: str, fmt: str
) -> None:
    with Store.open(audit.path) as store, pytest.raises(ReportError) as err:
        export_table(store, "pages", fmt, tmp_path / name)
    assert "\n" not in str(err.value)
    assert name in str(err.value)
    assert not (tmp_path / name).exists()


def test_the_format_follows_the_extension() -> None:
    assert output_format(Path("a.parquet")) == "parquet"
    assert output_format(Path("a.JSONL")) == "json"
    assert output_format(Path("-")) == "csv"
    assert output_format(Path("a.txt"), "json") == "json"


def test_a_missing_folder_is_an_error_not_created(audit: Audit, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "pages.csv"
    with Store.open(audit.path) as store, pytest.raises(ReportError) as err:
        export_table(store, "pages", "csv", out)
    assert "\n" not in str(err.value)
    assert str(tmp_path / "no" / "such") in str(err.value)
    assert not (tmp_path / "no").exists()


# ---------------------------------------------------------------------- report downloads
def test_report_downloads_leave_out_bookkeeping_and_empty_tables(
    audit: Audit, tmp_path: Path
) -> None:
    with Store.open(audit.path) as store:
        write_report(store, audit.crawl_id, tmp_path / "r", ReportSettings(exports=True))
        empty = {t for t in store.tables() if store.count(t) == 0}
        tables = set(store.tables())
    written = {p.stem for p in (tmp_path / "r" / "exports").iterdir()}
    html = (tmp_path / "r" / "index.html").read_text("utf-8")
    assert {"pages", "links", "findings", "backlinks", "page_metrics"} <= written
    assert "hreflang" in empty
    assert not written & (empty | INTERNAL_TABLES)
    assert written == tables - empty - INTERNAL_TABLES
    assert 'href="exports/urls.csv"' not in html
    assert 'href="exports/hreflang.csv"' not in html
    assert 'href="exports/pages.csv"' in html


def test_report_downloads_give_each_table_its_row_count(audit: Audit, tmp_path: Path) -> None:
    """The exports run on another thread while the page is read: each download still names
    its own file and the rows written to it."""
    with Store.open(audit.path) as store:
        write_report(store, audit.crawl_id, tmp_path / "r", ReportSettings(exports=True))
        counts = {t: store.count(t) for t in store.tables()}
    html = (tmp_path / "r" / "index.html").read_text("utf-8")
    written = sorted((tmp_path / "r" / "exports").iterdir())
    assert written
    for path in written:
        rows = read_csv(path)
        assert len(rows) == counts[path.stem], path.name
        assert f'href="exports/{path.name}"' in html
    assert not list((tmp_path / "r" / "exports").glob(".*partial"))


def test_exports_beside_stop_at_the_first_error(audit: Audit, tmp_path: Path) -> None:
    """An export that fails hands its error to the caller; the ones after it never run."""
    out = tmp_path / "out"
    out.mkdir()
    with (
        Store.open(audit.path) as store,
        exports_beside(store, ["pages", "no_such_table", "links"], out) as exported,
    ):
        assert exported[0].result() == store.count("pages")
        with pytest.raises(ReportError, match="no_such_table"):
            exported[1].result()
        assert exported[2].cancelled()
    assert sorted(p.name for p in out.iterdir()) == ["pages.csv"]


def test_leaving_exports_beside_early_cancels_the_rest(audit: Audit, tmp_path: Path) -> None:
    """An error in the block (the page failing, Ctrl-C) leaves no export thread running and
    starts no export after the one under way."""
    tables = ["links"] * 2 + ["pages"] * 30
    out = tmp_path / "out"
    out.mkdir()
    with Store.open(audit.path) as store:
        with pytest.raises(KeyboardInterrupt), exports_beside(store, tables, out) as exported:
            raise KeyboardInterrupt
        assert not [t for t in threading.enumerate() if t.name == "linkflow-exports"]
        assert all(f.done() for f in exported)
        assert any(f.cancelled() for f in exported)
        assert store.count("pages") > 0  # the store is still usable
        rows = {"links": store.count("links"), "pages": store.count("pages")}
    # an export stopped half-way leaves no file behind; one that ended is complete
    assert not list(out.glob(".*"))
    for path in out.iterdir():
        assert len(read_csv(path)) == rows[path.stem]


def test_an_export_under_way_is_stopped_when_the_block_fails(
    audit: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a long export runs: the export is interrupted, not waited for, even
    when the Ctrl-C comes just before the export's statement begins (DuckDB clears an
    interrupt when a statement begins: one interrupt alone then reaches nothing)."""
    started = threading.Event()
    real_copy = exports_module.copy_query

    def slow_copy(store: Store, select: str, *args: object, **kwargs: object) -> int:
        started.set()
        time.sleep(0.3)  # the Ctrl-C comes now, before the statement
        # a statement that runs for 20 s and more unless interrupted
        store.scalar("SELECT count(*) FROM range(100000000000) a")
        return real_copy(store, select, *args, **kwargs)  # type: ignore[arg-type]

    def interrupted_while_exporting(store: Store, out: Path) -> None:
        with exports_beside(store, ["links"], out) as exported:
            futures.extend(exported)
            assert started.wait(60)
            raise KeyboardInterrupt

    monkeypatch.setattr(exports_module, "copy_query", slow_copy)
    out = tmp_path / "out"
    out.mkdir()
    futures: list[Future[int]] = []
    with Store.open(audit.path) as store:
        begun = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            interrupted_while_exporting(store, out)
        assert time.monotonic() - begun < 30
        with pytest.raises(ReportError):
            futures[0].result()
    assert not list(out.iterdir())
