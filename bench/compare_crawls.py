"""Two versions of linkflow crawl the same site: are the stored crawls identical?

Crawls ``SEED`` (over HTTP, or a build folder with ``--folder``) once with the linkflow found
on ``PYTHONPATH`` and once with an older copy (``--base DIR``, the directory holding its
``linkflow`` package, e.g. made with ``git archive <commit> linkflow | tar -x -C DIR``), each in
its own process, then compares what each stored, in both directions (rows only one side has,
counted with their multiplicity): every link (both URLs, ordinal, anchor, alt, rel and its
flags, target, fragment, position, DOM path, context, template share, sitewide), every page
(status, title, description, h1, language, word count, content hash, indexable, canonical,
redirect, depth) and every main text. A crawl's depth is also checked against a
breadth-first search over the stored links from the seed, computed here in plain Python.

Run ``python bench/compare_crawls.py --base DIR http://127.0.0.1:8103/``; the exit code is 1
if anything differs.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

LINKS = """
SELECT s.url, d.url, l.ordinal, l.anchor, l.alt, l.is_image, l.rel, l.rel_nofollow,
       l.rel_sponsored, l.rel_ugc, l.target, l.fragment, l.position, l.dom_path, l.context,
       l.template_share, l.sitewide
FROM {db}.links l JOIN {db}.urls s ON s.id = l.src_id JOIN {db}.urls d ON d.id = l.dst_id
"""
PAGES = """
SELECT u.url, p.status, p.title, p.meta_description, p.h1, p.lang, p.word_count,
       p.content_hash, p.indexable, c.url, r.url, p.depth
FROM {db}.pages p JOIN {db}.urls u ON u.id = p.url_id
LEFT JOIN {db}.urls c ON c.id = p.canonical_url_id
LEFT JOIN {db}.urls r ON r.id = p.redirect_url_id
"""
TEXTS = "SELECT u.url, t.main_text FROM {db}.page_text t JOIN {db}.urls u ON u.id = t.url_id"


def crawl(pythonpath: str, store: Path, seed: str, folder: str | None) -> None:
    cmd = [sys.executable, "-m", "linkflow.crawl", str(store), seed, "--per-host", "16"]
    if folder:
        cmd += ["--folder", folder]
    env = {**os.environ, "PYTHONPATH": pythonpath}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def depth_errors(con: duckdb.DuckDBPyConnection, db: str, seed: str) -> int:
    """Pages whose stored depth is not their fewest clicks from ``seed`` over stored links."""
    out: dict[str, set[str]] = collections.defaultdict(set)
    for src, dst in con.execute(
        f"SELECT s.url, d.url FROM {db}.links l JOIN {db}.urls s ON s.id = l.src_id "
        f"JOIN {db}.urls d ON d.id = l.dst_id"
    ).fetchall():
        out[src].add(dst)
    dist = {seed: 0}
    queue = collections.deque([seed])
    while queue:
        url = queue.popleft()
        for nxt in out[url]:
            if nxt not in dist:
                dist[nxt] = dist[url] + 1
                queue.append(nxt)
    rows = con.execute(
        f"SELECT u.url, p.depth FROM {db}.pages p JOIN {db}.urls u ON u.id = p.url_id "
        "WHERE p.internal AND p.depth IS NOT NULL"
    ).fetchall()
    return sum(1 for url, depth in rows if url in dist and dist[url] != depth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seed")
    parser.add_argument("--base", required=True, help="directory holding the older linkflow")
    parser.add_argument("--folder", help="crawl this build folder (seed: its base URL)")
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old.duckdb", Path(tmp) / "new.duckdb"
        crawl(args.base, old, args.seed, args.folder)
        crawl(here, new, args.seed, args.folder)
        con = duckdb.connect()
        con.execute(f"ATTACH '{old}' AS old (READ_ONLY)")
        con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
        differ = False
        for name, sql in (("links", LINKS), ("pages", PAGES), ("main texts", TEXTS)):
            a, b = sql.format(db="old"), sql.format(db="new")
            total, only_old, only_new = (
                count(con, f"SELECT count(*) FROM ({q})")
                for q in (b, f"{a} EXCEPT ALL {b}", f"{b} EXCEPT ALL {a}")
            )
            print(f"{name:10} {total:>9,} rows   only before {only_old:,}   "
                  f"only after {only_new:,}")  # fmt: skip
            differ = differ or bool(only_old or only_new)
        for db in ("old", "new"):
            print(f"depth != fewest clicks ({'before' if db == 'old' else 'after'}): "
                  f"{depth_errors(con, db, args.seed):,} pages")  # fmt: skip
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
