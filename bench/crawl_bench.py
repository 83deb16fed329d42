"""Crawl speed and memory: linkflow against a minimal Scrapy CrawlSpider, same site, same run.

The site (default 20,000 pages; nav, breadcrumb, sidebar, footer and 30-300 links a page)
is generated into a cache folder and served by nginx on 127.0.0.1 from a separate process.
Both crawlers run as subprocesses with the same concurrency, robots.txt off, and follow the
same links (every <a href> on the site's host); Scrapy only counts pages, linkflow stores
pages, links, text and frontier in DuckDB.

Memory is measured three ways for each crawler: the peak RSS of its largest process
(wait4), and, sampled every 0.1 s over the whole process tree (linkflow parses in worker
processes), the peak of the summed RSS and of the summed PSS (proportional set size: a
shared library page used by N processes counts 1/N in each, so the sum is what the tree
costs the machine). The tree RSS is the figure the targets use (at most 1.3 times Scrapy's),
the tree PSS is shown beside it. linkflow's peaks are also split by phase (fetching, storing
the journal, the template pass), with the crawler process and its parse workers apart.

    python bench/crawl_bench.py                 # 20,000 pages, 30-300 links a page
    python bench/crawl_bench.py --pages 2000    # quick run
    python bench/crawl_bench.py --min-links 300 --max-links 400
    python bench/crawl_bench.py --pages 100000 --skip-scrapy --store-memory 64MB

nginx is not installed by this script; without it the script says how to install it and
falls back to aiohttp's static server (slower, so the figures are then a lower bound).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import IO

from audit_bench import tree_cpu

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "garden", "lawn", "hedge", "patio", "paving", "design", "planting", "tree", "shrub",
    "soil", "compost", "mulch", "water", "drainage", "irrigation", "fence", "decking",
    "border", "seasonal", "maintenance", "pruning", "turf", "weed", "native", "flower", "bed",
    "gravel", "stone", "wall", "lighting", "pond", "wildlife", "orchard", "vegetable",
    "greenhouse",
]  # fmt: skip

SCRAPY_SPIDER = textwrap.dedent(
    """
    import json, re, sys, time
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.spiders import CrawlSpider, Rule

    seed, concurrency = sys.argv[1], int(sys.argv[2])
    count = {"pages": 0}

    class Bench(CrawlSpider):
        name = "bench"
        start_urls = [seed]
        # allowed_domains rejects an IP address in this Scrapy: with SAME_ORIGIN the links
        # are kept to the seed's origin by pattern (the generated site links only to itself).
        allow = ["^" + re.escape(seed)] if SAME_ORIGIN else ()
        rules = (Rule(LinkExtractor(allow=allow), callback="parse_item", follow=True),)

        def parse_start_url(self, response):
            count["pages"] += 1
            return []

        def parse_item(self, response):
            count["pages"] += 1
            return []

    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": OBEY_ROBOTS,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    })
    start = time.perf_counter()
    process.crawl(Bench)
    process.start()
    print(json.dumps({"pages": count["pages"], "seconds": time.perf_counter() - start}))
    """
)


def scrapy_spider(*, obey_robots: bool = False, same_origin: bool = False) -> str:
    """The spider's script: robots.txt obeyed or not, links kept to the seed's origin or not."""
    head = f"OBEY_ROBOTS = {obey_robots!r}\nSAME_ORIGIN = {same_origin!r}\n"
    return head + SCRAPY_SPIDER


# ---------------------------------------------------------------------- the site
def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _page(i: int, n: int, rng: random.Random, links: int, nav: str, footer: str) -> str:
    cat = i % 40
    fixed = 10 + 10 + 2  # nav, footer, breadcrumb
    side = min(8, max(0, links - fixed))
    content = max(1, links - fixed - side)
    targets = [i + 1 if i + 1 < n else 0, (2 * i + 1) % n] + [
        rng.randrange(n) for _ in range(content + side)
    ]
    paras = []
    per_para = max(1, content // 6)
    for p in range(0, content, per_para):
        chunk = targets[p : p + per_para]
        links_html = " ".join(
            f'{_words(rng, 6)} <a href="/p/{t}.html">{_words(rng, 3)}</a>' for t in chunk
        )
        paras.append(f"<p>{_words(rng, 25)} {links_html}.</p>")
    sidebar = "".join(
        f'<li><a href="/p/{t}.html">{_words(rng, 3)}</a></li>'
        for t in targets[content : content + side]
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_words(rng, 4).title()} | Page {i}</title>"
        f'<meta name="description" content="{_words(rng, 20)}">'
        f'<link rel="canonical" href="/p/{i}.html"></head><body>'
        f'<header><a href="/" class="logo">Greenleaf</a><nav><ul>{nav}</ul></nav></header>'
        f'<div class="breadcrumb"><a href="/">Home</a> / <a href="/p/{cat}.html">Section</a></div>'
        f"<main><article><h1>{_words(rng, 5).title()}</h1>{''.join(paras)}</article></main>"
        f'<aside class="sidebar"><h2>Related</h2><ul>{sidebar}</ul></aside>'
        f"<footer><ul>{footer}</ul><p>© Greenleaf</p></footer></body></html>"
    )


def build_site(folder: Path, pages: int, min_links: int, max_links: int) -> Path:
    """Write the site once per size; later runs reuse it."""
    site = folder / f"site-{pages}-{min_links}-{max_links}"
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    (site / "p").mkdir(parents=True)
    rng = random.Random(42)
    nav = "".join(f'<li><a href="/p/{k}.html">{WORDS[k].title()}</a></li>' for k in range(10))
    footer = "".join(f'<li><a href="/p/{k}.html">{WORDS[k + 10]}</a></li>' for k in range(10, 20))
    for i in range(pages):
        html = _page(i, pages, rng, rng.randint(min_links, max_links), nav, footer)
        (site / "p" / f"{i}.html").write_text(html, encoding="utf-8")
    (site / "index.html").write_text(
        _page(0, pages, rng, min_links, nav, footer).replace("Page 0", "Home"), encoding="utf-8"
    )
    (site / ".complete").touch()
    return site


# ---------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(site: Path, tmp: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    port = _free_port()
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx:
        conf = tmp / "nginx.conf"
        conf.write_text(
            textwrap.dedent(
                f"""
                worker_processes 1;
                daemon off;
                pid {tmp}/nginx.pid;
                error_log {tmp}/error.log;
                events {{ worker_connections 1024; }}
                http {{
                    access_log off;
                    sendfile on;
                    keepalive_requests 100000;
                    types {{ text/html html; }}
                    client_body_temp_path {tmp};
                    proxy_temp_path {tmp};
                    fastcgi_temp_path {tmp};
                    uwsgi_temp_path {tmp};
                    scgi_temp_path {tmp};
                    server {{
                        listen 127.0.0.1:{port};
                        root {site};
                        location / {{ try_files $uri $uri/ =404; }}
                    }}
                }}
                """
            )
        )
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)])
        name = "nginx"
    else:
        print(
            "nginx is not installed (Debian: `apt-get install nginx-light`); falling back to "
            "aiohttp's static server, which is slower: figures are a lower bound."
        )
        code = (
            "import sys; from aiohttp import web; app = web.Application(); "
            "app.router.add_static('/', sys.argv[1], show_index=False); "
            "web.run_app(app, host='127.0.0.1', port=int(sys.argv[2]), print=None)"
        )
        proc = subprocess.Popen([sys.executable, "-c", code, str(site), str(port)])
        name = "aiohttp static"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/", name


# ---------------------------------------------------------------------- the crawlers
def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, leaving out a child caught between fork and exec.

    Such a child (its command line still its parent's) runs in its parent's memory (vfork)
    or a copy-on-write copy of it, so its RSS is its parent's again: counting it doubled the
    crawler for a sample whenever one landed while a parse worker was being started.
    """
    todo, found = [(pid, b"")], []
    while todo:
        p, parent = todo.pop()
        cmdline = _cmdline(p)
        if parent and cmdline == parent:
            continue
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [(int(c), cmdline) for c in f.read().split()]
        except OSError:
            pass
    return found


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


@dataclasses.dataclass
class Phase:
    """Peaks of one phase of a run (a linkflow crawl reports its phases on stderr)."""

    tree_rss: float = 0.0
    """MB, peak of the process tree's summed RSS in this phase."""
    main_rss: float = 0.0
    """MB, the main process's RSS at that peak."""
    others: int = 0
    """Other processes (parse workers) alive at that peak."""
    seconds: float = 0.0
    """How long the phase took."""
    cpu: float = 0.0
    """CPU seconds of the process tree in this phase (read from /proc as the phase ends)."""


@dataclasses.dataclass
class Measured:
    result: dict[str, float]
    wall: float
    max_process_rss: float
    """MB, the largest single process (wait4)."""
    tree_rss: float
    """MB, peak of the process tree's summed RSS."""
    tree_pss: float
    """MB, peak of the process tree's summed PSS."""
    phases: dict[str, Phase] = dataclasses.field(default_factory=dict)
    """With ``events``: each phase's peak (``start``, ``fetching``, ``store``, ``templates``)."""


def _phase_of(line: str) -> str | None:
    """The phase a linkflow JSON progress line starts, if any."""
    if not line.startswith("{"):
        return None
    event = json.loads(line)
    if event.get("event") == "crawl_start":
        return "fetching"
    if event.get("event") == "crawl_stage":
        return str(event["stage"])
    if event.get("event") == "crawl_finish":
        return "finish"
    return None


def run_measured(cmd: list[str], *, stderr: bool = False, events: bool = False) -> Measured:
    """Run ``cmd``; return its last JSON line (on stdout, or with ``stderr`` its
    ``crawl_finish`` event on stderr), wall seconds and memory peaks. With ``events`` (or
    ``stderr``) the crawl's JSON progress on stderr splits the peaks by phase."""
    start = time.perf_counter()
    phase = ["start"]
    phases: dict[str, Phase] = {}
    seen: list[str] = []

    began = [time.perf_counter()]
    began_cpu = [0.0]  # the tree's CPU seconds when the current phase began

    def follow(stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode(errors="replace")
            seen.append(line)
            now = _phase_of(line)
            if now is not None:
                ended = phases.setdefault(phase[0], Phase())
                ended.seconds += time.perf_counter() - began[0]
                cpu = tree_cpu(proc.pid)
                ended.cpu += max(0.0, cpu - began_cpu[0])
                began[0], phase[0], began_cpu[0] = time.perf_counter(), now, cpu

    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL if stderr else out,
            stderr=subprocess.PIPE if stderr or events else None, cwd=ROOT,
        )  # fmt: skip
        reader = None
        if proc.stderr is not None:
            reader = threading.Thread(target=follow, args=(proc.stderr,), daemon=True)
            reader.start()
        tree_rss = tree_pss = 0
        while True:
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                # Exited, not yet reaped: its CPU is still readable from /proc while the
                # reader takes the last progress events, then wait4 reaps it.
                wall = time.perf_counter() - start
                if reader is not None:
                    reader.join(10)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            sizes = [_rss_pss_kb(p) for p in _tree(proc.pid)]
            rss = sum(r for r, _ in sizes)
            tree_rss = max(tree_rss, rss)
            tree_pss = max(tree_pss, sum(p for _, p in sizes))
            now = phases.setdefault(phase[0], Phase())
            if sizes and rss / 1024 > now.tree_rss:
                now.tree_rss, now.main_rss = rss / 1024, sizes[0][0] / 1024
                now.others = len(sizes) - 1
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if reader is not None:
            # The phase the process ended in gets the rest of its CPU (wait4 counts the
            # process and every descendant it waited for).
            last = phases.setdefault(phase[0], Phase())
            last.cpu += max(0.0, usage.ru_utime + usage.ru_stime - began_cpu[0])
        if proc.returncode != 0:
            tail = "".join(seen[-5:])
            raise SystemExit(f"{cmd[:3]} failed with status {proc.returncode}:\n{tail}")
        out.seek(0)
        if stderr:
            lines = [line for line in seen if '"crawl_finish"' in line]
        else:
            lines = [line for line in out.read().decode().splitlines() if line.startswith("{")]
    return Measured(
        json.loads(lines[-1]), wall, usage.ru_maxrss / 1024, tree_rss / 1024, tree_pss / 1024,
        phases,
    )  # fmt: skip


def _memory(m: Measured) -> str:
    return (f"peak tree PSS {m.tree_pss:,.0f} MB, tree RSS {m.tree_rss:,.0f} MB, "
            f"largest process RSS {m.max_process_rss:,.0f} MB")  # fmt: skip


def _phases(m: Measured) -> str:
    names = {"fetching": "fetching", "store": "storing", "templates": "templates"}
    parts = [
        f"{label} {p.tree_rss:,.0f} MB (crawler {p.main_rss:,.0f} MB + {p.others} workers "
        f"{p.tree_rss - p.main_rss:,.0f} MB; {p.seconds:,.0f} s, CPU {p.cpu:,.0f} s)"
        for name, label in names.items()
        if (p := m.phases.get(name)) is not None
    ]
    return "peak tree RSS by phase: " + "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--min-links", type=int, default=30)
    parser.add_argument("--max-links", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    cache = Path(tempfile.gettempdir()) / "linkflow-bench"
    parser.add_argument("--cache", type=Path, default=cache, help="where the site is built")
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument(
        "--store-memory", help="linkflow's crawl.store_memory (DuckDB's cap while storing)"
    )
    parser.add_argument(
        "--parse-workers", type=int, help="linkflow's crawl.parse_workers (default: one a core)"
    )
    parser.add_argument(
        "--cli", action="store_true",
        help="also measure the `linkflow crawl` command (the bare crawl is always measured)",
    )  # fmt: skip
    args = parser.parse_args()

    t0 = time.perf_counter()
    site = build_site(args.cache, args.pages, args.min_links, args.max_links)
    print(
        f"site: {args.pages:,} pages, {args.min_links}-{args.max_links} links a page "
        f"({time.perf_counter() - t0:.1f} s to prepare) in {site}"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server, seed, server_name = start_server(site, tmp)
        try:
            print(f"server: {server_name} at {seed}")
            memory = ["--store-memory", args.store_memory] if args.store_memory else []
            if args.parse_workers is not None:
                memory += ["--parse-workers", str(args.parse_workers)]
            lf = run_measured(
                [sys.executable, "-m", "linkflow.crawl", str(tmp / "bench.duckdb"), seed,
                 "--concurrency", str(args.concurrency), "--per-host", str(args.concurrency),
                 "--no-robots", "--max-pages", str(args.pages + 10), "--log-json", *memory],
                events=True,
            )  # fmt: skip
            lf_rate = lf.result["pages"] / lf.result["seconds"]
            print(f"linkflow: {lf.result['pages']:,.0f} pages, {lf.result['links']:,.0f} links "
                  f"stored in {lf.result['seconds']:.1f} s = {lf_rate:,.0f} pages/s; "
                  f"{_memory(lf)} (wall {lf.wall:.1f} s)")  # fmt: skip
            print(f"linkflow {_phases(lf)}")
            if args.cli:
                # The command users run, through the audit folder and its settings file.
                audit = tmp / "audit"
                audit.mkdir()
                toml = f"[crawl]\nper_host_concurrency = {args.concurrency}\n"
                if args.store_memory:
                    toml += f'store_memory = "{args.store_memory}"\n'
                (audit / "linkflow.toml").write_text(toml)
                cli = run_measured(
                    [sys.executable, "-m", "linkflow", "crawl", seed, "--audit", str(audit),
                     "--concurrency", str(args.concurrency), "--ignore-robots",
                     "--max-pages", str(args.pages + 10), "--log-format", "json"],
                    stderr=True,
                )  # fmt: skip
                cli_rate = cli.result["pages"] / cli.result["seconds"]
                print(f"linkflow crawl (CLI): {cli.result['pages']:,.0f} pages in "
                      f"{cli.result['seconds']:.1f} s = {cli_rate:,.0f} pages/s; "
                      f"{_memory(cli)} (wall {cli.wall:.1f} s)")  # fmt: skip
                print(f"linkflow crawl (CLI) {_phases(cli)}")
            if args.skip_scrapy:
                return 0
            spider = tmp / "spider.py"
            spider.write_text(scrapy_spider())
            sc = run_measured([sys.executable, str(spider), seed, str(args.concurrency)])
            sc_rate = sc.result["pages"] / sc.result["seconds"]
            print(f"scrapy:   {sc.result['pages']:,.0f} pages counted in "
                  f"{sc.result['seconds']:.1f} s = {sc_rate:,.0f} pages/s; {_memory(sc)} "
                  f"(wall {sc.wall:.1f} s)")  # fmt: skip
            print(f"ratio linkflow/scrapy: pages/s {lf_rate / sc_rate:.2f}x (target >= 5x); "
                  f"tree RSS {lf.tree_rss / sc.tree_rss:.2f}x (target <= 1.3x); "
                  f"tree PSS {lf.tree_pss / sc.tree_pss:.2f}x; largest process RSS "
                  f"{lf.max_process_rss / sc.max_process_rss:.2f}x")  # fmt: skip
            if args.cli:
                print(f"ratio linkflow crawl (CLI)/scrapy: pages/s {cli_rate / sc_rate:.2f}x; "
                      f"tree RSS {cli.tree_rss / sc.tree_rss:.2f}x")  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
