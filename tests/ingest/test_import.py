"""Round trips: each fixture imported into a real store, values checked against the file."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from linkflow.errors import ImportFormatError
from linkflow.ingest import import_file
from linkflow.settings import TRACKING_PARAMS, IngestSettings
from linkflow.store import Store
from tests.ingest.conftest import ORIGIN, export


def rows(store: Store, table: str, order: str) -> list[dict[str, object]]:
    return store.read(table).sort_by(order).to_pylist()


def test_ahrefs_utf16_backlinks(store: Store) -> None:
    result = import_file(store, export("ahrefs_backlinks.csv"))
    assert (result.rows, result.rejected) == (6, 0)
    got = {r["source_url"]: r for r in rows(store, "backlinks", "source_url")}
    forum = got["https://forum.diy-talk.net/t/123"]
    assert forum["domain_authority"] == 0.4  # decimal DR kept
    assert forum["source_authority"] == 1.0
    assert forum["nofollow"]
    assert forum["ugc"]
    assert forum["lost"]
    assert forum["lang"] == "sv, en"
    assert forum["source_domain"] == "diy-talk.net"
    directory = got["https://links.cheap-dir.xyz/garden"]
    assert directory["sponsored"]
    assert not directory["nofollow"]
    assert not directory["lost"]
    assert directory["anchor"] == "https://www.example.com/moved"
    image = got["https://news.example.org/reviews/sheds"]
    assert image["is_image"]
    assert image["anchor"] == ""  # Ahrefs gives anchors: this link has none (not unknown)
    assert image["source_host"] == "news.example.org"
    assert image["source_domain"] == "example.org"
    assert str(got["https://blog.gardenia.org/best-sheds"]["first_seen"]) == "2025-01-10 08:00:00"
    # every target of the site got a URL id, also the ones never crawled
    targets = {r["target_url"]: r["target_url_id"] for r in got.values()}
    assert None not in targets.values()
    assert store.urls_by_id([targets["https://www.example.com/old-page"]]) == [
        "https://www.example.com/old-page"
    ]


def test_import_row_records_file_hash_and_format(store: Store) -> None:
    result = import_file(store, export("semrush_backlinks.csv"))
    row = store.read("imports", id=result.import_id).to_pylist()[0]
    assert (row["provider"], row["report"], row["kind"], row["site"]) == (
        "semrush", "backlinks", "backlinks", "self",
    )  # fmt: skip
    assert len(row["sha256"]) == 64
    assert row["path"].endswith("semrush_backlinks.csv")
    assert (row["rows"], row["rejected"]) == (3, 1)
    assert json.loads(row["rejects"]) == [
        {"line": 4, "reason": "linking or target page is not an http(s) URL", "value": "not a url"}
    ]


def test_semrush_traps(store: Store) -> None:
    import_file(store, export("semrush_backlinks.csv"))
    got = {r["source_url"]: r for r in rows(store, "backlinks", "source_url")}
    huts = got["https://huts.example.co.uk/list"]  # encoded NBSP at the end removed
    assert huts["anchor"] == "DealCheck, sheds"  # quoted anchor with a comma
    assert huts["source_authority"] == 33.0
    assert huts["source_domain"] == "example.co.uk"
    assert got["https://partner.example.info/"]["sitewide"] is True
    assert got["https://partner.example.info/"]["anchor"] == "example & co"  # entity decoded


def test_semicolon_export_of_a_competitor(store: Store) -> None:
    import_file(store, export("semrush_backlinks_12_semicolon.csv"), site="rival")
    got = rows(store, "backlinks", "source_url")
    assert [r["target_url"] for r in got] == ["https://rival.example.net/x",
                                              "https://rival.example.net/"]  # fmt: skip
    assert all(r["target_url_id"] is None for r in got)  # no ids for a competitor's pages
    assert store.count("urls") == 0


def test_reimport_of_the_same_file_replaces_it(store: Store, tmp_path: Path) -> None:
    first = import_file(store, export("ahrefs_backlinks.csv"))
    copy = tmp_path / "renamed.csv"
    shutil.copy(export("ahrefs_backlinks.csv"), copy)
    second = import_file(store, copy)
    assert second.import_id == first.import_id
    assert store.count("backlinks") == 6
    assert store.count("imports") == 1
    import_file(store, export("ahrefs_backlinks.csv"), site="rival")  # other site: kept apart
    assert store.count("backlinks") == 12
    assert store.count("imports") == 2


def test_majestic_web_and_gzip_api(store: Store) -> None:
    import_file(store, export("majestic_backlinks.csv"))
    import_file(store, export("majestic_api.csv.gz"))
    got = rows(store, "backlinks", "source_url")
    news = next(r for r in got if r["source_url"] == "https://news.example.org/reviews/sheds")
    assert news["is_image"]
    assert news["source_authority"] == 39.0
    forum = next(r for r in got if r["source_url"] == "https://forum.diy-talk.net/t/9")
    assert forum["nofollow"]
    assert forum["lost"]
    assert str(forum["lost_at"]) == "2025-12-01 00:00:00"


def test_moz_link_type_and_spam_score(store: Store) -> None:
    import_file(store, export("moz_links.csv"))
    got = {r["source_url"]: r for r in rows(store, "backlinks", "source_url")}
    weak = got["https://links.cheap-dir.xyz/garden"]
    assert weak["nofollow"]
    assert weak["spam_score"] == 65.0
    assert weak["domain_authority"] == 3.0
    assert not got["https://blog.gardenia.org/best-sheds"]["nofollow"]


def test_gsc_link_exports(store: Store) -> None:
    import_file(store, export("gsc_latest_links.csv"))
    got = rows(store, "backlinks", "source_url")
    assert [str(r["last_seen"]) for r in got] == [
        "2025-09-15 00:00:00", "2025-12-30 00:00:00", "2025-11-29 00:00:00",
    ]  # fmt: skip
    assert {r["target_url"] for r in got} == {""}  # GSC names no target
    import_file(store, export("gsc_top_linking_sites.csv"))
    sites = {r["domain"]: r for r in rows(store, "domain_counts", "domain")}
    assert sites["example.edu"]["pages"] == 1240.0  # "1,240" and host → registrable domain
    import_file(store, export("gsc_top_target_pages.csv"))
    counts = {r["url"]: r for r in rows(store, "backlink_counts", "url")}
    assert counts["https://www.example.com/"]["links"] == 447667.0
    assert counts["https://www.example.com/sheds/"]["domains"] == 3.0


@pytest.mark.parametrize("name", ["gsc_pages.csv", "gsc_performance.zip"])
def test_gsc_pages_aggregate_duplicates(store: Store, name: str) -> None:
    import_file(store, export(name))
    got = {r["url"]: r for r in rows(store, "traffic", "url")}
    gravel = got[ORIGIN + "/can-you-put-a-shed-on-gravel"]
    assert (gravel["clicks"], gravel["impressions"]) == (40.0, 4000.0)
    assert math.isclose(gravel["ctr"], 0.01)
    assert math.isclose(gravel["position"], (1000 * 8 + 3000 * 12) / 4000)
    assert ORIGIN + "/sheds-with-and-without%22" in got  # literal quote re-encoded
    assert math.isclose(got[ORIGIN + "/sheds/"]["ctr"], 0.03)
    assert len(got) == 4
    assert all(r["url_id"] is not None for r in got.values())


def test_gsc_queries(store: Store) -> None:
    import_file(store, export("gsc_queries.csv"))
    got = {r["query"]: r for r in rows(store, "queries", "query")}
    assert got["shed on gravel"]["clicks"] == 40.0
    assert got["shed on gravel"]["position"] == 9.75


def test_looker_fraction_ctr(store: Store) -> None:
    import_file(store, export("looker_pages.csv"))
    got = {r["url"]: r for r in rows(store, "traffic", "url")}
    assert math.isclose(got[ORIGIN + "/sheds/"]["ctr"], 118 / 3950)
    assert ORIGIN + "/can-you-put-a-shed-on-gravel" in got  # empty trailing "?" dropped


def test_ga4_paths_join_the_site_origin_and_lose_tracking(store: Store) -> None:
    import_file(store, export("ga4_report.csv"), site_origin=ORIGIN, strip_params=TRACKING_PARAMS)
    got = {r["url"]: r for r in rows(store, "traffic", "url")}
    assert set(got) == {ORIGIN + "/sheds/", ORIGIN + "/orphan-guide"}
    assert got[ORIGIN + "/sheds/"]["sessions"] == 610.0 + 9.0
    assert got[ORIGIN + "/sheds/"]["views"] == 910.0


def test_ga4_origin_comes_from_the_crawl(store: Store) -> None:
    store.new_crawl(source="http", seeds=[ORIGIN + "/start"], settings={})
    result = import_file(store, export("ga4_exploration.csv"))
    assert (result.rows, result.rejected) == (2, 0)  # "Grand total" row dropped
    got = {r["url"]: r["sessions"] for r in rows(store, "traffic", "url")}
    assert got == {ORIGIN + "/": 980.0, ORIGIN + "/sheds/?hsa_acc=123": 820.0}


def test_ga4_without_origin_is_an_error(store: Store) -> None:
    with pytest.raises(ImportFormatError, match="page paths"):
        import_file(store, export("ga4_report.csv"))
    assert store.count("imports") == 0
    assert store.count("traffic") == 0


def test_ahrefs_other_reports(store: Store) -> None:
    import_file(store, export("ahrefs_refdomains.csv"))
    spam = {r["domain"]: r for r in rows(store, "domain_counts", "domain")}
    assert spam["cheap-dir.xyz"]["is_spam"]
    assert spam["diy-talk.net"]["authority"] == 0.4
    assert str(spam["diy-talk.net"]["lost_at"]) == "2025-12-01 00:00:00"
    scores = {r["domain"]: r["score"] for r in rows(store, "domain_authority", "domain")}
    assert scores == {"cheap-dir.xyz": 2.0, "diy-talk.net": 0.4, "gardenia.org": 54.0}
    import_file(store, export("ahrefs_best_by_links.csv"))
    bbl = {r["url"]: r for r in rows(store, "backlink_counts", "url")}
    assert bbl[ORIGIN + "/sheds/"]["top_authority"] == 54.0
    assert bbl[ORIGIN + "/sheds/"]["nofollow"] == 1
    import_file(store, export("ahrefs_top_pages.csv"))
    assert {r["url"]: r["clicks"] for r in rows(store, "traffic", "url")} == {
        ORIGIN + "/": 1200.0, ORIGIN + "/sheds/": 340.0,
    }  # fmt: skip


def test_authority_lists_on_one_scale(store: Store) -> None:
    for name in ("cc_domain_ranks.txt.gz", "tranco.csv", "domcop.csv", "majestic_million.csv"):
        import_file(store, export(name))
    got = {
        (r["source"], r["domain"]): r["score"] for r in rows(store, "domain_authority", "domain")
    }
    assert got[("commoncrawl", "facebook.com")] == 100.0  # reversed host name, rank 1
    assert math.isclose(
        got[("commoncrawl", "gardenia.org")], 100 * (1 - math.log(15000) / math.log(1e8))
    )
    assert math.isclose(got[("tranco", "gardenia.org")], 50.0)  # rank 1,000 of a million
    assert math.isclose(got[("majestic", "gardenia.org")], 50.0)
    assert math.isclose(got[("domcop", "gardenia.org")], 51.2)  # hosts collapse to the best
    assert got[("domcop", "googleapis.com")] == 100.0


def test_generic_column_map(store: Store) -> None:
    settings = IngestSettings(
        column_map=("source_url=Linking URL", "target_url=My page", "anchor=Link text",
                    "source_authority=Score"),
    )  # fmt: skip
    result = import_file(store, export("generic_backlinks.csv"), settings=settings)
    assert (result.format.provider, result.rows) == ("generic", 1)
    row = store.read("backlinks").to_pylist()[0]
    assert (row["source_url"], row["anchor"], row["source_authority"]) == (
        "https://custom.example.org/p", "sheds", 40.0,
    )  # fmt: skip


def test_bing_and_legacy_ahrefs(store: Store) -> None:
    import_file(store, export("bing_backlinks.csv"))
    import_file(store, export("ahrefs_backlinks_legacy.csv"))
    got = {r["source_url"]: r for r in rows(store, "backlinks", "source_url")}
    assert got["https://bing-only.example.edu/x"]["anchor"] == "Example Ltd"
    legacy = got["http://tiny.site.io/x"]
    assert legacy["nofollow"]
    assert legacy["lost"]
    assert legacy["domain_authority"] == 12.0


def test_a_failed_write_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from linkflow.errors import StoreError

    def broken(*args: object, **kwargs: object) -> int:
        raise StoreError("disk full")

    import linkflow.ingest.importer as importer

    monkeypatch.setattr(importer, "_write", broken)
    with pytest.raises(StoreError):
        import_file(store, export("ahrefs_backlinks.csv"))
    assert store.count("imports") == 0
    assert store.count("urls") == 0
    monkeypatch.undo()
    import_file(store, export("ahrefs_backlinks.csv"))  # the URL id cache is still right
    assert store.count("urls") == store.scalar("SELECT count(DISTINCT url) FROM urls")


def test_blank_linking_page_is_rejected_not_dropped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("Linking page,Last crawled\nhttps://a.org/,2025-01-01\n,2025-01-02\n")
    result = import_file(store, path)
    assert (result.rows, result.rejected) == (2, 1)
    assert result.rejects[0]["line"] == 3


def test_reject_lines_count_rows_the_parser_skipped(store: Store, tmp_path: Path) -> None:
    text = export("ga4_exploration.csv").read_text(encoding="utf-8")
    path = tmp_path / "ga4.csv"
    path.write_text(text + "https://other.example.org:99999/x,1,1,1\n", encoding="utf-8")
    result = import_file(store, path, site_origin=ORIGIN)
    lines = text.count("\n")
    assert (result.rows, result.rejected) == (3, 1)
    assert result.rejects[0]["line"] == lines + 1  # after the header, Grand total and 2 rows
