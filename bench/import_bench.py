"""Import speed: a generated Ahrefs backlinks export into a fresh audit store.

Writes N rows (default 1,000,000) in Ahrefs' default layout (UTF-16LE with BOM, TAB, every
field quoted), then, each in its own process so peak memory is its own:

* linkflow: ``linkflow.ingest.import_file`` (detect, parse, canonicalise URLs, registrable
  domains, store in DuckDB, one transaction);
* peer: Python's ``csv`` module reading the same file row by row (parsing only; pandas is
  not a dependency of linkflow).

Prints seconds, rows/s, peak RSS and the ratios. Targets (issue 5): 1M rows in < 60 s and
< 2 GB peak RSS.

    python bench/import_bench.py [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC", "Sponsored",
    "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen",
    "Last seen", "Lost", "Author", "Links in group",
]  # fmt: skip
ANCHORS = ["wooden sheds", "click here", "Example", "https://www.example.com/", "", "garden"]


def generate(path: Path, rows: int, seed: int = 5) -> None:
    """Write ``rows`` Ahrefs backlink rows: 50,000 referring domains, 2,000 target pages."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        out.write(b"\xff\xfe")
        out.write(("\t".join(f'"{h}"' for h in HEADER) + "\n").encode("utf-16-le"))
        batch: list[str] = []
        for i in range(rows):
            d = rng.randrange(50_000)
            lost = rng.random() < 0.1
            cells = [
                f"Page {i} of site {d}", f"https://www.site{d}.com/posts/{i}?p={i % 7}", "en",
                "wordpress", "200", f"{d % 100}.{i % 10}", f"{i % 50}.5", "1200", "3", "12",
                str(i % 300), "40", "7", f"https://www.example.com/page-{rng.randrange(2000)}/",
                "Read about", ANCHORS[i % len(ANCHORS)], "today.", "text", "true",
                "true" if i % 5 == 0 else "false", "false", "false", "true", "true",
                "removedfromhtml" if lost else "", "", "linkfound", "2025-01-10 08:00:00",
                "2026-01-02 10:11:12", "2025-12-01 00:00:00" if lost else "", "", "1",
            ]  # fmt: skip
            batch.append("\t".join(f'"{c}"' for c in cells))
            if len(batch) == 50_000:
                out.write(("\n".join(batch) + "\n").encode("utf-16-le"))
                batch = []
        if batch:
            out.write(("\n".join(batch) + "\n").encode("utf-16-le"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def child_linkflow(src: Path, db: Path) -> dict[str, float]:
    from linkflow.ingest import import_file
    from linkflow.store import Store

    start = time.perf_counter()
    with Store.open(db) as store:
        result = import_file(store, src)
        stored = store.count("backlinks")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.rows, "stored": stored, "peak_mb": _peak_mb()}


def child_csv(src: Path) -> dict[str, float]:
    start = time.perf_counter()
    rows = 0
    with src.open(encoding="utf-16", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        for _ in reader:
            rows += 1
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": _peak_mb()}


def _run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated file in")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        res = child_linkflow(Path(paths[0]), Path(paths[1])) if kind == "linkflow" else (
            child_csv(Path(paths[0]))
        )  # fmt: skip
        print(json.dumps(res))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / "ahrefs-backlinks-subdomains.csv"
        start = time.perf_counter()
        generate(src, args.rows)
        print(f"generated {args.rows:,} rows, {src.stat().st_size / 1e6:.0f} MB UTF-16 "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        ours = _run_child("linkflow", str(src), str(Path(tmp) / "audit.duckdb"))
        peer = _run_child("csv", str(src))
    for name, res in (("linkflow import_file", ours), ("python csv.reader (parse only)", peer)):
        print(f"{name:32s} {res['seconds']:7.2f} s  {res['rows'] / res['seconds']:>10,.0f} rows/s"
              f"  peak RSS {res['peak_mb']:,.0f} MB")  # fmt: skip
    print(f"stored backlinks: {ours['stored']:,.0f} of {ours['rows']:,.0f} rows")
    print(f"ratio csv.reader time / linkflow time: {peer['seconds'] / ours['seconds']:.2f}x")
    ok = ours["seconds"] < 60 * args.rows / 1e6 and ours["peak_mb"] < 2048
    print(f"target (<60 s per 1M rows, <2 GB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
