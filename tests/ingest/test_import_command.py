"""`linkflow import`: a site origin for exports of page paths, and the rejected rows said."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.store import Store
from tests.ingest.conftest import ORIGIN, export


def _import(audit: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", "--audit", str(audit), "--quiet", *args])
    return result.exit_code, result.output


def _traffic_urls(audit: Path) -> list[str]:
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        return sorted(str(r[0]) for r in store.rows("SELECT url FROM traffic"))


def test_base_url_resolves_the_paths_of_a_ga4_export(tmp_path: Path) -> None:
    code, output = _import(tmp_path / "a", "--base-url", ORIGIN, str(export("ga4_report.csv")))
    assert code == 0, output
    assert "ga4 report" in output
    urls = _traffic_urls(tmp_path / "a")
    assert urls
    assert all(u.startswith(ORIGIN + "/") for u in urls)


def test_without_base_url_the_error_names_the_option(tmp_path: Path) -> None:
    code, output = _import(tmp_path / "a", str(export("ga4_report.csv")))
    assert code != 0
    assert "--base-url" in output
    assert "Traceback" not in output


def test_a_base_url_that_is_no_origin_is_refused(tmp_path: Path) -> None:
    code, output = _import(tmp_path / "a", "--base-url", "example.com",
                           str(export("ga4_report.csv")))  # fmt: skip
    assert code != 0
    assert "'example.com' is not a site origin" in output
    assert "Traceback" not in output


def test_the_crawl_origin_serves_when_no_base_url_is_given(tmp_path: Path) -> None:
    audit = tmp_path / "a"
    audit.mkdir()
    with Store.open(audit / "audit.duckdb") as store:
        store.new_crawl(source="http", seeds=[ORIGIN + "/"], settings={})
    code, output = _import(audit, str(export("ga4_report.csv")))
    assert code == 0, output
    assert all(u.startswith(ORIGIN + "/") for u in _traffic_urls(audit))


def test_rejected_rows_are_summarised(tmp_path: Path) -> None:
    lines = ["Top pages,Clicks,Impressions,CTR,Position"]
    lines += [f"{ORIGIN}/p{i},3,100,3%,4.5" for i in range(60)]
    for n in (3, 9, 20, 41):
        lines[n] = f"{ORIGIN}/bad{n},abc,100,3%,4.5"
    path = tmp_path / "Pages.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = _import(tmp_path / "a", str(path))
    assert code == 0, output
    assert "60 rows, 4 rejected" in output
    assert "  line 4: Clicks: not a number ('abc')" in output
    assert "  line 21: Clicks: not a number ('abc')" in output
    assert "  line 42" not in output
    assert "  and 1 more" in output
