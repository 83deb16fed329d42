"""``python -m linkflow.crawl STORE SEED...``: a bare crawl, for scripts and the kill test.

Prints the crawl summary as one JSON line on stdout. The ``linkflow crawl`` command is the
user-facing way to crawl; this entry point exists so a crawl can run as a plain subprocess.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from linkflow.crawl import JsonProgress, crawl_folder, crawl_site
from linkflow.crawl.fetch import preload_http_client
from linkflow.errors import LinkflowError
from linkflow.heap import map_large_blocks
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store


def main(argv: list[str] | None = None) -> int:
    """Run one crawl from the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m linkflow.crawl")
    parser.add_argument("store", type=Path)
    parser.add_argument("seeds", nargs="+", help="seed URLs (or, with --folder, the base URL)")
    parser.add_argument("--folder", type=Path, help="crawl this build folder instead")
    parser.add_argument("--max-pages", type=int, default=CrawlSettings().max_pages)
    parser.add_argument("--max-depth", type=int, default=CrawlSettings().max_depth)
    parser.add_argument("--concurrency", type=int, default=CrawlSettings().concurrency)
    parser.add_argument("--per-host", type=int, default=CrawlSettings().per_host_concurrency)
    parser.add_argument("--rps", type=float, default=0.0)
    parser.add_argument(
        "--parse-workers", type=int, default=0, help="parse processes (0: one per core)"
    )
    parser.add_argument("--base-url", default="")
    parser.add_argument("--no-robots", action="store_true")
    parser.add_argument("--no-text", action="store_true", help="do not store main text")
    parser.add_argument("--recrawl", action="store_true")
    parser.add_argument(
        "--store-memory", default=CrawlSettings().store_memory, help="DuckDB's cap while storing"
    )
    parser.add_argument("--log-json", action="store_true", help="JSON progress on stderr")
    args = parser.parse_args(argv)
    map_large_blocks()  # this process is linkflow's: pages' big blocks go back once freed
    settings = CrawlSettings(
        max_pages=args.max_pages,
        max_depth=args.max_depth,
        concurrency=args.concurrency,
        per_host_concurrency=args.per_host,
        rps=args.rps,
        parse_workers=args.parse_workers,
        base_url=args.base_url,
        obey_robots=not args.no_robots,
        store_memory=args.store_memory,
    )
    extract = ExtractSettings(keep_main_text=not args.no_text)
    progress = JsonProgress() if args.log_json else None
    if args.folder is None:
        preload_http_client()  # while the store opens
    try:
        with Store.open(args.store) as store:
            if args.folder is not None:
                summary = crawl_folder(
                    store, args.folder, args.seeds[0], settings, extract, progress=progress
                )
            else:
                summary = crawl_site(
                    store, args.seeds, settings, extract, progress=progress, recrawl=args.recrawl
                )
    except LinkflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    data = dataclasses.asdict(summary)
    data["by_status"] = {str(k): v for k, v in summary.by_status.items()}
    print(json.dumps(data))
    return 130 if summary.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
