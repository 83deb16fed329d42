"""The HTML report rendered from a real store: escaping, sections, limits, offline-ness."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pytest

from linkflow.report import write_report
from linkflow.report.charts import bar_chart, column_chart
from linkflow.report.html import _href, _num
from linkflow.report.sections import _last_months
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.conftest import SCRIPT, Audit, build_audit


class Elements(HTMLParser):
    """Collects start tags with their attributes, and the text inside <script>/<style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        data = tag == "script" and dict(attrs).get("type") == "application/json"
        self._in = tag if tag in self.raw and not data else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in].append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def render(audit: Audit, out: Path, **options: object) -> tuple[str, Elements]:
    options.setdefault("exports", False)  # writing every CSV is tested where it matters
    with Store.open(audit.path) as store:
        path = write_report(store, audit.crawl_id, out, ReportSettings(**options))  # type: ignore[arg-type]
    assert path == out / "index.html"
    html = path.read_text("utf-8")
    parsed = Elements()
    parsed.feed(html)
    return html, parsed


def pages_rows(html: str) -> list[str]:
    body = html.split('id="pages-table"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="url" data-v="([^"]*)"', body)


def test_untrusted_strings_are_text_never_markup(audit: Audit, tmp_path: Path) -> None:
    html, parsed = render(audit, tmp_path / "r")
    scripts = parsed.all("script")
    assert [s for s in scripts if s.get("type") != "application/json"] == [{}]  # ours only
    assert [s.get("id") for s in scripts if s.get("type")] == ["explorer-data"]
    assert SCRIPT not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    # page title, broken-link finding detail, backlink anchor, suggestion sentence
    assert html.count(escaped) >= 4
    assert all(not (a.get("href") or "").lower().startswith("javascript") for a in parsed.all("a"))


def test_csp_pins_exactly_the_inline_code(audit: Audit, tmp_path: Path) -> None:
    _, parsed = render(audit, tmp_path / "r")
    csp = next(m["content"] for m in parsed.all("meta") if m.get("http-equiv"))
    assert csp is not None
    assert "default-src 'none'" in csp
    for kind, directive in (("script", "script-src"), ("style", "style-src")):
        code = "".join(parsed.raw[kind])
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_self_contained(audit: Audit, tmp_path: Path) -> None:
    _, parsed = render(audit, tmp_path / "r", exports=True)
    assert not [t for t, a in parsed.tags if "src" in a]  # no script/img/iframe sources
    assert not parsed.all("link")  # no external stylesheets
    downloads = [a["href"] for a in parsed.all("a") if (a.get("href") or "").startswith("exp")]
    assert downloads
    assert all((tmp_path / "r" / str(href)).is_file() for href in downloads)


def test_pages_table_shows_top_n_by_equity(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r", top_n=5)
    expected = sorted(audit.equity, key=audit.equity.__getitem__, reverse=True)[:5]
    assert pages_rows(html) == [u.lower() for u in expected]
    money_rows = re.findall(r'<tr class="money">\s*<td class="url" data-v="([^"]*)"', html)
    assert set(money_rows) == {u.lower() for u in audit.money if u in expected}


def test_title_setting_and_headline(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r", title="Spring audit", exports=False)
    assert "<title>linkflow report — Spring audit</title>" in html
    cards = {
        label: value
        for value, label in re.findall(
            r'<div class="value">([^<]*)</div><div class="label">([^<]*)</div>', html
        )
    }
    assert cards["broken links"] == str(audit.broken_links)
    assert cards["orphan pages"] == str(audit.findings["orphan-page"])
    assert cards["backlinks"] == "4"  # the competitor's backlink is not counted
    assert cards["referring domains"] == "3"
    assert 'id="downloads"' not in html
    assert not (tmp_path / "r" / "exports").exists()


def test_findings_grouped_most_severe_first(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    kinds = re.findall(r'<details class="finding" id="finding-([^"]+)"', html)
    assert kinds == ["broken-link", "orphan-page", "deep-page"]  # high (2, 1), then medium
    deep = html.split('id="finding-deep-page"', 1)[1].split("</details>", 1)[0]
    assert deep.count("<tr><td") == audit.findings["deep-page"]


def test_optional_sections_degrade(tmp_path: Path) -> None:
    bare = build_audit(tmp_path / "a.duckdb", 8, extras=False)
    html, _ = render(bare, tmp_path / "r")
    for section in ("backlinks", "traffic", "suggestions"):
        assert f'id="{section}"' not in html
    full = build_audit(tmp_path / "b.duckdb", 8)
    html, _ = render(full, tmp_path / "s")
    for section in ("backlinks", "traffic", "suggestions"):
        assert f'id="{section}"' in html


def test_empty_crawl_renders(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl_id = store.new_crawl(source="http", seeds=["https://x.example/"], settings={})
        path = write_report(store, crawl_id, tmp_path / "r", ReportSettings(exports=False))
    html = path.read_text("utf-8")
    assert "No page metrics yet" in html
    assert "No findings recorded" in html


def test_profile_table_of_unknown_shape(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        if "spam_flags" not in store.tables():
            store.query("CREATE TABLE spam_flags (domain VARCHAR, flag VARCHAR, why VARCHAR)")
        store.append("spam_flags", [{"domain": "x.example", "flag": "f", "why": SCRIPT}])
    html, _ = render(audit, tmp_path / "r")
    assert "<h3>Spam flags</h3>" in html
    assert "x.example" in html
    assert SCRIPT not in html


def test_large_audit_renders_bounded(tmp_path: Path) -> None:
    n = 200_000
    with Store.open(tmp_path / "big.duckdb") as store:
        crawl_id = store.new_crawl(source="http", seeds=["https://big.example/"], settings={})
        equity = pa.array([1.0 / (i + 1) for i in range(n)])
        store.append(
            "page_metrics",
            pa.table(
                {
                    "crawl_id": pa.array([crawl_id] * n, pa.int32()),
                    "url_id": pa.array(range(n), pa.int32()),
                    "url": [f"https://big.example/p{i}" for i in range(n)],
                    "equity": equity,
                    "depth": pa.array([i % 9 for i in range(n)], pa.int32()),
                }
            ),
        )
        # its speed is measured by bench/report_bench.py, not timed here
        path = write_report(store, crawl_id, tmp_path / "r", ReportSettings(exports=False))
    html = path.read_text("utf-8")
    assert len(pages_rows(html)) == 50
    # The pages explorer embeds every page, compactly: at most 120 bytes a page here.
    data = html.split('id="explorer-data">', 1)[1].split("</script>", 1)[0]
    assert len(json.loads(data)["pages"]["url"]) == n
    assert len(html) < 300_000 + 120 * n


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("HTTP://a.example/", "HTTP://a.example/"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("data:text/html,<b>", ""),
        (None, ""),
    ],
)
def test_only_web_urls_become_links(url: str | None, expected: str) -> None:
    assert _href(url) == expected


def test_number_format() -> None:
    assert _num(1234567) == "1,234,567"
    assert _num(2.0) == "2"
    assert _num(2.345, 2) == "2.35"
    assert _num(None) == _num(float("nan")) == _num(True) == "—"


def test_bar_chart_scales_to_largest() -> None:
    chart = bar_chart([("a", 10, "10"), ("b", 5, "5"), ("c", 0, "0"), ("d", float("nan"), "")])
    widths = [b.width for b in chart.bars]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == widths[3] == 0
    assert widths[0] + chart.label_width < chart.width
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    assert bar_chart([("z", 0, "0")]).bars[0].width == 0


def test_column_chart_shares_one_scale() -> None:
    chart = column_chart([("2026-01", 4, 0), ("2026-02", 2, 4)])
    first, second = chart.columns
    assert first.up == second.down == chart.axis  # the largest value fills its half
    assert second.up == pytest.approx(first.up / 2)
    assert first.x < second.x


def test_anchor_classes_chart(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        if "anchor_profile" not in store.tables():
            store.query(
                "CREATE TABLE anchor_profile (url VARCHAR, anchor_class VARCHAR, backlinks BIGINT)"
            )
        store.append(
            "anchor_profile",
            {
                "url": ["https://shop.example/", "https://shop.example/", "https://shop.example/x"],
                "url_id": [0, 0, 5],
                "anchor_class": ["branded", "generic", "branded"],
                "backlinks": [2, 1, 1],
                "share": [2 / 3, 1 / 3, 1.0],
            },
        )
    html, _ = render(audit, tmp_path / "r", exports=False)
    chart = html.split('aria-label="Backlinks per anchor class"', 1)[1].split("</svg>", 1)[0]
    assert re.findall(r"<title>([^<]*)</title>", chart) == ["branded: 75.0%", "generic: 25.0%"]


def test_velocity_months_are_contiguous() -> None:
    rows = [{"month": "2025-11", "new": 3, "lost": 0}, {"month": "2026-02", "new": 1, "lost": 2}]
    assert _last_months(rows, 24) == [
        ("2025-11", 3.0, 0.0),
        ("2025-12", 0.0, 0.0),
        ("2026-01", 0.0, 0.0),
        ("2026-02", 1.0, 2.0),
    ]
    assert _last_months(rows, 2) == [("2026-01", 0.0, 0.0), ("2026-02", 1.0, 2.0)]
    assert _last_months([], 24) == []


def test_backlinked_404s_listed_strongest_first(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "before")
    assert 'id="backlinked-404s"' not in html  # no 404 target: no table
    row = {"backlinks": 1, "referring_domains": 1, "followed_domains": 1, "lost": False}
    site = "https://shop.example"
    with Store.open(audit.path) as store:
        store.append(
            "backlink_targets",
            [
                {**row, "url": f"{site}/gone-weak", "authority": 5.0, "status": 404},
                {**row, "url": f"{site}/gone-strong", "authority": 40.0, "status": 404},
                {**row, "url": f"{site}/live", "authority": 90.0, "status": 200},
            ],
        )
    html, _ = render(audit, tmp_path / "after")
    table = html.split('id="backlinked-404s"', 1)[1].split("</table>", 1)[0]
    urls = re.findall(r'href="(https://shop\.example/[^"]*)"', table)
    assert urls == ["https://shop.example/gone-strong", "https://shop.example/gone-weak"]


def test_follow_share_chart(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    chart = html.split('aria-label="Backlinks by follow attribute"', 1)[1].split("</svg>", 1)[0]
    assert re.findall(r"<title>([^<]*)</title>", chart) == [
        "followed: 3 (75.0%)",
        "nofollow: 1 (25.0%)",
        "sponsored: 0 (0.0%)",
        "ugc: 0 (0.0%)",
    ]
