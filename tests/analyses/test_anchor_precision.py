"""The anchor findings keep to what an SEO would act on: naked URLs are addresses, not dotted
names of code, and anchor-many-targets leaves out anchors that name no topic (numbers,
single characters, navigation labels, section headings, code) and links that only list or
point at API entries (link-directory pages, ``#module.name`` fragments).

Expectations are written by hand from anchors seen on real documentation sites (the Python
and PostgreSQL manuals, the Rust book), each kind in both directions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.analyses.anchors import is_code_identifier, is_naked_url, names_a_topic
from linkflow.analyses.anchors import normalise_anchor as norm
from linkflow.analyses.internal import run_internal
from linkflow.settings import Settings
from linkflow.store import Store
from tests.graph.sitebuilder import Site


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


# ---------------------------------------------------------------------- naked URLs
ADDRESSES = [
    "https://www.postgresql.org/download/",
    "https://docs.python.org/3/",
    "https://www.postgresql.org/message-id/CAJVSV@mail.gmail.com",
    "http://localhost:8000/",
    "www.example.com",
    "WWW.Example.org/shop",
    "postgresql.org",  # a bare host under a common gTLD
    "python.org",
    "nuget.org",
    "Booking.com",  # capitalised as a brand, still an address
    "wsgi.readthedocs.io",
    "crates.io",
    "developer.arm.com",
    "bücher.de",  # a country code, non-ASCII host
    "acme.co.uk",
    "пример.рф",
    "example.com/page",  # a path makes any public suffix an address
    "bit.ly/3xYz",
    "github.com/python/cpython",
    "setup.example.py/download",
    "example.shop:8080",
]

NAMES = [
    "urllib.request",  # dotted names of modules and attributes
    "sys.meta_path",
    "os.path",
    "collections.abc",
    "asyncio.run",  # .run is a gTLD, but a rare one: a function
    "os.name",
    "datetime.date",
    "UUID.int",
    "setup.py",  # country codes that are file extensions
    "README.md",
    "main.rs",
    "install.sh",
    "libpq.so",
    "Makefile.in",
    "diskchecker.pl",
    "Coverage.py",
    "Match.re",
    "tkinter.Tk",  # a top-level label in capitals: a name
    "token.NL",
    "ast.Is",
    "pg_hba.conf",  # an underscore: no host
    "postgresql.conf",
    "standby.signal",
    "G.722",
    "1.2.3",
    "e.g.",
    "co.uk",  # a public suffix alone has no registrable domain
    "example.test/page",  # no public suffix
    "see example.com",
]


@pytest.mark.parametrize("text", ADDRESSES)
def test_addresses_are_naked_urls(text: str) -> None:
    assert is_naked_url(text)


@pytest.mark.parametrize("text", NAMES)
def test_dotted_names_are_not_naked_urls(text: str) -> None:
    assert not is_naked_url(text)


# ---------------------------------------------------------------------- topics
@pytest.mark.parametrize(
    "text", ["Pricing", "garden sheds", "WordPress", "iPhone", "virtual environment", "VACUUM"]
)
def test_descriptive_words_name_a_topic(text: str) -> None:
    assert names_a_topic(text, norm(text))


@pytest.mark.parametrize(
    "text",
    [
        "10", "[29]", "3.11", "x", "A", "§ 3.2",  # no meaning without their context
        "Next", "« Previous", "Up", "Back to top", "Weiter",  # navigation
        "Introduction", "Examples", "Parameters", "See also",  # headings every page has
        "cast()", "Path.read_text()", "__init__", "st_mtime", "--verbose", "$PATH",
        "PyTypeObject", "urllib.request", "std::vec",  # code
    ],
)  # fmt: skip
def test_what_names_no_topic(text: str) -> None:
    assert not names_a_topic(text, norm(text))


def test_code_identifiers() -> None:
    assert is_code_identifier("  os.path ")
    assert not is_code_identifier("os path")
    assert not is_code_identifier("")


# ---------------------------------------------------------------------- anchor-many-targets
def _many(store: Store, site: Site) -> set[str]:
    crawl = site.write(store)
    findings = run_internal(store, crawl, Settings()).findings
    rows = findings.select(["kind", "detail"]).to_pylist()
    return {r["detail"].split('"')[1] for r in rows if r["kind"] == "anchor-many-targets"}


def _article(site: Site, path: str) -> Site:
    """A page of prose with a few links (far from a link directory)."""
    return site.page(path, word_count=400)


def test_a_descriptive_anchor_to_two_pages_is_still_reported(store: Store) -> None:
    site = Site().page("/").page("/a").page("/b")
    _article(site, "/p1").link("/p1", "/a", anchor="Pricing")
    _article(site, "/p2").link("/p2", "/b", anchor="pricing")
    assert _many(store, site) == {"pricing"}


def test_anchors_without_a_topic_are_not_reported(store: Store) -> None:
    site = Site().page("/").page("/a").page("/b")
    for i, text in enumerate(["10", "x", "[29]", "Next", "Examples", "cast()", "os.path"]):
        _article(site, f"/s{i}").link(f"/s{i}", "/a", anchor=text).link(f"/s{i}", "/b", anchor=text)
    _article(site, "/t").link("/t", "/a", anchor="Garden sheds")
    _article(site, "/t").link("/t", "/b", anchor="Garden sheds")
    assert _many(store, site) == {"garden sheds"}


def test_link_directories_are_left_out(store: Store) -> None:
    # An index page: 12 content links whose anchors are all the words of its main content.
    site = Site().page("/").page("/a").page("/b")
    site.page("/genindex", word_count=14)
    for i in range(10):
        site.page(f"/e{i}").link("/genindex", f"/e{i}", anchor=f"Entry {i}")
    site.link("/genindex", "/a", anchor="Pricing").link("/genindex", "/b", anchor="Pricing")
    assert _many(store, site) == set()
    # the same two links in prose are reported
    _article(site, "/essay").link("/essay", "/a", anchor="Pricing")
    _article(site, "/essay").link("/essay", "/b", anchor="Pricing")
    assert _many(store, site) == {"pricing"}


def test_links_to_api_entries_are_left_out(store: Store) -> None:
    site = Site().page("/").page("/queue").page("/asyncio-queue").page("/a").page("/b")
    _article(site, "/p").link("/p", "/queue", anchor="Queue", fragment="queue.Queue")
    _article(site, "/p").link("/p", "/asyncio-queue", anchor="Queue", fragment="asyncio.Queue")
    _article(site, "/p").link("/p", "/a", anchor="Garden sheds", fragment="section-1.2")
    _article(site, "/p").link("/p", "/b", anchor="Garden sheds", fragment="sheds")
    assert _many(store, site) == {"garden sheds"}


def test_target_many_anchors_still_counts_every_descriptive_anchor(store: Store) -> None:
    # The filters above are for anchor-many-targets only: ten anchors that name no topic
    # still make ten different anchors for one target.
    site = Site().page("/").page("/t")
    for i, text in enumerate(["Next", "Examples", "cast()", "os.path", "10", "Up", "Index",
                              "Notes", "__init__", "Overview"]):  # fmt: skip
        _article(site, f"/p{i}").link(f"/p{i}", "/t", anchor=text)
    crawl = site.write(store)
    findings = run_internal(store, crawl, Settings()).findings
    assert "target-many-anchors" in set(findings["kind"].to_pylist())
