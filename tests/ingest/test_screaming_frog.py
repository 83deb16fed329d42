"""Screaming Frog crawl import: every layout era into a real DuckDB store, malformed files,
and garbage that must only ever raise ImportFormatError."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.errors import ImportFormatError
from linkflow.graph.model import build_graph
from linkflow.ingest import screaming_frog_write
from linkflow.ingest.screaming_frog import detect_screaming_frog, import_screaming_frog
from linkflow.models import BLOCKED
from linkflow.settings import GraphSettings
from linkflow.store import TABLES, Store

DATA = Path(__file__).parent.parent / "data" / "screaming_frog"
B = "https://www.example.com"
CURRENT = DATA / "current_all_inlinks.csv"
INTERNAL = DATA / "current_internal_all.csv"
INLINK_FILES = [
    "current_all_inlinks.csv",
    "2019_all_outlinks.csv",
    "2017_all_outlinks.csv",
    "resaved_all_inlinks.csv",
    "excel_all_inlinks.csv",
]
WITH_POSITIONS = {"current_all_inlinks.csv", "resaved_all_inlinks.csv", "excel_all_inlinks.csv"}

# The hyperlinks of the fixture site, as written in the fixtures' rows (mailto dropped).
HYPERLINKS = Counter(
    [
        ("/", "/about/"), ("/blog/", "/about/"), ("/blog/post-1", "/about/"),
        ("/about/", "/about/"), ("/", "/about/"), ("/", "/blog/"),
        ("/about/", "/blog/?utm_source=about"), ("/blog/", "/blog/?page=1"),
        ("/", "/blog/post-1"), ("/about/", "/blog/post-1"), ("/blog/", "/blog/post-1"),
        ("/", "/old-page"), ("/blog/", "/missing"), ("/about/", "https://external.org/ref"),
        ("/blog/", "/private/"),
    ]
)  # fmt: skip


def url(path: str) -> str:
    return path if path.startswith("http") else B + path


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store.open(tmp_path / "audit.duckdb")
    yield s
    s.close()


def links_of(store: Store, crawl_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT s.url AS src, d.url AS dst, l.* FROM links l JOIN urls s ON s.id = l.src_id "
        "JOIN urls d ON d.id = l.dst_id WHERE crawl_id = ? ORDER BY s.url, ordinal",
        [crawl_id],
    ).to_pylist()


def pages_of(store: Store, crawl_id: int) -> dict[str, dict[str, Any]]:
    rows = store.query(
        "SELECT u.url, p.*, r.url AS redirect, c.url AS canonical FROM pages p "
        "JOIN urls u ON u.id = p.url_id LEFT JOIN urls r ON r.id = p.redirect_url_id "
        "LEFT JOIN urls c ON c.id = p.canonical_url_id WHERE crawl_id = ?",
        [crawl_id],
    ).to_pylist()
    return {r["url"]: r for r in rows}


def row_counts(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in TABLES}


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize("name", INLINK_FILES)
def test_detects_every_inlinks_era(name: str) -> None:
    assert detect_screaming_frog(DATA / name) == "inlinks"


def test_detects_internal_all_and_rejects_other_files(tmp_path: Path) -> None:
    assert detect_screaming_frog(INTERNAL) == "internal"
    ahrefs = tmp_path / "backlinks.csv"
    ahrefs.write_text("Referring page URL,Domain rating,Target URL,Anchor\nhttps://a/,1,b,c\n")
    assert detect_screaming_frog(ahrefs) is None
    assert detect_screaming_frog(tmp_path / "missing.csv") is None
    (tmp_path / "empty.csv").write_bytes(b"")
    assert detect_screaming_frog(tmp_path / "empty.csv") is None


# ---------------------------------------------------------------- every era
@pytest.mark.parametrize("name", INLINK_FILES)
def test_every_era_gives_the_same_link_graph(store: Store, name: str) -> None:
    summary = import_screaming_frog(store, DATA / name)
    links = links_of(store, summary.crawl_id)
    got = Counter((r["src"], r["dst"]) for r in links)
    assert got == Counter({(url(s), url(d)): n for (s, d), n in HYPERLINKS.items()})
    assert summary.links == len(links) == sum(HYPERLINKS.values())
    nofollow = {(r["src"], r["dst"]) for r in links if r["rel_nofollow"]}
    assert nofollow == {(url("/"), url("/blog/post-1")), (url("/about/"), url("/blog/post-1"))}
    # Ordinals follow the file's row order per source, whatever order the era lists rows in.
    home = [(r["ordinal"], r["dst"]) for r in links if r["src"] == url("/")]
    assert home == list(
        enumerate(url(p) for p in ("/about/", "/about/", "/blog/", "/blog/post-1", "/old-page"))
    )
    image = [r for r in links if r["src"] == url("/blog/post-1")]
    assert [(r["anchor"], r["alt"], r["is_image"]) for r in image] == [
        ("About logo", "About logo", True)
    ]
    info = store.crawl_info(summary.crawl_id)
    assert (info["source"], info["status"], info["seeds"], info["base_url"]) == (
        "screaming-frog", "finished", [str(DATA / name)], B,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(WITH_POSITIONS))
def test_positions_rel_and_paths_of_current_layout(store: Store, name: str) -> None:
    links = links_of(store, import_screaming_frog(store, DATA / name).crawl_id)
    by_anchor = {r["anchor"]: r for r in links}
    assert by_anchor["About us"]["position"] == "nav"
    assert by_anchor["About (footer)"]["position"] == "footer"
    assert by_anchor["About"]["position"] == "header"
    assert by_anchor["Sponsored read"]["position"] == "sidebar"  # Aside
    assert by_anchor["Broken"]["position"] == "sidebar"
    assert by_anchor['Say "hi", friend']["position"] == "content"
    assert by_anchor['Say "hi", friend']["dom_path"] == "html>body>main>article>p>a"
    sponsored = by_anchor["Sponsored read"]
    assert (sponsored["rel"], sponsored["rel_sponsored"], sponsored["rel_nofollow"]) == (
        "sponsored", True, True,
    )  # fmt: skip
    ugc = by_anchor["Read more"]
    assert (ugc["rel"], ugc["rel_ugc"], ugc["rel_nofollow"], ugc["target"]) == (
        "ugc", True, False, "_blank",
    )  # fmt: skip


@pytest.mark.parametrize("name", INLINK_FILES)
def test_non_hyperlink_rows_never_become_links(store: Store, name: str) -> None:
    crawl_id = import_screaming_frog(store, DATA / name).crawl_id
    destinations = {r["dst"] for r in links_of(store, crawl_id)}
    for resource in ("/img/logo.png", "/style.css", "/app.js", "/fr/", "/orphan"):
        assert url(resource) not in destinations
    assert "https://video.example.net/embed/1" not in destinations
    assert not {r["src"] for r in links_of(store, crawl_id)} & {url("/sitemap.xml")}


def test_redirect_canonical_and_sitemap_rows(store: Store) -> None:
    crawl_id = import_screaming_frog(store, CURRENT).crawl_id
    pages = pages_of(store, crawl_id)
    assert pages[url("/old-page")]["redirect"] == url("/about/")
    assert pages[url("/old-page")]["status"] == 301
    assert pages[url("/blog/?page=1")]["canonical"] == url("/blog/")
    sitemap = store.query(
        "SELECT u.url, s.url AS sitemap FROM sitemap_urls m JOIN urls u ON u.id = m.url_id "
        "JOIN urls s ON s.id = m.sitemap_url_id WHERE crawl_id = ?",
        [crawl_id],
    ).to_pylist()
    assert sorted(r["url"] for r in sitemap) == [
        url("/about/"), url("/blog/post-1"), url("/orphan"),
    ]  # fmt: skip
    assert {r["sitemap"] for r in sitemap} == {url("/sitemap.xml")}


def test_pages_from_inlinks_alone(store: Store) -> None:
    summary = import_screaming_frog(store, CURRENT)
    pages = pages_of(store, summary.crawl_id)
    expected = {
        "/", "/about/", "/blog/", "/blog/post-1", "/old-page", "/missing", "/blog/?page=1",
        "/blog/?utm_source=about", "/private/", "https://external.org/ref", "/orphan",
        "/img/logo.png", "/style.css", "/app.js",  # embedded resources are recorded too
    }  # fmt: skip
    assert set(pages) == {url(p) for p in expected}
    assert pages[url("/")]["status"] == 200  # never a destination: inferred from its links
    assert pages[url("/missing")]["status"] == 404
    private = pages[url("/private/")]
    # Screaming Frog's "Blocked by Robots.txt" is stored as the marker every stage knows.
    assert (private["status"], private["error"]) == (None, BLOCKED)
    assert pages["https://external.org/ref"]["internal"] is False
    assert all(p["internal"] for u, p in pages.items() if u.startswith(B))
    assert pages[url("/about/")]["indexable"] is True
    assert pages[url("/old-page")]["indexable"] is False  # redirects
    assert pages[url("/blog/?page=1")]["indexable"] is False  # canonicalised
    assert pages[url("/missing")]["indexable"] is False
    assert summary.pages == len(pages)
    assert summary.by_status == dict(Counter(p["status"] for p in pages.values() if p["status"]))
    assert summary.errors == 1  # the 404; a page blocked by robots.txt is not an error


def test_internal_all_gives_page_facts(store: Store) -> None:
    summary = import_screaming_frog(store, CURRENT, INTERNAL)
    pages = pages_of(store, summary.crawl_id)
    about = pages[url("/about/")]
    assert about["title"] == "About — Example"
    assert (about["h1"], about["depth"], about["bytes"], about["word_count"]) == (
        "About us", 1, 12345, 210,
    )  # fmt: skip
    assert about["response_ms"] == pytest.approx(100.0)
    assert str(about["fetched_at"]) == "2024-05-01 10:20:31"
    assert about["content_type"] == "text/html; charset=UTF-8"
    post = pages[url("/blog/post-1")]
    # The export says non-indexable (meta robots noindex); inference alone would say yes.
    assert (post["indexable"], post["meta_robots"]) == (False, "noindex, follow")
    assert pages[url("/blog/")]["meta_robots"] == "index, follow"
    assert pages[url("/old-page")]["redirect"] == url("/about/")
    assert pages[url("/blog/?page=1")]["canonical"] == url("/blog/")
    assert pages[url("/")]["depth"] == 0
    assert pages[url("/private/")]["error"] == BLOCKED
    assert pages[url("/orphan")]["depth"] is None
    imports = store.query("SELECT * FROM imports ORDER BY id").to_pylist()
    assert [(i["kind"], i["provider"], i["report"], i["rows"]) for i in imports] == [
        ("crawl", "screaming-frog", "all-inlinks", 26),
        ("crawl", "screaming-frog", "internal-all", 9),
    ]
    assert imports[0]["rejected"] == 1  # the mailto: link
    assert json.loads(imports[0]["rejects"]) == [  # line 25: the header, then 24 data rows
        {"line": 25, "reason": "not an http(s) URL", "value": "mailto:hello@example.com"}
    ]
    assert json.loads(imports[1]["rejects"]) == []
    assert len(imports[0]["sha256"]) == 64


def _graph_urls(store: Store, crawl_id: int) -> set[str]:
    graph = build_graph(store, crawl_id, GraphSettings())
    return set(store.urls_by_id([int(i) for i in graph.node_url_ids]))


RESOURCES = {
    "/img/logo.png": "image/png", "/style.css": "text/css",
    "/app.js": "application/javascript", "/files/guide.pdf": "application/pdf",
}  # fmt: skip


def test_resources_of_internal_all_are_recorded_but_not_ranked(store: Store) -> None:
    # A real Internal: All export lists images, CSS, scripts and PDFs beside the pages, all
    # "Indexable" 200s: they are pages of the crawl, never nodes of the equity graph.
    summary = import_screaming_frog(store, CURRENT, DATA / "current_internal_all_resources.csv")
    pages = pages_of(store, summary.crawl_id)
    for path, content_type in RESOURCES.items():
        page = pages[url(path)]
        assert (page["content_type"], page["status"], page["indexable"]) == (
            content_type, 200, False,
        )  # fmt: skip
    nodes = _graph_urls(store, summary.crawl_id)
    assert not nodes & {url(p) for p in RESOURCES}
    assert {url(p) for p in ("/", "/about/", "/blog/", "/orphan")} <= nodes
    assert pages[url("/about/")]["indexable"] is True  # HTML pages keep the export's word


@pytest.mark.parametrize("name", INLINK_FILES)
def test_embedded_resources_of_inlinks_are_pages_of_their_type(store: Store, name: str) -> None:
    # Without Internal: All, the Type of the row that embeds a URL says what it is.
    crawl_id = import_screaming_frog(store, DATA / name).crawl_id
    pages = pages_of(store, crawl_id)
    inferred = {"/img/logo.png": "image/*", "/style.css": "text/css", "/app.js": "text/javascript"}
    for path, content_type in inferred.items():
        page = pages[url(path)]
        assert (page["content_type"], page["status"], page["indexable"]) == (
            content_type, 200, False,
        )  # fmt: skip
    assert not _graph_urls(store, crawl_id) & {url(p) for p in inferred}
    assert pages[url("/about/")]["content_type"] is None  # a page: nothing says otherwise


def test_internal_all_resaved_by_excel(store: Store, tmp_path: Path) -> None:
    rows = list(csv.reader(INTERNAL.read_text(encoding="utf-8-sig").splitlines()))
    column = rows[0].index("Response Time")
    for row in rows[1:]:
        row[column] = row[column].replace(".", ",")  # decimal comma
    excel = tmp_path / "internal_all.csv"
    with excel.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows(rows)
    crawl_id = import_screaming_frog(store, CURRENT, excel).crawl_id
    about = pages_of(store, crawl_id)[url("/about/")]
    assert about["title"] == "About — Example"
    assert about["response_ms"] == pytest.approx(100.0)


def test_files_given_in_either_order(store: Store) -> None:
    summary = import_screaming_frog(store, INTERNAL, CURRENT)
    assert store.crawl_info(summary.crawl_id)["seeds"] == [str(CURRENT), str(INTERNAL)]
    assert pages_of(store, summary.crawl_id)[url("/about/")]["title"] == "About — Example"


def test_strip_params_and_odd_file_names(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "all inlinks [1] *.csv"
    shutil.copy(CURRENT, odd)
    crawl_id = import_screaming_frog(store, odd, strip_params=("utm_source",)).crawl_id
    about = [r["dst"] for r in links_of(store, crawl_id) if r["src"] == url("/about/")]
    assert url("/blog/") in about
    assert not any("utm_source" in u for u in pages_of(store, crawl_id))


def test_cp1252_bytes_only_after_the_sniffed_head(store: Store, tmp_path: Path) -> None:
    lines = (DATA / "resaved_all_inlinks.csv").read_bytes().split(b"\n")[:-1]
    lines = lines[:1] + lines[1:] * 40
    # The first non-ASCII byte, about 150 KiB in: cp1252, as Excel saves it.
    lines.append(b"Hyperlink,https://www.example.com/,https://www.example.com/caf\xe9/,0,,"
                 b"Caf\xe9,200,OK,true,,,Absolute,/html/body/a,Content,HTML")  # fmt: skip
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    links = links_of(store, import_screaming_frog(store, path).crawl_id)
    cafe = [r for r in links if r["anchor"] == "Café"]
    assert [r["dst"] for r in cafe] == [url("/caf%C3%A9/")]


def test_utf16_export(store: Store, tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(CURRENT.read_text(encoding="utf-8-sig"), encoding="utf-16")
    assert detect_screaming_frog(utf16) == "inlinks"
    crawl_id = import_screaming_frog(store, utf16).crawl_id
    assert len(links_of(store, crawl_id)) == sum(HYPERLINKS.values())


# ---------------------------------------------------------------- bad files
def _truncated(tmp_path: Path) -> Path:
    data = CURRENT.read_bytes()
    cut = data.index(b'Say ""hi')
    path = tmp_path / "truncated.csv"
    path.write_bytes(data[: cut + 5])  # ends inside a quoted value of line 3
    return path


def _unclosed_quote(tmp_path: Path) -> Path:
    path = tmp_path / "cut.csv"
    path.write_bytes(CURRENT.read_bytes()[:-5])  # ends inside the last quoted value
    return path


def _short_row(tmp_path: Path) -> Path:
    lines = CURRENT.read_bytes().split(b"\n")
    lines[4] = b'"Hyperlink","https://www.example.com/","https://www.example.com/x/"'
    path = tmp_path / "short.csv"
    path.write_bytes(b"\n".join(lines))
    return path


def _bad_utf8(tmp_path: Path, cell: int = 5) -> Path:
    # Past the sniffed head (64 KiB), where only the full UTF-8 check can find it.
    lines = CURRENT.read_bytes().split(b"\n")[:-1]
    lines = lines[:1] + lines[1:] * 40  # 1 + 26 * 40 = 1041 lines, about 170 KiB
    cells = lines[1000].split(b'","')
    cells[cell] += b"\xc0"  # line 1001
    lines[1000] = b'","'.join(cells)
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _bad_utf8_in_link_position(tmp_path: Path) -> Path:
    # A column DuckDB would read past the projected ones: its error path there aborts.
    return _bad_utf8(tmp_path, cell=13)


def _no_destination(tmp_path: Path) -> Path:
    path = tmp_path / "nodest.csv"
    path.write_text('"All Inlinks"\n"Type","Source","Anchor","Follow"\n"AHREF","a","b","true"\n')
    return path


def _not_sf(tmp_path: Path) -> Path:
    path = tmp_path / "ahrefs.csv"
    path.write_text("Referring page URL,Target URL\nhttps://a.com/,https://b.com/\n")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_truncated, "line 3: expected 15 columns, found 6; the file looks truncated"),
        (_unclosed_quote, "line 27: a quoted value is never closed"),
        (_short_row, "line 5: expected 15 columns, found 3"),
        (_bad_utf8, "line 1001: the text is not valid UTF-8; save the file as UTF-8"),
        (_bad_utf8_in_link_position, "line 1001: the text is not valid UTF-8"),
        (_no_destination, "line 2: the header has no 'Destination' column"),
        (_not_sf, "not a Screaming Frog export; expected a Screaming Frog 'All Inlinks'"),
    ],
)
def test_malformed_files_write_nothing(
    store: Store, tmp_path: Path, make: Any, message: str
) -> None:
    path = make(tmp_path)
    before = row_counts(store)
    with pytest.raises(ImportFormatError) as info:
        import_screaming_frog(store, path, INTERNAL)
    text = str(info.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text
    assert row_counts(store) == before
    # The store is still usable, and its URL ids stay dense after the rollback.
    import_screaming_frog(store, CURRENT)
    assert store.scalar("SELECT max(id) + 1 = count(*) FROM urls") is True


def test_a_failure_while_writing_rolls_everything_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_screaming_frog(store, DATA / "2017_all_outlinks.csv")
    before = row_counts(store)

    def fail(*args: object, **kwargs: object) -> int:
        raise ImportFormatError("boom")

    # Links, crawl and URLs are written by then; the pages write fails.
    monkeypatch.setattr(screaming_frog_write, "write_pages", fail)
    with pytest.raises(ImportFormatError, match="boom"):
        import_screaming_frog(store, CURRENT, INTERNAL)
    assert row_counts(store) == before
    temp = store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_sf%'")
    assert temp == 0
    monkeypatch.undo()
    summary = import_screaming_frog(store, CURRENT, INTERNAL)
    assert summary.links == sum(HYPERLINKS.values())
    assert store.scalar("SELECT max(id) + 1 = count(*) FROM urls") is True


def test_internal_all_alone_is_refused(store: Store) -> None:
    with pytest.raises(ImportFormatError, match="All Inlinks"):
        import_screaming_frog(store, INTERNAL)
    with pytest.raises(ImportFormatError, match="Internal: All"):
        import_screaming_frog(store, CURRENT, CURRENT)
    assert store.count("crawls") == 0


# ---------------------------------------------------------------- scale and garbage
def test_a_generated_export_of_50k_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    header = CURRENT.read_text(encoding="utf-8-sig").splitlines()[0]
    kinds = ("Hyperlink", "Hyperlink", "Hyperlink", "Image", "XML Sitemap")
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for i in range(50_000):
            src, dst = f"{B}/p/{i % 997}", f"{B}/p/{(i * 7) % 1009}"
            fh.write(f'"{kinds[i % 5]}","{src}","{dst}","0","","a {i}","200","OK","true",'
                     f'"","","Absolute","/html/body/a","Content","HTML"\n')  # fmt: skip
    summary = import_screaming_frog(store, path)
    assert summary.links == 30_000
    assert (
        store.scalar(
            "SELECT count(*) FROM (SELECT src_id, max(ordinal) + 1 = count(*) AS dense "
            "FROM links GROUP BY src_id) WHERE NOT dense"
        )
        == 0
    )


_HEADERS = [
    b"",
    b'"All Inlinks"\r\n',
    b'\xef\xbb\xbf"Type","Source","Destination","Anchor","Follow","Status Code"\n',
    b"Address,Status Code,Content Type,Indexability\n",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(head=st.sampled_from(_HEADERS), body=st.binary(max_size=300))
def test_garbage_only_raises_import_format_error(tmp_path: Path, head: bytes, body: bytes) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(head + body)
    detect_screaming_frog(path)  # never raises
    with Store.open(tmp_path / "garbage.duckdb") as store:
        before = row_counts(store)
        error = None
        try:
            import_screaming_frog(store, path)
        except ImportFormatError as exc:
            error = str(exc)
        if error is not None:
            assert str(path) in error
            assert row_counts(store) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=12), max_size=7),
        max_size=6,
    )
)
def test_garbage_rows_after_a_valid_header(tmp_path: Path, cells: list[list[str]]) -> None:
    path = tmp_path / "rows.csv"
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in cells)
    path.write_text('"Type","Source","Destination","Anchor","Follow"\n' + body, encoding="utf-8")
    with Store.open(tmp_path / "rows.duckdb") as store:
        try:
            summary = import_screaming_frog(store, path)
        except ImportFormatError:
            return
        assert summary.links == store.count("links", crawl_id=summary.crawl_id)
