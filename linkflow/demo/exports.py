"""Exports of the demo site in the exact byte formats the tools write (research/data-formats.md).

- Ahrefs Site Explorer backlinks (§2.1, §2.2): UTF-16LE with BOM, TAB-separated, every
  field double-quoted, LF line ends, the 34 columns of the current subdomain-mode layout.
- Search Console links (§7.1): "Latest links" and "Top linking sites", UTF-8 without BOM,
  comma, CRLF, no newline after the last row.
- Search Console performance ``Pages.csv`` (§7.2): UTF-8 without BOM, comma, LF, no newline
  after the last row, CTR as a percent string; it repeats one URL with a trailing ``?`` and
  has ``/about`` and ``/about/`` as separate rows, as GSC does.

Referring domains and links are hand-written below; numbers that a real export would carry
(UR, traffic, dates) come from a seeded generator, so the files are byte-identical per build.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from linkflow.demo.content import CONTENT_DIR
from linkflow.demo.render import ORIGIN

__all__ = ["AHREFS_COLUMNS", "EXPORT_FILES", "write_all"]

AHREFS_COLUMNS = (
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC",
    "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status",
    "First seen", "Last seen", "Lost", "Redirect Chain URLs", "Redirect Chain status codes",
    "Author", "Links in group",
)  # fmt: skip

EXPORT_FILES = {
    "backlinks": "www.greenleaf-landscaping.com-backlinks-subdomains_2026-11-02_10-15-33.csv",
    "gsc_links": "greenleaf-landscaping.com-Latest links-2026-11-02.csv",
    "gsc_sites": "greenleaf-landscaping.com-Top linking sites-2026-11-02.csv",
    "gsc_pages": "Pages.csv",
}
"""File names inside exports/, by key."""


@dataclass(frozen=True, slots=True)
class Domain:
    """A referring domain as Ahrefs describes it."""

    host: str
    dr: float
    traffic: int
    platform: str = "wordpress"
    spam: bool = False


@dataclass(frozen=True, slots=True)
class Backlink:
    """One backlink row: referring page path, its title, our target path, anchor, flags.

    Flags are listed in the header of content/backlinks.txt.
    """

    domain: Domain
    page: str
    title: str
    target: str
    anchor: str
    flags: str = ""


_STRONG_HOST = "www.nwgardenersguide.com"
"""The one strong domain with many links (from many pages of one site)."""


def _hand_written() -> list[Backlink]:
    """The backlinks of content/backlinks.txt (format in that file's header)."""
    lines = (CONTENT_DIR / "backlinks.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            host, dr, traffic, platform, page, title, target, anchor, flags = (
                f.strip() for f in line.split("|")
            )
            spam = "spam" in flags.split()
            domain = Domain(host, float(dr), int(traffic), platform, spam)
            out.append(Backlink(domain, page, title, target, anchor, flags))
    return out


# Mid-sized gardening blogs linking to a post or two each; numbers filled in by the seeded RNG.
_BLOGS = (
    ("www.urbanveggiepatch.com", 29), ("www.mossandfern.blog", 24),
    ("www.cascadiagardener.com", 47), ("www.thebackyardplanner.com", 33),
    ("www.soilandseason.com", 26), ("www.gardenrouteoregon.com", 31),
    ("www.raisedbedrevival.com", 19), ("www.tidytrowel.net", 15), ("www.pnwplantnerd.com", 37),
    ("www.homesteadhillsboro.com", 12), ("www.lawnandlarder.com", 21),
    ("www.greenroofgazette.com", 43),
)  # fmt: skip
_BLOG_TARGETS = (
    "/blog/drought-tolerant-plants/", "/blog/summer-watering-schedule/",
    "/blog/mowing-height-guide/", "/blog/mulch-guide/", "/blog/overseeding-in-september/",
    "/blog/garden-design-mistakes/", "/blog/when-to-prune-trees/",
    "/blog/fall-leaf-cleanup-guide/", "/blog/moss-in-lawns/", "/",
    "/services/garden-design/", "/blog/outdoor-lighting-ideas/",
)  # fmt: skip
_LEFT = ("For a local take, see", "Our friends in Portland wrote", "There is a good article on",
         "If you garden west of the Cascades, read", "We learned a lot from")  # fmt: skip
_RIGHT = ("before you start.", "which covers the basics well.", "- well worth a read.",
          "for Northwest conditions.", "if you want the details.")  # fmt: skip
_AUTHORS = ("Megan Holt", "Sam Reyes", "", "Jordan Pike", "Ana Lindqvist", "")


def _generated(rng: random.Random) -> list[Backlink]:
    out = []
    for host, dr in _BLOGS:
        domain = Domain(host, dr, rng.randint(800, 40000))
        for target in rng.sample(_BLOG_TARGETS, rng.choice((2, 2, 3, 4))):
            slug = target.strip("/").split("/")[-1] or "greenleaf-landscaping"
            words = slug.replace("-", " ")
            page = f"/{rng.choice(('2025', '2026'))}/{rng.randint(1, 12):02d}/{slug}-notes/"
            anchor = rng.choice((words, "this article", "Greenleaf Landscaping", words.split()[0]))
            out.append(Backlink(domain, page, f"Notes on {words}", target, anchor))
    return out


def backlinks() -> list[Backlink]:
    """Every backlink of the Ahrefs export, in no particular order."""
    return [*_hand_written(), *_generated(random.Random(2026_11_02))]


def _stamp(rng: random.Random, start: int, end: int) -> str:
    day = rng.randint(start, end)  # days after 2025-01-01
    d = date(2025, 1, 1) + timedelta(days=day)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    return f"{d.isoformat()} {hh:02d}:{mm:02d}:{ss:02d}"


def _flag(on: bool) -> str:
    return "true" if on else "false"


def _ahrefs_row(link: Backlink, rng: random.Random) -> dict[str, str]:
    d, flags = link.domain, link.flags.split()
    lost = "lost" in flags
    group = next((f.split("=")[1] for f in flags if f.startswith("group=")), "1")
    ur = 0.0 if d.spam else round(rng.uniform(2, min(40.0, d.dr * 0.6 + 3)), 1)
    redirect = "redirect" in flags
    return {
        "Referring page title": link.title,
        "Referring page URL": f"https://{d.host}{link.page}",
        "Language": "" if d.spam and rng.random() < 0.5 else "en",
        "Platform": d.platform,
        "Referring page HTTP code": "200",
        "Domain rating": f"{d.dr:g}",
        "UR": f"{ur:g}",
        "Domain traffic": str(d.traffic),
        "Referring domains": str(0 if d.spam else rng.randint(0, 60)),
        "Linked domains": str(rng.randint(180, 900) if d.spam else rng.randint(3, 45)),
        "External links": str(rng.randint(400, 2500) if d.spam else rng.randint(4, 80)),
        "Page traffic": str(0 if d.spam else rng.randint(0, 3200)),
        "Keywords": str(0 if d.spam else rng.randint(0, 240)),
        "Target URL": ORIGIN + link.target,
        "Left context": "" if "image" in flags else rng.choice(_LEFT),
        "Anchor": link.anchor,
        "Right context": "" if "image" in flags else rng.choice(_RIGHT),
        "Type": "image" if "image" in flags else "text",
        "Content": _flag("notcontent" not in flags),
        "Nofollow": _flag("nofollow" in flags),
        "UGC": _flag("ugc" in flags),
        "Sponsored": _flag("sponsored" in flags),
        "Rendered": "true",
        "Raw": "true",
        "Lost status": "removedfromhtml" if lost else "",
        "Drop reason": "",
        "Discovered status": rng.choice(("pagefound", "pagefound", "linkfound")),
        "First seen": _stamp(rng, 120, 600),
        "Last seen": _stamp(rng, 660, 669) if not lost else "2026-09-11 03:40:12",
        "Lost": "2026-09-14 07:22:10" if lost else "",
        "Redirect Chain URLs": ORIGIN + link.target if redirect else "",
        "Redirect Chain status codes": "301" if redirect else "",
        "Author": "" if d.spam else rng.choice(_AUTHORS),
        "Links in group": group,
    }


def ahrefs_rows() -> list[dict[str, str]]:
    """The Ahrefs export rows, sorted as Ahrefs sorts them by default (DR, then UR, descending)."""
    rng = random.Random(1015_33)
    rows = [_ahrefs_row(link, rng) for link in backlinks()]
    rows.sort(key=lambda r: (-float(r["Domain rating"]), -float(r["UR"]), r["Referring page URL"]))
    return rows


def ahrefs_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    """UTF-16LE with BOM, TAB-separated, every field double-quoted, LF after every line."""

    def line(values: Sequence[str]) -> str:
        return "\t".join('"' + v.replace('"', '""') + '"' for v in values) + "\n"

    body = line(AHREFS_COLUMNS) + "".join(line([r[c] for c in AHREFS_COLUMNS]) for r in rows)
    return b"\xff\xfe" + body.encode("utf-16-le")


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]], newline: str) -> bytes:
    """UTF-8 without BOM, comma, minimal quoting, ``newline`` between rows, none at the end."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().removesuffix(newline).encode("utf-8")


def _live(rows: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if not r["Lost"]]


def gsc_latest_links(rows: Sequence[dict[str, str]]) -> bytes:
    """Search Console "Latest links": non-spam live linking pages, newest crawl first."""
    seen = {
        r["Referring page URL"]: r["Last seen"][:10]
        for r in _live(rows)
        if float(r["Domain rating"]) >= 10
    }
    ordered = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    return _csv_bytes(("Linking page", "Last crawled"), ordered, "\r\n")


def gsc_top_sites(rows: Sequence[dict[str, str]]) -> bytes:
    """Search Console "Top linking sites": per site, linking pages and target pages."""
    pages: dict[str, set[str]] = {}
    targets: dict[str, set[str]] = {}
    for r in _live(rows):
        site = r["Referring page URL"].split("/")[2].removeprefix("www.")
        pages.setdefault(site, set()).add(r["Referring page URL"])
        targets.setdefault(site, set()).add(r["Target URL"])
    table = sorted(
        ((s, len(pages[s]), len(targets[s])) for s in pages), key=lambda t: (-t[1], -t[2], t[0])
    )
    return _csv_bytes(("Site", "Linking pages", "Target pages"), table, "\r\n")


def _reach(path: str) -> int:
    """Rough ceiling of a page's monthly impressions, by page type."""
    if path in {"/blog/drought-tolerant-plants/", "/blog/summer-watering-schedule/", "/"}:
        return 20000
    if path.startswith("/blog/") and path.count("/") == 3:
        return 9000
    return 5000 if path.startswith("/services/") else 900


def gsc_pages(paths: Sequence[str]) -> tuple[bytes, dict[str, object]]:
    """Search Console performance ``Pages.csv`` and the facts it plants."""
    rng = random.Random(411_361)
    orphan, dup = "/services/snow-removal/", "/blog/summer-watering-schedule/"
    skip = ("/page/", "/tag/", "/print/", "/thank-you/", "/spring-offer/")
    rows: list[tuple[str, int, int]] = []
    for path in paths:
        if not any(s in path for s in skip):
            impressions = rng.randint(_reach(path) // 20, _reach(path))
            rows.append((path, int(impressions * rng.uniform(0.004, 0.06)), impressions))
    rows += [(dup + "?", 3, 212), ("/about", 1, 48)]  # the same pages again, as GSC lists them
    rows = [(p, 14, 890) if p == orphan else (p, c, i) for p, c, i in rows]
    rows.sort(key=lambda r: (-r[1], -r[2], r[0]))

    def trim(value: float) -> str:
        return f"{value:.2f}".rstrip("0").rstrip(".")

    table = []
    for path, clicks, impressions in rows:
        ctr = clicks / impressions
        position = rng.uniform(1.4, 9) if ctr > 0.03 else rng.uniform(6, 38)
        table.append((ORIGIN + path, clicks, impressions, trim(100 * ctr) + "%", trim(position)))
    data = _csv_bytes(("Top pages", "Clicks", "Impressions", "CTR", "Position"), table, "\n")
    facts: dict[str, object] = {
        "gsc_orphan_with_traffic": ORIGIN + orphan,
        "gsc_duplicate_rows": [ORIGIN + dup, ORIGIN + dup + "?"],
        "gsc_slash_variants": [ORIGIN + "/about", ORIGIN + "/about/"],
    }
    return data, facts


def write_all(folder: Path, paths: Sequence[str], facts: dict[str, object]) -> None:
    """Write every export into ``folder`` and add the backlink facts to ``facts``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ahrefs_rows()
    pages_csv, page_facts = gsc_pages(paths)
    files = {
        "backlinks": ahrefs_bytes(rows),
        "gsc_links": gsc_latest_links(rows),
        "gsc_sites": gsc_top_sites(rows),
        "gsc_pages": pages_csv,
    }
    for key, data in files.items():
        (folder / EXPORT_FILES[key]).write_bytes(data)
    # Live followed links' DR summed per target: where the strongest authority lands.
    by_target: dict[str, float] = {}
    for r in _live(rows):
        if r["Nofollow"] == "false":
            dr = float(r["Domain rating"])
            by_target[r["Target URL"]] = by_target.get(r["Target URL"], 0.0) + dr
    links = backlinks()
    facts |= page_facts
    facts["backlink_rows"] = len(rows)
    facts["backlink_targets_broken"] = [ORIGIN + "/services/hedge-trimming/"]
    facts["backlink_targets_redirecting"] = [ORIGIN + "/blog/lawn-aeration-guide/"]
    facts["lost_backlinks"] = [r["Referring page URL"] for r in rows if r["Lost"]]
    facts["spam_domains"] = sorted({b.domain.host for b in links if b.domain.spam})
    strong = sum(b.domain.host == _STRONG_HOST for b in links)
    facts["strong_domain"] = {"host": _STRONG_HOST, "links": strong}
    facts["top_backlink_targets"] = sorted(by_target, key=lambda t: (-by_target[t], t))[:5]
