"""The backlink profile over real imports in a real store: capped authority, dedup across
providers, findings for broken and redirected targets, page_metrics, gap, spam, velocity."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.analyses import backlinks_profile as profile_sql
from linkflow.analyses.backlinks import BacklinkSummary, analyse_backlinks
from linkflow.analyses.backlinks_profile import PROFILE_TABLES
from linkflow.analyses.findings_text import SEVERITY
from linkflow.ingest import import_file
from linkflow.models import ANCHOR_CLASSES
from linkflow.settings import IngestSettings, Settings
from linkflow.store import Store

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
SITE = "https://www.example.com"
COLUMNS = (
    "source_url=From", "target_url=To", "anchor=Text", "domain_authority=DA", "nofollow=NF",
    "first_seen=First", "lost_at=Lost",
)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


def write_links(tmp_path: Path, name: str, rows: list[tuple[str, ...]]) -> Path:
    """A generic export: From, To, Text, DA, NF, First, Lost."""
    path = tmp_path / name
    lines = ["From,To,Text,DA,NF,First,Lost"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def link(src: str, dst: str, da: str = "10", *, anchor: str = "x", nf: str = "false",
         first: str = "2025-01-05", lost: str = "") -> tuple[str, ...]:  # fmt: skip
    return (src, SITE + dst, anchor, da, nf, first, lost)


def import_generic(store: Store, path: Path, site: str = "self") -> None:
    import_file(store, path, settings=IngestSettings(column_map=COLUMNS), site=site)


def targets(store: Store) -> dict[str, dict[str, object]]:
    return {r["url"]: r for r in store.read("backlink_targets").to_pylist()}


@pytest.mark.parametrize(("cap", "expected"), [(3, 3 * 5 + 60), (1, 5 + 60), (100, 50 * 5 + 60)])
def test_domain_cap_limits_one_weak_site(
    store: Store, tmp_path: Path, cap: int, expected: float
) -> None:
    rows = [link(f"https://weak.example.net/p{i}", "/a", "5") for i in range(50)]
    rows.append(link("https://strong.example.org/", "/a", "60"))
    import_generic(store, write_links(tmp_path, "links.csv", rows))
    settings = Settings(ingest=IngestSettings(domain_cap=cap))
    summary = analyse_backlinks(store, None, settings)
    a = targets(store)[SITE + "/a"]
    assert math.isclose(a["authority"], expected)
    assert (a["backlinks"], a["referring_domains"], a["followed_domains"]) == (51, 2, 2)
    assert (summary.backlinks, summary.referring_domains, summary.targets) == (51, 2, 1)


def test_nofollow_and_lost_links_carry_no_authority(store: Store, tmp_path: Path) -> None:
    rows = [
        link("https://alpha.org/", "/x", "50", nf="true"),
        link("https://beta.org/", "/x", "40", lost="2025-06-01"),
        link("https://gamma.org/", "/x", "30"),
    ]
    import_generic(store, write_links(tmp_path, "l.csv", rows))
    analyse_backlinks(store, None, Settings())
    x = targets(store)[SITE + "/x"]
    assert x["authority"] == 30.0
    assert (x["backlinks"], x["referring_domains"], x["followed_domains"]) == (3, 3, 1)
    assert x["lost"] is False


def test_one_link_seen_by_several_providers_counts_once(store: Store) -> None:
    import_file(store, EXPORTS / "ahrefs_backlinks.csv")
    import_file(store, EXPORTS / "majestic_backlinks.csv")
    analyse_backlinks(store, None, Settings())
    domains = {r["domain"]: r for r in store.read("referring_domains").to_pylist()}
    gardenia = domains["gardenia.org"]
    assert gardenia["providers"] == "ahrefs,majestic"
    assert gardenia["backlinks"] == 2  # best-sheds (both tools) + tools?ref=nav (Ahrefs)
    sheds = targets(store)[SITE + "/sheds/"]
    assert sheds["backlinks"] == 2
    # the domain's best link counts with its Ahrefs DR (54), the second with its DR too
    assert sheds["authority"] == 54.0 + 54.0


def test_findings_and_page_metrics_for_a_crawl(store: Store, tmp_path: Path) -> None:
    crawl = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    urls = [SITE + p for p in ("/", "/gone", "/old", "/new", "/quiet")]
    home, gone, old, new, quiet = store.url_ids(urls)
    store.append("pages", {
        "crawl_id": [crawl] * 4, "url_id": [home, gone, old, new],
        "status": [200, 410, 301, 200], "redirect_url_id": [None, None, new, None],
    })  # fmt: skip
    store.append("page_metrics", {"crawl_id": [crawl] * 5, "url_id": [home, gone, old, new, quiet],
                                  "url": urls})  # fmt: skip
    rows = [
        link("https://a.example.org/1", "/gone", "40"),
        link("https://beta.org/1", "/gone", "20"),
        link("https://a.example.org/2", "/old", "40"),
        link("https://gamma.org/", "/", "70"),
    ]
    import_generic(store, write_links(tmp_path, "l.csv", rows))
    import_file(store, EXPORTS / "gsc_pages.csv")  # no traffic for these paths
    traffic = tmp_path / "Pages.csv"
    traffic.write_text(f"Top pages,Clicks,Impressions,CTR,Position\n{SITE}/quiet,9,300,3%,4\n")
    import_file(store, traffic)
    summary = analyse_backlinks(store, crawl, Settings())
    assert (summary.broken_targets, summary.redirected_targets) == (1, 1)
    found = {r["kind"]: r for r in store.read("findings", crawl_id=crawl).to_pylist()}
    assert set(found) == {"backlink-to-broken", "backlink-to-redirect"}
    assert found["backlink-to-broken"]["url"] == SITE + "/gone"
    assert "410" in found["backlink-to-broken"]["detail"]
    assert found["backlink-to-broken"]["value"] == 60.0
    assert SITE + "/new" in found["backlink-to-redirect"]["detail"]
    assert found["backlink-to-redirect"]["url_id"] == old
    assert {k: f["severity"] for k, f in found.items()} == {k: SEVERITY[k] for k in found}
    metrics = {r["url"]: r for r in store.read("page_metrics", crawl_id=crawl).to_pylist()}
    assert (metrics[SITE + "/gone"]["backlinks"], metrics[SITE + "/gone"]["referring_domains"]) == (
        2,
        2,
    )
    assert metrics[SITE + "/"]["external_authority"] == 70.0
    assert metrics[SITE + "/new"]["backlinks"] == 0
    assert (metrics[SITE + "/quiet"]["clicks"], metrics[SITE + "/quiet"]["impressions"]) == (
        9.0,
        300.0,
    )
    # running again replaces, never duplicates
    analyse_backlinks(store, crawl, Settings())
    assert store.count("findings", crawl_id=crawl) == 2
    assert store.count("backlink_targets") == 3


def test_competitor_gap(store: Store, tmp_path: Path) -> None:
    import_generic(
        store, write_links(tmp_path, "self.csv", [link("https://both.example.org/", "/")])
    )
    rival = [
        ("https://both.example.org/r", "https://rival.example.net/", "r", "30", "false", "", ""),
        ("https://only.example.com.au/", "https://rival.example.net/", "r", "25", "false", "", ""),
        ("https://strong.example.io/", "https://rival.example.net/", "r", "80", "false", "", ""),
        ("https://only.example.com.au/", "https://third.example.net/", "r", "25", "false", "", ""),
        ("https://nf.example.io/", "https://third.example.net/", "r", "90", "true", "", ""),
    ]  # fmt: skip
    import_generic(store, write_links(tmp_path, "rival.csv", rival[:3]), site="rival")
    import_generic(store, write_links(tmp_path, "third.csv", rival[3:]), site="third")
    summary = analyse_backlinks(store, None, Settings())
    gap = store.read("link_gap").sort_by("rank").to_pylist()
    assert [(g["domain"], g["competitors"], g["sites"]) for g in gap] == [
        ("example.com.au", 2, "rival,third"), ("example.io", 1, "rival"),
    ]  # fmt: skip
    assert summary.gap_domains == 2


def test_spam_flags_say_why(store: Store) -> None:
    import_file(store, EXPORTS / "ahrefs_backlinks.csv")
    import_file(store, EXPORTS / "ahrefs_backlinks_utf8.csv")
    import_file(store, EXPORTS / "moz_links.csv")
    settings = Settings(ingest=IngestSettings(spam_tlds=(".xyz",)))
    summary = analyse_backlinks(store, None, settings)
    flags: dict[str, dict[str, str]] = {}
    for f in store.read("spam_flags").to_pylist():
        flags.setdefault(f["domain"], {})[f["flag"]] = f["why"]
    assert set(flags["cheap-dir.xyz"]) == {"spam-tld", "link-farm", "high-spam-score"}
    assert "450 external links" in flags["cheap-dir.xyz"]["link-farm"]
    assert "65%" in flags["cheap-dir.xyz"]["high-spam-score"]
    assert set(flags["spamfarm.top"]) == {"provider-spam", "keyword-anchors"}
    assert "gardenia.org" in flags
    assert set(flags["gardenia.org"]) == {"link-farm"}
    scores = {r["domain"]: r["spam_score"] for r in store.read("referring_domains").to_pylist()}
    assert scores["cheap-dir.xyz"] == 75.0
    assert scores["example.org"] == 0.0
    assert summary.spam_domains == len(flags)


def test_velocity_and_spread(store: Store, tmp_path: Path) -> None:
    rows = [
        link("https://a.example.org/1", "/", first="2025-01-05"),
        link("https://a.example.org/2", "/", first="2025-01-20", lost="2025-03-02"),
        link("https://b.example.de/", "/", first="2025-03-10"),
    ]
    import_generic(store, write_links(tmp_path, "l.csv", rows))
    analyse_backlinks(store, None, Settings())
    velocity = [(str(r["month"]), r["new_links"], r["lost_links"], r["new_domains"])
                for r in store.read("link_velocity").sort_by("month").to_pylist()]  # fmt: skip
    assert velocity == [("2025-01-01", 2, 0, 1), ("2025-03-01", 1, 1, 1)]
    spread = {(r["dimension"], r["value"]): (r["domains"], r["backlinks"])
              for r in store.read("backlink_spread").to_pylist()}  # fmt: skip
    assert spread == {("tld", "org"): (1, 2), ("tld", "de"): (1, 1)}


def test_anchor_profile_per_target(store: Store, tmp_path: Path) -> None:
    rows = [
        link("https://a.example.org/", "/garden-sheds/", anchor="garden sheds"),
        link("https://b.example.org/", "/garden-sheds/", anchor="click here"),
        link("https://c.example.org/", "/garden-sheds/", anchor="Example Ltd"),
        link("https://d.example.org/", "/garden-sheds/", anchor="www.example.com"),
    ]
    import_generic(store, write_links(tmp_path, "l.csv", rows))
    summary = analyse_backlinks(store, None, Settings())
    profile = {r["anchor_class"]: r for r in store.read("anchor_profile").to_pylist()}
    assert set(profile) == {"exact", "generic", "branded", "naked_url"}
    assert all(r["share"] == 0.25 and r["url"] == SITE + "/garden-sheds/" for r in profile.values())
    assert set(summary.anchors) <= set(ANCHOR_CLASSES)


def test_empty_store_gives_an_empty_profile(store: Store) -> None:
    summary = analyse_backlinks(store, None, Settings())
    assert (summary.backlinks, summary.referring_domains, summary.anchors) == (0, 0, {})


def test_backlink_findings_take_their_severity_from_the_one_table(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    gone, old, new = store.url_ids([SITE + p for p in ("/gone", "/old", "/new")])
    store.append("pages", {
        "crawl_id": [crawl] * 3, "url_id": [gone, old, new], "status": [404, 301, 200],
        "redirect_url_id": [None, new, None],
    })  # fmt: skip
    rows = [link("https://a.example.org/1", "/gone"), link("https://a.example.org/2", "/old")]
    import_generic(store, write_links(tmp_path, "l.csv", rows))
    monkeypatch.setitem(SEVERITY, "backlink-to-broken", "critical")
    monkeypatch.setitem(SEVERITY, "backlink-to-redirect", "info")
    analyse_backlinks(store, crawl, Settings())
    found = {r["kind"]: r["severity"] for r in store.read("findings", crawl_id=crawl).to_pylist()}
    assert found == {"backlink-to-broken": "critical", "backlink-to-redirect": "info"}


def _headline_counts(store: Store) -> dict[str, object]:
    """The backlink count as every consumer shows it: the analysis summary, its anchor
    classes, the report's overview, anchor table and velocity chart, the CLI summary."""
    from linkflow.report import queries
    from linkflow.report.summary import audit_summary

    summary = analyse_backlinks(store, None, Settings())
    crawl = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    return {
        "summary": summary.backlinks,
        "anchor classes": sum(summary.anchors.values()),
        "report": queries.backlink_overview(store)["backlinks"],
        "velocity": sum(m["new"] for m in queries.link_velocity(store)),
        "cli": audit_summary(store, crawl)["backlinks"],
        "anchors": queries.top_anchors(store, 100),
        "classes": summary.anchors,
        "providers": summary.providers,
    }


def test_demo_backlinks_seen_by_ahrefs_and_search_console_count_once(store: Store) -> None:
    # The demo's 67 Search Console "Latest links" rows are linking pages Ahrefs lists too:
    # 75 backlinks, not 142, and no "(empty)" anchor made of Search Console's missing ones.
    from linkflow.demo import demo_exports

    exports = demo_exports()
    for path in exports.values():
        import_file(store, path, site_origin="https://www.greenleaf-landscaping.com")
    assert store.count("backlinks") == 75 + 67  # the providers' rows stay as they were
    got = _headline_counts(store)
    for figure in ("summary", "anchor classes", "report", "velocity", "cli"):
        assert got[figure] == 75, figure
    assert all(a["anchor"] is not None for a in got["anchors"])  # type: ignore[attr-defined]
    assert not {"empty", "unknown"} & set(got["classes"])  # type: ignore[arg-type]
    assert got["providers"] == ["ahrefs", "gsc"]


def test_a_link_without_target_matches_the_links_of_its_page(store: Store, tmp_path: Path) -> None:
    rows = [
        link("https://a.example.org/post", "/sheds/", anchor="sheds", nf="true"),
        link("https://a.example.org/post", "/y", anchor=""),  # a link without text
        link("https://b.example.org/", "/z", anchor="garden"),
    ]
    import_generic(store, write_links(tmp_path, "links.csv", rows))
    gsc = tmp_path / "Latest links.csv"
    gsc.write_text(
        "Linking page,Last crawled\n"
        "https://a.example.org/post,2026-01-02\n"  # both of Ahrefs' links from that page
        "https://c.example.org/only-google,2026-01-03\n"  # a link only Google knows
    )
    import_file(store, gsc)
    got = _headline_counts(store)
    for figure in ("summary", "anchor classes", "report", "cli"):
        assert got[figure] == 4, figure
    assert got["classes"] == {"exact": 1, "empty": 1, "other": 1, "unknown": 1}
    # The unknown anchor is left out of the anchor table; the empty one is there.
    anchors = {a["anchor"]: a["backlinks"] for a in got["anchors"]}  # type: ignore[attr-defined]
    assert anchors == {"sheds": 1, None: 1, "garden": 1}
    edges = {
        (r["source_url"], r["target_url"]): r
        for r in store.query("SELECT * FROM backlink_edges").to_pylist()
    }
    sheds = edges[("https://a.example.org/post", SITE + "/sheds/")]
    assert (sheds["providers"], sheds["nofollow"], str(sheds["last_seen"])) == (
        "generic,gsc",
        True,
        "2026-01-02 00:00:00",
    )  # fmt: skip  Search Console does not say nofollow: it does not outvote the export
    assert edges[("https://c.example.org/only-google", "")]["anchor"] is None
    assert store.count("backlinks") == 5


def _state(store: Store, crawl: int) -> dict[str, object]:
    tables = {t: store.read(t).to_pylist() for t in PROFILE_TABLES}
    tables["findings"] = store.read("findings", crawl_id=crawl).to_pylist()
    tables["page_metrics"] = store.read("page_metrics", crawl_id=crawl).to_pylist()
    return tables


def test_without_imports_the_rebuild_leaves_what_the_full_one_leaves(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing imported the profile is not built, only cleared: every table, finding
    and page_metrics row ends as the full rebuild (forced here) leaves it."""
    crawl = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    urls = [SITE + p for p in ("/", "/gone")]
    home, gone = store.url_ids(urls)
    store.append("pages", {"crawl_id": [crawl] * 2, "url_id": [home, gone], "status": [200, 410]})
    store.append("page_metrics", {"crawl_id": [crawl] * 2, "url_id": [home, gone], "url": urls})
    # a profile and findings from an earlier import, which has since been taken away
    import_generic(store, write_links(tmp_path, "l.csv", [link("https://a.org/1", "/gone")]))
    analyse_backlinks(store, crawl, Settings())
    assert store.count("findings", crawl_id=crawl) == 1
    assert store.count("referring_domains") == 1
    store.execute("DELETE FROM backlinks")
    store.execute("DELETE FROM imports")
    forced = tmp_path / "forced.duckdb"
    store.execute(f"ATTACH '{forced}' AS forced")
    store.execute("COPY FROM DATABASE audit TO forced")
    store.execute("DETACH forced")

    fast = analyse_backlinks(store, crawl, Settings())
    assert fast == BacklinkSummary()
    with Store.open(forced) as other:
        monkeypatch.setattr(profile_sql, "has_imports", lambda _store: True)
        full = analyse_backlinks(other, crawl, Settings())
        assert full == fast
        assert _state(other, crawl) == _state(store, crawl)
    assert store.count("findings", crawl_id=crawl) == 0
    assert {r["backlinks"] for r in store.read("page_metrics").to_pylist()} == {0}
