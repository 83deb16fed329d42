"""Scale check of the report stage: 1M pages, 5M links, 500k findings.

Run: ``.venv/bin/python -m tests.report.bench_report [FOLDER]``. Prints the time to render
the report (bounded queries only), the time and size of each export format for the links
table, the time of the report with every table exported, and the peak RSS.
Not collected by pytest (the file name does not start with ``test_``).
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from linkflow.report import export_table, write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store

PAGES, LINKS, FINDINGS = 1_000_000, 5_000_000, 500_000

# Bulk rows generated inside DuckDB: benchmark set-up only (a Python loop would take minutes).
SETUP = (
    "INSERT INTO pages (crawl_id, url_id, status, title, depth) SELECT $1, i, "
    "CASE WHEN i % 1000 = 0 THEN 404 ELSE 200 END, '=title ' || i, i % 12 FROM range($2) t(i)",
    "INSERT INTO page_metrics (crawl_id, url_id, url, equity, equity_score, depth, inlinks, "
    "is_money) SELECT $1, i, 'https://big.example/p' || i, 1.0 / (i + 1), 100 - i / 10000, "
    "i % 12, 5, i % 5000 = 0 FROM range($2) t(i)",
    "INSERT INTO links (crawl_id, src_id, dst_id, ordinal, anchor) SELECT $1, i % $2, "
    "(i * 7919) % $2, 0, '@a ' || i FROM range($3) t(i)",
    "INSERT INTO findings (crawl_id, kind, severity, url_id, url, detail, why) SELECT $1, "
    "'kind-' || (i % 20), 'medium', i, 'https://big.example/p' || i, 'd', 'w' FROM range($4) t(i)",
)


def main(root: Path) -> None:
    with Store.open(root / "audit.duckdb") as store:
        crawl_id = store.new_crawl(source="http", seeds=["https://big.example/"], settings={})
        for sql in SETUP:
            store.con.execute(sql.replace("$3", str(LINKS)).replace("$4", str(FINDINGS)),
                              [crawl_id, PAGES] if "$2" in sql else [crawl_id])  # fmt: skip
        start = time.perf_counter()
        page = write_report(store, crawl_id, root / "report", ReportSettings(exports=False))
        print(
            f"report, no exports: {time.perf_counter() - start:.2f} s, "
            f"{page.stat().st_size / 1024:.0f} KiB"
        )
        for fmt, name in (("csv", "links.csv"), ("json", "links.jsonl"), ("parquet", "l.parquet")):
            start = time.perf_counter()
            rows = export_table(store, "links", fmt, root / name)
            print(
                f"export links {fmt}: {rows:,} rows in {time.perf_counter() - start:.2f} s, "
                f"{(root / name).stat().st_size / 2**20:.0f} MiB"
            )
        start = time.perf_counter()
        write_report(store, crawl_id, root / "full", ReportSettings())
        print(f"report with every table as CSV: {time.perf_counter() - start:.2f} s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        folder = Path(tempfile.mkdtemp(prefix="linkflow-bench-"))
        try:
            main(folder)
        finally:
            shutil.rmtree(folder)
