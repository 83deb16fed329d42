"""Extraction before/after a change: identical results, and parse CPU per page.

Parses every HTML file of the Debian documentation packages (Python 3.11, PostgreSQL 15 and a
sample of the Rust docs) with the linkflow found on ``PYTHONPATH`` and with an older copy
(``--base DIR``, the directory that holds its ``linkflow`` package, e.g. made with
``git archive <commit> linkflow | tar -x -C DIR``), compares every link (URL, anchor, rel,
position, DOM path, context ...) and every page fact, and reports CPU per page of both and
of selectolax's parse alone (``time.process_time``; each page parsed once a round, in a
fresh process, as a crawl's worker parses it; the best of ``--rounds`` rounds), in all and
per site.

Run ``python bench/extract_compare.py --base DIR``. Each version runs in its own process,
one after the other; with ``--parallel`` both at once, each held to a core of its own and
the cores swapped every round (run an even number), so that a machine whose speed drifts
between runs (by a third and more, seen here) slows both alike, and neither is timed only
on the slower core: the CPU ratio of the two then holds where seconds from two runs do not.
``--worker-gc`` times the pages with the garbage collector set as a parse worker sets it
(:func:`linkflow.extract.worker.main`: what is alive before is frozen, collections far
apart); by default it collects as Python does, which here also scans the results kept of
every page (about a quarter of the Python docs' CPU).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SITES = (
    ("python", "/usr/share/doc/python3.11/html", 0),
    ("postgresql", "/usr/share/doc/postgresql-doc-15/html", 0),
    ("rust", "/usr/share/doc/rust-doc/html", 3000),
)


def files(sample_rust: int) -> list[tuple[str, Path, str]]:
    """(site, file, URL) of every page compared; the Rust docs thinned to an even sample."""
    chosen: list[tuple[str, Path, str]] = []
    for site, root, sample in SITES:
        found = sorted(Path(root).rglob("*.html"))
        limit = sample_rust if sample else 0
        if limit and len(found) > limit:
            step = len(found) / limit
            found = [found[int(i * step)] for i in range(limit)]
        for path in found:
            rel = path.relative_to(root).as_posix()
            chosen.append((site, path, f"http://{site}.docs.test/{rel}"))
    return chosen


def run_one(listing: str, out: str, worker_gc: bool = False) -> None:
    """In a child process: parse every listed page once, each site timed on its own, then
    the parse alone; store the results and timings.

    The pages are timed on their first and only parse, as a crawl's worker sees each: a
    second pass over the same pages would find every memo of the parser (region classes,
    ids, resolved URLs) filled with exactly their keys, and time what no crawl does.
    """
    from selectolax.lexbor import LexborHTMLParser

    from linkflow.extract import parse_page

    pages = [(url, Path(path).read_bytes()) for url, path in json.loads(Path(listing).read_text())]
    by_site: dict[str, list[tuple[str, bytes]]] = {}
    for url, body in pages:
        by_site.setdefault(url.split("//")[1].split(".")[0], []).append((url, body))
    if worker_gc:
        from linkflow.extract import worker

        gc.freeze()
        gc.set_threshold(worker._GC_THRESHOLD)
    sites: dict[str, list[float]] = {}
    facts: dict[str, Any] = {}
    for site, group in by_site.items():  # each site timed on its own: CPU per page
        start = time.process_time()
        for url, body in group:
            facts[url] = parse_page(body, url, content_type="text/html")
        cpu = time.process_time() - start
        start = time.process_time()
        for _url, body in group:
            LexborHTMLParser(body)
        sites[site] = [cpu, time.process_time() - start, len(group)]
    results = {url: dataclasses.asdict(page) for url, page in facts.items()}
    Path(out).write_bytes(
        pickle.dumps(
            {
                "results": results,
                "sites": sites,
                "bytes": sum(len(body) for _url, body in pages),
                "where": sys.modules["linkflow"].__file__,
            }
        )
    )


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's results with each site's least CPU (and parse floor) of all runs."""
    best = runs[0]
    for run in runs[1:]:
        for site, (cpu, floor, _n) in run["sites"].items():
            best["sites"][site][0] = min(best["sites"][site][0], cpu)
            best["sites"][site][1] = min(best["sites"][site][1], floor)
    best["cpu"] = sum(cpu for cpu, _floor, _n in best["sites"].values())
    best["floor"] = sum(floor for _cpu, floor, _n in best["sites"].values())
    return best


def differences(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    """One line per page or link that differs between the two runs."""
    found: list[str] = []
    for url, old in before.items():
        new = after.get(url)
        if new is None:
            found.append(f"{url}: missing")
            continue
        old_links, new_links = old.pop("links"), new.pop("links")
        if old != new:
            keys = [k for k in old if old[k] != new.get(k)]
            found.append(f"{url}: page facts differ in {keys}")
        if len(old_links) != len(new_links):
            found.append(f"{url}: {len(old_links)} links before, {len(new_links)} after")
        for a, b in zip(old_links, new_links, strict=False):
            if a != b:
                keys = [k for k in a if a[k] != b.get(k)]
                found.append(f"{url}: link {a['ordinal']} differs in {keys}: {a} / {b}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="directory holding the older linkflow")
    parser.add_argument("--rust", type=int, default=3000, help="Rust doc pages sampled")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--worker-gc", action="store_true", help="collect garbage as a parse worker does"
    )
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="run both versions at once, one a core, so both see the same machine",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], args.child[1], args.worker_gc)
        return
    chosen = files(args.rust)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp, "files.json")
        listing.write_text(json.dumps([(url, str(path)) for _site, path, url in chosen]))
        here = os.environ.get("PYTHONPATH", os.getcwd())
        rounds: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        cores = sorted(os.sched_getaffinity(0))[:2] if args.parallel else []  # Linux
        for n in range(args.rounds):  # a fresh pair of processes a round
            children = {}
            for k, (name, path) in enumerate((("before", args.base), ("after", here))):
                command = [
                    sys.executable, __file__, "--base", args.base,
                    *(["--worker-gc"] if args.worker_gc else []),
                    "--child", str(listing), str(Path(tmp, f"{name}{n}.pickle")),
                ]  # fmt: skip
                pin = None
                if args.parallel:  # each version on each core in turn
                    core = cores[(k + n) % len(cores)]
                    pin = functools.partial(os.sched_setaffinity, 0, {core})
                env = {**os.environ, "PYTHONPATH": path}
                child = subprocess.Popen(command, env=env, preexec_fn=pin)
                if args.parallel:
                    children[name] = child
                elif child.wait() != 0:
                    sys.exit(f"the {name} run failed")
            for name, child in children.items():
                if child.wait() != 0:
                    sys.exit(f"the {name} run failed")
            for name in rounds:
                rounds[name].append(pickle.loads(Path(tmp, f"{name}{n}.pickle").read_bytes()))
        runs = {name: _best(found) for name, found in rounds.items()}
    before, after = runs["before"], runs["after"]
    links = sum(len(page["links"]) for page in before["results"].values())
    diffs = differences(before["results"], after["results"])
    for line in diffs[:20]:
        print(line)
    pages = len(chosen)
    print(f"{pages} files, {links} links, {len(diffs)} differences")
    for name, run in runs.items():
        print(
            f"{name}: {run['cpu'] / pages * 1000:.2f} ms CPU/page "
            f"({run['cpu']:.1f} s), {run['cpu'] / run['floor']:.1f}x selectolax's parse "
            f"({run['floor'] / pages * 1000:.2f} ms/page, "
            f"{run['bytes'] / run['floor'] / 1e6:.0f} MB/s)  [{run['where']}]"
        )
    print(f"after/before CPU: {after['cpu'] / before['cpu']:.2f}")
    for site, (cpu, floor, count) in after["sites"].items():
        old_cpu = before["sites"][site][0]
        print(
            f"  {site}: {count} pages, {old_cpu / count * 1000:.2f} -> {cpu / count * 1000:.2f} ms "
            f"CPU/page, selectolax's parse {floor / count * 1000:.2f} ms/page "
            f"({old_cpu / floor:.1f}x -> {cpu / floor:.1f}x)"
        )


if __name__ == "__main__":
    main()
