"""crawl_folder: a static build folder crawled as if served, with no network."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from linkflow.crawl import JsonProgress, RichProgress, crawl_folder
from linkflow.errors import CrawlError
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, page, settings
from tests.crawl.test_crawl import pages_by_url, rows

BASE = "https://docs.example.com/"


def build(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def test_maps_files_to_urls_and_records_missing_ones(tmp_path: Path, store: Store) -> None:
    site = build(
        tmp_path / "public",
        {
            "index.html": page("Home", "/about/", "/guide", "blog/post.html", "/gone", "/img.png"),
            "about/index.html": page("About", "/", "/about"),
            "guide.html": page("Guide (clean URL)"),
            "blog/post.html": page("Post", "../about/"),
            "img.png": b"\x89PNG\r\n\x1a\n",
            "orphan/index.html": page("Nobody links here"),
            "robots.txt": "User-agent: *\nDisallow: /private/\n",
            "private/x.html": page("Private"),
        },
    )
    summary = crawl_folder(store, site, BASE, settings(), EXTRACT)
    got = pages_by_url(store)
    expect = {
        BASE: 200,
        BASE + "about/": 200,
        BASE + "about": 301,
        BASE + "guide": 200,
        BASE + "blog/post.html": 200,
        BASE + "gone": 404,
        BASE + "img.png": 200,
        BASE + "orphan/": 200,
        BASE + "private/x.html": None,
    }
    assert {u: r["status"] for u, r in got.items()} == expect
    assert got[BASE + "guide"]["title"] == "Guide (clean URL)"
    assert got[BASE + "img.png"]["content_type"] == "image/png"
    assert got[BASE + "orphan/"]["depth"] is None  # reached by no link
    assert got[BASE + "about/"]["depth"] == 1
    assert got[BASE + "private/x.html"]["error"] == "blocked by robots.txt"
    assert summary.by_status[404] == 1
    assert store.crawl_info(summary.crawl_id)["source"] == "folder"


def test_reads_sitemaps_in_the_folder(tmp_path: Path, store: Store) -> None:
    sitemap = (
        f"<urlset><url><loc>{BASE}</loc><lastmod>2024-02-02</lastmod></url>"
        f"<url><loc>{BASE}a.html</loc></url></urlset>"
    )
    site = build(
        tmp_path / "site",
        {
            "index.html": page("Home", "a.html"),
            "a.html": page("A"),
            "sitemap.xml.gz": gzip.compress(sitemap.encode()),
            "robots.txt": f"Sitemap: {BASE}sitemap.xml.gz\n",
        },
    )
    summary = crawl_folder(store, site, BASE, settings(), EXTRACT)
    listed = rows(
        store,
        "SELECT u.url, s.lastmod FROM sitemap_urls s JOIN urls u ON u.id = s.url_id "
        f"WHERE crawl_id = {summary.crawl_id} ORDER BY u.url",
    )
    assert listed == [
        {"url": BASE, "lastmod": "2024-02-02"},
        {"url": BASE + "a.html", "lastmod": None},
    ]


def test_never_reads_outside_the_folder(tmp_path: Path, store: Store) -> None:
    (tmp_path / "secret.html").write_text(page("Secret"))
    site = build(
        tmp_path / "site", {"index.html": page("Home", "/../secret.html", "/%2e%2e/secret.html")}
    )
    crawl_folder(store, site, BASE, settings(), EXTRACT)
    got = pages_by_url(store)
    assert all(r["title"] != "Secret" for r in got.values())


def test_site_under_a_path_prefix(tmp_path: Path, store: Store) -> None:
    base = "https://example.com/docs/"
    site = build(tmp_path / "site", {"index.html": page("Docs", "intro/", "/elsewhere/")})
    build(site, {"intro/index.html": page("Intro")})
    crawl_folder(store, site, base, settings(), EXTRACT)
    got = {u: r["status"] for u, r in pages_by_url(store).items()}
    assert got == {base: 200, base + "intro/": 200, "https://example.com/elsewhere/": None}
    outside = pages_by_url(store)["https://example.com/elsewhere/"]
    assert outside["error"] == "outside the build folder; not checked"


def test_missing_folder_and_bad_base_url(tmp_path: Path, store: Store) -> None:
    with pytest.raises(CrawlError, match="not a folder"):
        crawl_folder(store, tmp_path / "nope", BASE, settings(), EXTRACT)
    with pytest.raises(CrawlError, match="base URL"):
        crawl_folder(store, tmp_path, "docs", settings(), EXTRACT)


def test_json_progress_reports_start_progress_and_finish(tmp_path: Path, store: Store) -> None:
    site = build(tmp_path / "site", {"index.html": page("Home", "a.html"), "a.html": page("A")})
    stream = io.StringIO()
    crawl_folder(store, site, BASE, settings(), EXTRACT, progress=JsonProgress(stream))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert events[0]["event"] == "crawl_start"
    stages = [e["stage"] for e in events if e["event"] == "crawl_stage"]
    assert stages == ["store", "templates"]
    assert events[-1]["event"] == "crawl_finish"
    assert events[-1]["pages"] == 2
    assert events[-1]["by_status"] == {"200": 2}


def test_rich_progress_prints_the_summary(tmp_path: Path, store: Store) -> None:
    site = build(tmp_path / "site", {"index.html": page("Home", "a.html", "gone.html")})
    build(site, {"a.html": page("A")})
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False)
    crawl_folder(store, site, BASE, settings(), EXTRACT, progress=RichProgress(console))
    text = out.getvalue()
    assert "Starting crawl 1" in text
    assert "status 200" in text
    assert "status 404" in text
    assert str(store.path) in text


def test_symbolic_links_are_followed_only_within_the_folder(tmp_path: Path) -> None:
    from linkflow.crawl.folder import FolderFetcher

    (tmp_path / "outside.html").write_text("secret")
    site = build(tmp_path / "site", {"docs/a.html": "a", "real/b.html": "b"})
    (site / "docs" / "link.html").symlink_to(site / "real" / "b.html")
    (site / "docs" / "escape.html").symlink_to(tmp_path / "outside.html")
    (site / "alias").symlink_to(site / "real", target_is_directory=True)
    (site / "away").symlink_to(tmp_path, target_is_directory=True)
    (site / "loop.html").symlink_to(site / "loop.html")
    fetcher = FolderFetcher(site, BASE, max_bytes=1000)
    real = site.resolve()

    def resolve(rel: str) -> Path | None:
        found = fetcher._resolve(rel)
        if found is None:
            return None
        path, facts = found
        assert facts is not None  # and what the file is:
        assert facts.st_ino == Path(path).stat().st_ino
        return Path(path)

    for _ in range(2):  # the second time from the directories already resolved
        assert resolve("docs/a.html") == real / "docs" / "a.html"
        assert resolve("docs/link.html") == real / "real" / "b.html"
        assert resolve("alias/b.html") == real / "real" / "b.html"
        assert resolve("docs/../real/b.html") == real / "real" / "b.html"
        assert resolve("docs/") == real / "docs"
        assert resolve("") == real
        assert resolve("docs/escape.html") is None
        assert resolve("away/outside.html") is None
        assert resolve("../outside.html") is None
        assert resolve("/etc/passwd") is None
    assert fetcher._answer(BASE + "loop.html").status == 404  # a link loop is no page
    assert fetcher._answer(BASE + "docs/link.html").body == b"b"


def test_lists_every_html_file_once_in_path_order(tmp_path: Path) -> None:
    """The files the crawl adds once no link is left to follow: what ``Path.rglob`` lists
    (links to files count, links to folders are not entered), in its order."""
    from linkflow.crawl.folder import folder_urls

    site = build(
        tmp_path / "site",
        {
            "index.html": "",
            "a/x.html": "",
            "a/index.html": "",
            "a-b/x.html": "",  # "a-b" < "a/" as text, but "a" < "a-b" as a path component
            "B.HTM": "",
            "c.htm": "",
            "d.html.bak": "",
            ".html": "",  # a dotfile, no suffix
            "e.": "",
            "f.html.html": "",
            "dir.html/index.html": "",  # a folder named like a page is no page
            "sp ace.html": "",
            "real/z.html": "",
        },
    )
    (site / "alias").symlink_to(site / "real", target_is_directory=True)
    (site / "link.html").symlink_to(site / "a" / "x.html")
    (site / "broken.html").symlink_to(site / "missing.html")
    base = "https://docs.example.com/v1"
    got = folder_urls(site, base)
    b = base + "/"
    assert got == [
        (b + "B.HTM", b + "B.HTM", b + "B"),
        (b + "a/", b + "a/index.html", b + "a/index"),
        (b + "a/x.html", b + "a/x.html", b + "a/x"),
        (b + "a-b/x.html", b + "a-b/x.html", b + "a-b/x"),
        (b + "c.htm", b + "c.htm", b + "c"),
        (b + "dir.html/", b + "dir.html/index.html", b + "dir.html/index"),
        (b + "f.html.html", b + "f.html.html", b + "f.html"),
        (b, b + "index.html", b + "index"),
        (b + "link.html", b + "link.html", b + "link"),
        (b + "real/z.html", b + "real/z.html", b + "real/z"),
        (b + "sp ace.html", b + "sp ace.html", b + "sp ace"),
    ]
    reference = [
        p.relative_to(site).as_posix()
        for p in sorted(site.rglob("*"))
        if p.suffix.lower() in (".html", ".htm") and p.is_file()
    ]
    assert [urls[1][len(b) :] for urls in got] == reference


def test_a_file_is_read_whole_up_to_the_body_limit(tmp_path: Path) -> None:
    """Files are read by their size: one of the limit's size is a page, one byte more is
    cut off with the error an HTTP body of that size gets, an empty file is an empty page."""
    from linkflow.crawl.folder import FolderFetcher

    limit = 1000
    site = build(
        tmp_path / "site",
        {"at.html": "a" * limit, "over.html": "b" * (limit + 1), "empty.html": ""},
    )
    fetcher = FolderFetcher(site, BASE, max_bytes=limit)
    at = fetcher._answer(BASE + "at.html")
    assert (at.status, at.error, at.body, at.raw_bytes) == (200, None, b"a" * limit, limit)
    over = fetcher._answer(BASE + "over.html")
    assert (over.status, over.error) == (200, f"body too large: cut at {limit} bytes")
    assert over.raw_bytes == limit + 1
    empty = fetcher._answer(BASE + "empty.html")
    assert (empty.status, empty.error, empty.body) == (200, None, b"")
    assert fetcher._answer(BASE + "nothing.html").status == 404
    # A file that grew after its size was taken is still read whole, up to the limit.
    grown = fetcher._file(BASE + "at.html", site / "at.html", size=10)
    assert (grown.error, grown.body) == (None, b"a" * limit)
    grown_over = fetcher._file(BASE + "over.html", site / "over.html", size=10)
    assert grown_over.error == f"body too large: cut at {limit} bytes"


def test_a_file_that_cannot_be_read_is_a_page_error_and_a_vanished_one_a_404(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build file deleted between its check and its read is a missing page; one the
    crawl may not read is stored with the system's reason, not as an internal error, and
    the crawl goes on."""
    import builtins

    from linkflow.crawl.folder import FolderFetcher

    site = build(
        tmp_path / "site",
        {
            "index.html": '<a href="locked.html">x</a> <a href="ok.html">y</a>',
            "locked.html": "<p>locked</p>",
            "ok.html": "<p>ok</p>",
        },
    )
    fetcher = FolderFetcher(site, BASE, max_bytes=1000)
    gone = fetcher._file(BASE + "gone.html", site / "gone.html", size=10)
    assert (gone.status, gone.error, gone.body) == (404, None, b"")
    # Root reads any file whatever its mode (as the test machines run): the refusal the
    # system gives anyone else is made by the opening itself.
    locked = str(site / "locked.html")
    real_open = builtins.open

    def refusing_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", refusing_open)
    refused = fetcher._answer(BASE + "locked.html")
    assert (refused.status, refused.body) == (None, b"")
    assert refused.error == "cannot read the file (Permission denied): make it readable"
    assert fetcher._answer(BASE + "ok.html").status == 200
