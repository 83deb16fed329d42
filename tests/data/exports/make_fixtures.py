"""Write the export fixtures byte for byte as each tool writes them.

Run ``python tests/data/exports/make_fixtures.py`` after changing a fixture here; the files
are committed, so tests never depend on this script. Encodings, BOMs, delimiters, quoting,
preambles and line endings follow research/data-formats.md. The audited site is
``https://www.example.com``; a competitor is ``https://rival.example.net``.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent


def _quote_all(row: list[str], sep: str) -> str:
    return sep.join('"' + c.replace('"', '""') + '"' for c in row)


def _minimal(row: list[str], sep: str) -> str:
    out = []
    for c in row:
        if any(ch in c for ch in (sep, '"', "\n")):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return sep.join(out)


def utf16_tab(rows: list[list[str]]) -> bytes:
    """Ahrefs "for Excel": UTF-16LE with BOM, TAB, every field quoted, LF."""
    text = "".join(_quote_all(r, "\t") + "\n" for r in rows)
    return b"\xff\xfe" + text.encode("utf-16-le")


def utf8(rows: list[list[str]], sep: str = ",", eol: str = "\n", final: bool = True) -> bytes:
    """UTF-8 without BOM, quoting only when needed."""
    lines = [_minimal(r, sep) for r in rows]
    return (eol.join(lines) + (eol if final else "")).encode("utf-8")


AHREFS_HEADER = [
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC", "Sponsored",
    "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen",
    "Last seen", "Lost", "Author", "Links in group",
]  # fmt: skip


def _ahrefs_row(
    title: str,
    src: str,
    lang: str,
    dr: str,
    ur: str,
    ext: str,
    target: str,
    anchor: str,
    typ: str,
    nofollow: str,
    first: str,
    last: str,
    lost: str = "",
    lost_status: str = "",
    sponsored: str = "false",
    ugc: str = "false",
) -> list[str]:
    return [title, src, lang, "wordpress", "200", dr, ur, "1200", "3", "12", ext, "40", "7",
            target, "Read about", anchor, "today.", typ, "true", nofollow, ugc, sponsored, "true",
            "true", lost_status, "", "linkfound", first, last, lost, "", "1"]  # fmt: skip


def ahrefs_backlinks() -> bytes:
    rows = [AHREFS_HEADER,
        _ahrefs_row("Garden blog", "https://blog.gardenia.org/best-sheds", "en", "54", "12.5",
                    "14", "https://www.example.com/sheds/", "wooden sheds", "text", "false",
                    "2025-01-10 08:00:00", "2026-01-02 10:11:12"),
        _ahrefs_row("Garden blog – tools", "https://blog.gardenia.org/tools?ref=nav", "en", "54",
                    "4.7", "120", "https://www.example.com/sheds/", "Example", "text", "false",
                    "2025-02-03 09:00:00", "2026-01-02 10:11:12"),
        _ahrefs_row("Forum thread", "https://forum.diy-talk.net/t/123", "sv, en", "0.4", "1.0",
                    "300", "https://www.example.com/old-page", "click here", "text", "true",
                    "2025-03-01 00:00:00", "2025-11-30 00:00:00", "2025-12-01 00:00:00",
                    "removedfromhtml", ugc="true"),
        _ahrefs_row("Directory", "https://links.cheap-dir.xyz/garden", "", "2", "0", "450",
                    "https://www.example.com/moved", "https://www.example.com/moved", "text",
                    "false", "2025-06-15 12:00:00", "2026-01-01 00:00:00", sponsored="true"),
        _ahrefs_row("Shed review", "https://news.example.org/reviews/sheds", "de", "71", "22",
                    "9", "https://www.example.com/", "", "image", "false",
                    "2025-06-20 12:00:00", "2026-01-01 00:00:00"),
        _ahrefs_row("Shed links", "https://www.shedworld.example/links", "en", "35", "8",
                    "20", "https://www.example.com/old-page", "garden shed guide", "text",
                    "false", "2025-08-01 00:00:00", "2026-01-03 00:00:00"),
    ]  # fmt: skip
    return utf16_tab(rows)


def ahrefs_backlinks_utf8() -> bytes:
    header = [
        "Referring page title",
        "Referring page URL",
        "Language",
        "Domain rating",
        "UR",
        "Target URL",
        "Anchor",
        "Type",
        "Is spam",
        "Content",
        "Nofollow",
        "UGC",
        "Sponsored",
        "First seen",
        "Last seen",
        "Lost",
        "Page type",
        "Page category",
    ]
    rows = [header,
        ["Tools, sheds & more", "https://www.spamfarm.top/a", "en", "1", "0.5",
         "https://www.example.com/sheds/", "best wooden sheds", "text", "true", "false",
         "false", "false", "false", "2025-07-01 00:00:00", "2026-01-01 00:00:00", "",
         "Site page > Services", "Internet > Web services"],
        ["Guide", "https://blog.gardenia.org/best-sheds", "en", "54", "12.5",
         "https://www.example.com/sheds/", "wooden sheds", "text", "false", "true", "false",
         "false", "false", "2025-01-10 08:00:00", "2026-01-02 10:11:12", "", "", ""],
    ]  # fmt: skip
    return utf8(rows)


def ahrefs_legacy() -> bytes:
    header = [
        "#",
        "Total Backlinks",
        "Domain Rating",
        "URL Rating",
        "Referring Domains",
        "Referring Page URL",
        "Referring Page Title",
        "Internal Links Count",
        "External Links Count",
        "Last HTTP Code",
        "Link URL",
        "TextPre",
        "Link Anchor",
        "TextPost",
        "Type",
        "Backlink Status",
        "Found",
        "Language",
        "Traffic",
        "Keywords",
        "Js rendered",
        "Linked Domains",
    ]
    rows = [header,
        ["1", "3", "40", "9", "2", "http://old.gardenia.org/page", "Old page", "20", "5", "200",
         "http://www.example.com/sheds/", "see", "garden sheds", "here", "dofollow", "",
         "2019-05-05", "en", "10", "2", "false", "4"],
        ["2", "1", "12", "3", "1", "http://tiny.site.io/x", "X", "3", "1", "200",
         "http://www.example.com/", "", "example.com", "", "nofollow", "lost",
         "2018-01-01", "en", "0", "0", "false", "1"],
    ]  # fmt: skip
    return _quote_all_lines(rows, ",")


def _quote_all_lines(rows: list[list[str]], sep: str, eol: str = "\n") -> bytes:
    return "".join(_quote_all(r, sep) + eol for r in rows).encode("utf-8")


def ahrefs_refdomains() -> bytes:
    header = [
        "Domain",
        "Is spam",
        "DR",
        "Dofollow ref. domains",
        "Dofollow linked domains",
        "Traffic ",
        "Keywords ",
        "Links to target",
        "New links",
        "Lost links",
        "Dofollow links",
        "First seen",
        "Lost",
    ]
    rows = [header,
        ["gardenia.org", "false", "54", "310", "40", "12000", "800", "2", "0", "0", "2",
         "2025-01-10 08:00:00", ""],
        ["cheap-dir.xyz", "true", "2", "0", "900", "0", "0", "1", "1", "0", "1",
         "2025-06-15 12:00:00", ""],
        ["diy-talk.net", "false", "0.4", "3", "80", "5", "1", "1", "0", "1", "0",
         "2025-03-01 00:00:00", "2025-12-01 00:00:00"],
    ]  # fmt: skip
    return utf16_tab(rows)


def ahrefs_best_by_links() -> bytes:
    header = [
        "Page title",
        "Page URL",
        "Language",
        "Platform",
        "UR",
        "Referring domains",
        "Top DR",
        "Links to target",
        "New Links",
        "Lost Links",
        "Dofollow",
        "Nofollow",
        "Redirects",
        "Page HTTP code",
        "First seen",
        "Last seen",
    ]
    rows = [header,
        ["Sheds", "https://www.example.com/sheds/", "en", "", "18", "2", "54", "3", "0", "0", "2",
         "1", "0", "200", "2025-01-10 08:00:00", "2026-01-02 10:11:12"],
        ["Logo", "https://www.example.com/logo.png", "", "", "", "1", "71", "1", "0", "0", "1",
         "0", "0", "200", "2025-06-20 12:00:00", "2026-01-01 00:00:00"],
    ]  # fmt: skip
    return utf8(rows)


def ahrefs_top_pages() -> bytes:
    header = [
        "URL",
        "UR",
        "Traffic",
        "Traffic value",
        "Referring domains",
        "Keywords",
        "Top keyword",
        "Top keyword: Volume",
        "Top keyword: Position",
    ]
    rows = [header,
        ["https://www.example.com/sheds/", "18", "340", "120", "2", "55", "wooden sheds",
         "2900", "4"],
        ["https://www.example.com/", "25", "1200", "800", "5", "300", "example", "9000", "1"],
    ]  # fmt: skip
    return utf16_tab(rows)


def semrush_backlinks() -> bytes:
    header = [
        "Page ascore",
        "Source title",
        "Source url",
        "Target url",
        "Anchor",
        "External links",
        "Internal links",
        "Nofollow",
        "Sponsored",
        "Ugc",
        "Text",
        "Frame",
        "Form",
        "Image",
        "Sitewide",
        "First seen",
        "Last seen",
        "New link",
        "Lost link",
    ]
    rows = [header,
        ["33", "Sheds &amp; huts", "https://huts.example.co.uk/list%C2%A0",
         "https://www.example.com/sheds/", "DealCheck, sheds", "25", "80", "false", "false",
         "false", "true", "false", "false", "false", "false", "2025-04-01", "2026-01-05",
         "false", "false"],
        ["12", "Footer partner", "https://partner.example.info/", "https://www.example.com/",
         "example &amp; co", "60", "10", "false", "false", "false", "true", "false", "false",
         "false", "true", "2024-12-01", "2026-01-05", "false", "false"],
        ["5", "Broken", "not a url", "https://www.example.com/", "x", "1", "1", "false",
         "false", "false", "true", "false", "false", "false", "false", "2025-01-01",
         "2025-01-02", "false", "true"],
    ]  # fmt: skip
    return utf8(rows)


def semrush_backlinks_12() -> bytes:
    header = [
        "Page ascore",
        "Source title",
        "Source url",
        "Target url",
        "Anchor",
        "External links",
        "Internal links",
        "Nofollow",
        "Frame",
        "Form",
        "First seen",
        "Last seen",
    ]
    rows = [header,
        ["41", "Rival review", "https://reviews.example.net/rival", "https://rival.example.net/",
         "rival sheds", "10", "30", "false", "false", "false", "2025-05-05", "2026-01-01"],
        ["54", "Garden blog", "https://blog.gardenia.org/rival", "https://rival.example.net/x",
         "see this", "14", "30", "false", "false", "false", "2025-05-06", "2026-01-01"],
    ]  # fmt: skip
    return utf8(rows, sep=";")


def semrush_refdomains() -> bytes:
    header = ["Domain ascore", "Domain", "Backlinks", "IP", "Country", "First seen", "Last seen"]
    rows = [header,
        ["62", "gardenia.org", "3", "203.0.113.7", "uk", "2025-01-10", "2026-01-02"],
        ["8", "partner.example.info", "40", "198.51.100.3", "us", "2024-12-01", "2026-01-05"],
    ]  # fmt: skip
    return utf8(rows)


MAJESTIC_HEADER = [
    "Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "Source First Found Date",
    "Flag No Follow", "Flag Image Link", "Flag Redirect", "Flag Frame", "Flag Old Crawl",
    "Flag Alt Text", "Flag Mention", "Source Citation Flow", "Source Trust Flow",
    "Target Citation Flow", "Target Trust Flow", "Source Topical Trust Flow Topic 0",
    "Source Topical Trust Flow Value 0", "Ref Domain Topical Trust Flow Topic 0",
    "Ref Domain Topical Trust Flow Value 0",
]  # fmt: skip


def majestic_backlinks() -> bytes:
    rows = [MAJESTIC_HEADER,
        ["https://www.example.com/sheds/", "https://blog.gardenia.org/best-sheds", "wooden sheds",
         "2026-01-02", "2025-01-11", "False", "False", "False", "False", "False", "False",
         "False", "30", "25", "20", "18", "Recreation/Home and Garden", "20",
         "Recreation/Home and Garden", "28"],
        ["https://www.example.com/", "https://news.example.org/reviews/sheds", "",
         "2026-01-01", "2025-06-21", "False", "True", "False", "False", "False", "True",
         "False", "44", "39", "30", "25", "News", "30", "News", "35"],
    ]  # fmt: skip
    return _quote_all_lines(rows, ",", "\r\n")


def majestic_api_gz() -> bytes:
    header = [
        "SourceURL",
        "AnchorText",
        "Date",
        "FlagRedirect",
        "FlagFrame",
        "FlagNoFollow",
        "FlagImages",
        "FlagDeleted",
        "FlagAltText",
        "FlagMention",
        "TargetURL",
        "FirstIndexedDate",
        "LastSeenDate",
        "DateLost",
        "ReasonLost",
        "LinkType",
        "LinkSubType",
        "TargetCitationFlow",
        "TargetTrustFlow",
        "SourceCitationFlow",
        "SourceTrustFlow",
    ]
    rows = [header,
        ["https://blog.gardenia.org/best-sheds", "wooden sheds", "2026-01-02", "0", "0", "0",
         "0", "0", "0", "0", "https://www.example.com/sheds/", "2025-01-11", "2026-01-02", "",
         "", "TextLink", "", "20", "18", "30", "25"],
        ["https://forum.diy-talk.net/t/9", "here", "2025-11-01", "0", "0", "1", "0", "1", "0",
         "0", "https://www.example.com/old-page", "2025-03-02", "2025-11-01", "2025-12-01",
         "NotFound", "TextLink", "", "5", "3", "8", "2"],
    ]  # fmt: skip
    return gzip.compress(utf8(rows), mtime=0)


def moz_links() -> bytes:
    header = [
        "URL",
        "Title",
        "Anchor Text",
        "Target URL",
        "Link Type",
        "Domain Authority",
        "Page Authority",
        "Spam Score",
        "Date First Seen",
        "Date Last Seen",
    ]
    rows = [header,
        ["https://blog.gardenia.org/best-sheds", "Best sheds", "wooden sheds",
         "https://www.example.com/sheds/", "follow", "51", "33", "1%", "2025-01-12",
         "2026-01-03"],
        ["https://links.cheap-dir.xyz/garden", "Garden links", "sheds",
         "https://www.example.com/sheds/", "nofollow", "3", "1", "65%", "2025-06-16",
         "2026-01-02"],
    ]  # fmt: skip
    return utf8(rows)


def gsc_latest_links() -> bytes:
    rows = [["Linking page", "Last crawled"],
            ["https://blog.gardenia.org/best-sheds", "2025-12-30"],
            ["https://forum.diy-talk.net/t/123", "2025-11-29"],
            ["https://another.example.edu/", "Sep 15, 2025"]]  # fmt: skip
    return utf8(rows, eol="\r\n", final=False)


def gsc_sample_links() -> bytes:
    rows = [["Linking page"], ["https://blog.gardenia.org/best-sheds"],
            ["https://another.example.edu/"]]  # fmt: skip
    return utf8(rows, eol="\r\n", final=False)


def gsc_top_linking_sites() -> bytes:
    rows = [["Site", "Linking pages", "Target pages"], ["gardenia.org", "2", "2"],
            ["diy-talk.net", "1", "1"], ["another.example.edu", "1,240", "3"]]  # fmt: skip
    return utf8(rows)


def gsc_top_target_pages() -> bytes:
    rows = [["Target page", "Incoming links", "Linking sites"],
            ["https://www.example.com/sheds/", "1,240", "3"],
            ["https://www.example.com/", "447667", "6866"]]  # fmt: skip
    return utf8(rows)


def gsc_internal_links() -> bytes:
    rows = [["Target page", "Incoming links"], ["https://www.example.com/", "52"],
            ["https://www.example.com/sheds/", "31"]]  # fmt: skip
    return utf8(rows)


GSC_PAGES = [
    ["Top pages", "Clicks", "Impressions", "CTR", "Position"],
    ["https://www.example.com/sheds/", "120", "4000", "3%", "4.5"],
    ["https://www.example.com/can-you-put-a-shed-on-gravel", "30", "1000", "3%", "8"],
    ["https://www.example.com/can-you-put-a-shed-on-gravel", "10", "3000", "0.33%", "12"],
    ['https://www.example.com/sheds-with-and-without"', "2", "100", "2%", "20.25"],
    ["https://www.example.com/orphan-guide", "7", "700", "1%", "9.1"],
]  # fmt: skip
GSC_QUERIES = [
    ["Top queries", "Clicks", "Impressions", "CTR", "Position"],
    ["wooden sheds", "100", "2500", "4%", "3.2"],
    ["shed on gravel", "40", "4000", "1%", "9.75"],
]  # fmt: skip


def gsc_performance_zip() -> bytes:
    files = {
        "Chart.csv": [["Date", "Clicks", "Impressions", "CTR", "Position"],
                      ["2025-12-01", "10", "400", "2.5%", "7.2"]],
        "Queries.csv": GSC_QUERIES,
        "Pages.csv": GSC_PAGES,
        "Countries.csv": [["Country", "Clicks", "Impressions", "CTR", "Position"],
                          ["United Kingdom", "150", "8000", "1.88%", "8.1"]],
        "Filters.csv": [["Filter", "Value"], ["Search type", "Web"],
                        ["Date", "1 Jan 2025-31 Dec 2025"]],
    }  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, rows in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 0, 0, 0))
            zf.writestr(info, utf8(rows, final=False))
    return buf.getvalue()


def looker_pages() -> bytes:
    rows = [["Landing Page", "Url Clicks", "Impressions", "URL CTR", "Average Position"],
            ["https://www.example.com/sheds/", "118", "3950", "0.029873417721519", "4.4871"],
            ["https://www.example.com/can-you-put-a-shed-on-gravel?", "41", "4010",
             "0.010224438902743", "10.9"]]  # fmt: skip
    return utf8(rows)


def bing_backlinks() -> bytes:
    rows = [["Source Url", "Target Url", "Anchor Text"],
            ["https://blog.gardenia.org/best-sheds", "https://www.example.com/sheds/",
             "wooden sheds"],
            ["https://bing-only.example.edu/x", "https://www.example.com/",
             "Example Ltd"]]  # fmt: skip
    return utf8(rows, eol="\r\n")


def ga4_report() -> bytes:
    preamble = (
        "# ----------------------------------------\n# Pages and screens: Page path and "
        "screen class\n# Account: Example\n# Property: Example GA4\n"
        "# ----------------------------------------\n# \n# All Users\n"
        "# Start date: 20251101\n# End date: 20251130\n"
    )
    rows = [["Page path and screen class", "Views", "Active users", "Views per active user",
             "Average engagement time per active user", "Event count", "Key events",
             "Total revenue", "Sessions"],
            ["/sheds/", "900", "500", "1.8", "55.2", "3000", "2", "0", "610"],
            ["/orphan-guide", "80", "70", "1.14", "30", "200", "0", "0", "75"],
            ["/sheds/?utm_source=news", "10", "9", "1.1", "12", "30", "0", "0", "9"]]  # fmt: skip
    return preamble.encode("utf-8") + utf8(rows)


def ga4_exploration() -> bytes:
    preamble = (
        "# ----------------------------------------\n# Free form\n"
        "# Property: Example GA4\n# 20241122-20260120\n"
        "# ----------------------------------------\n\n"
    )
    rows = [["Page path + query string", "Total users", "Sessions", "Views"],
            ["", "1500", "1800", "4000", "Grand total"],
            ["/sheds/?hsa_acc=123", "700", "820", "2000"],
            ["/", "800", "980", "2000"]]  # fmt: skip
    return preamble.encode("utf-8") + utf8(rows)


def generic_backlinks() -> bytes:
    rows = [["Linking URL", "My page", "Link text", "Score"],
            ["https://custom.example.org/p", "https://www.example.com/sheds/", "sheds",
             "40"]]  # fmt: skip
    return utf8(rows, sep=";")


def cc_domain_ranks_gz() -> bytes:
    lines = ["#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts",
             "1\t3.4626736E7\t3\t0.005384977821460953\tcom.facebook\t1203",
             "15000\t1.8E7\t20000\t3.79E-4\torg.gardenia\t4",
             "40000000\t9.1E6\t50000000\t1.2E-9\txyz.cheap-dir\t1"]  # fmt: skip
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)


def tranco() -> bytes:
    return b"1,google.com\n2,facebook.com\n1000,gardenia.org\n"


def domcop() -> bytes:
    rows = [["Rank", "Domain", "Open Page Rank"], ["1", "fonts.googleapis.com", "10.00"],
            ["5000", "www.gardenia.org", "5.12"], ["5001", "gardenia.org", "4.90"]]  # fmt: skip
    return _quote_all_lines(rows, ",")


def majestic_million() -> bytes:
    rows = [["GlobalRank", "TldRank", "Domain", "TLD", "RefSubNets", "RefIPs"],
            ["1", "1", "google.com", "com", "500000", "900000"],
            ["1000", "400", "gardenia.org", "org", "9000", "12000"]]  # fmt: skip
    return utf8(rows)


FIXTURES = {
    "ahrefs_backlinks.csv": ahrefs_backlinks,
    "ahrefs_backlinks_utf8.csv": ahrefs_backlinks_utf8,
    "ahrefs_backlinks_legacy.csv": ahrefs_legacy,
    "ahrefs_refdomains.csv": ahrefs_refdomains,
    "ahrefs_best_by_links.csv": ahrefs_best_by_links,
    "ahrefs_top_pages.csv": ahrefs_top_pages,
    "semrush_backlinks.csv": semrush_backlinks,
    "semrush_backlinks_12_semicolon.csv": semrush_backlinks_12,
    "semrush_refdomains.csv": semrush_refdomains,
    "majestic_backlinks.csv": majestic_backlinks,
    "majestic_api.csv.gz": majestic_api_gz,
    "moz_links.csv": moz_links,
    "gsc_latest_links.csv": gsc_latest_links,
    "gsc_sample_links.csv": gsc_sample_links,
    "gsc_top_linking_sites.csv": gsc_top_linking_sites,
    "gsc_top_target_pages.csv": gsc_top_target_pages,
    "gsc_internal_links.csv": gsc_internal_links,
    "gsc_pages.csv": lambda: utf8(GSC_PAGES, final=False),
    "gsc_queries.csv": lambda: utf8(GSC_QUERIES, final=False),
    "gsc_performance.zip": gsc_performance_zip,
    "looker_pages.csv": looker_pages,
    "bing_backlinks.csv": bing_backlinks,
    "ga4_report.csv": ga4_report,
    "ga4_exploration.csv": ga4_exploration,
    "generic_backlinks.csv": generic_backlinks,
    "cc_domain_ranks.txt.gz": cc_domain_ranks_gz,
    "tranco.csv": tranco,
    "domcop.csv": domcop,
    "majestic_million.csv": majestic_million,
}

if __name__ == "__main__":
    for name, make in FIXTURES.items():
        (HERE / name).write_bytes(make())
