"""The audit façade folds the store's write-ahead log while the report is written, so that
closing the audit has nothing left to fold; the report and the file's contents are the same."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from linkflow.audit import Audit

BASE = "https://fold.test/"


def _site(root: Path) -> Path:
    site = root / "site"
    site.mkdir()
    for i in range(6):
        links = "".join(f'<a href="/p{j}.html">page {j}</a> ' for j in range(6) if j != i)
        (site / f"p{i}.html").write_text(
            f"<!doctype html><title>Page {i}</title><main><h1>Page {i}</h1><p>{links}</p></main>",
            encoding="utf-8",
        )
    (site / "index.html").write_text('<a href="/p0.html">start</a>', encoding="utf-8")
    return site


def _wal(folder: Path) -> int:
    wal = folder / "audit.duckdb.wal"
    return wal.stat().st_size if wal.exists() else 0


def test_the_report_leaves_no_write_ahead_log_to_fold(tmp_path: Path) -> None:
    site = _site(tmp_path)
    folder = tmp_path / "audit"
    with Audit(folder, overrides={"crawl.base_url": BASE}) as audit:
        audit.crawl(str(site)).analyse()
        audit.suggest()
        assert _wal(folder) > 0  # the analysis and suggestions are in the log
        audit.report()
        assert _wal(folder) == 0  # folded while the report was written, the store still open
        assert not [t for t in threading.enumerate() if t.name == "linkflow-fold"]
        pages = audit.store.scalar("SELECT count(*) FROM page_metrics")
    assert (folder / "report" / "index.html").is_file()
    con = duckdb.connect(str(folder / "audit.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM page_metrics").fetchone() == (pages,)
    assert pages == 7


def test_a_read_only_audit_reports_without_folding(tmp_path: Path) -> None:
    site = _site(tmp_path)
    folder = tmp_path / "audit"
    with Audit(folder, overrides={"crawl.base_url": BASE}) as audit:
        audit.crawl(str(site)).analyse()
    with Audit(folder, create=False, read_only=True) as audit:
        path = audit.report()
    assert path.is_file()
