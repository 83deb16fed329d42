"""Peak memory and time of the template pass on a large synthetic crawl.

Run ``python -m tests.extract.measure_template_pass [pages [IMPL:LIMIT:THREADS ...]]``
(default 20,000 pages, about 3.3 million links, and the configurations in ``CONFIGS``). It
writes one synthetic crawl to a scratch audit file, then times the pass in a fresh process
per configuration (peak RSS cannot be reset inside a process):

- ``old``: the reference SQL the pass used to run (one wide scratch table of every link),
  kept in :mod:`tests.extract.test_template_pass`;
- ``new``: :func:`linkflow.crawl.template_pass.apply_template_positions`;

each under a DuckDB ``memory_limit`` and thread count. A run that fails (DuckDB out of
memory) is reported as such. ``python -m tests.extract.measure_template_pass run FILE IMPL
LIMIT THREADS`` runs one configuration on a copy of FILE.

Each page carries 30 to 300 links: a 12-link header menu and a 10-link footer (the same
on every page), a call to action on most pages of some templates, and links of its own
(anchor about 20 characters, DOM path about 50, context about 100). Pages fall into eight
URL-path templates; on two of them the page classifier could not tell the menu from the
content, so the pass has demotions to make.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.crawl.template_pass import apply_template_positions
from linkflow.store import Store

SITE = "https://s.example"
TEMPLATES = ("blog/2024", "blog/2023", "product", "category", "docs/guide", "t5", "t6", "")
SOUP = (5, 6)  # templates whose menu and footer the page classifier called content/other
HEADER, FOOTER = 12, 10
SHARES = {"template_share": 0.5, "sitewide_share": 0.9, "min_pages": 5}
CONFIGS = ("old:512MB:2", "old:32MB:1", "new:512MB:2", "new:32MB:1", "new:32MB:2")


def _pool(rng: np.random.Generator, size: int, length: int, prefix: str = "") -> pa.Array:
    """``size`` distinct strings of about ``length`` characters."""
    words = np.array(["link", "page", "read", "more", "guide", "about", "the", "best", "new"])
    picked = words[rng.integers(0, len(words), (size, length // 4))]
    return pa.array(
        [f"{prefix}{' '.join(row)}"[: length - 7] + f" {i}" for i, row in enumerate(picked)]
    )


def _page_urls(pages: int) -> list[str]:
    urls = []
    for i in range(pages):
        t = TEMPLATES[i % len(TEMPLATES)]
        urls.append(f"{SITE}/{t}/p{i}" if t else f"{SITE}/p{i}")
    return urls


def _links_chunk(
    rng: np.random.Generator, ids: np.ndarray, first: int, last: int, pools: dict[str, pa.Array]
) -> pa.Table:
    """The links of pages ``first .. last - 1`` (positions in ``ids``)."""
    page = np.arange(first, last)
    n = rng.integers(30, 301, len(page))
    src_pos = np.repeat(page, n)
    rows = len(src_pos)
    starts = np.repeat(np.cumsum(n) - n, n)
    ordinal = np.arange(rows) - starts
    per_page = np.repeat(n, n)
    template = src_pos % len(TEMPLATES)
    soup = np.isin(template, SOUP)
    header = ordinal < HEADER
    footer = ordinal >= per_page - FOOTER
    cta = (ordinal == HEADER + 3) & (template < 3) & (rng.random(rows) < 0.7)
    own = ~(header | footer | cta)
    menu = np.where(header, ordinal, ordinal - per_page + FOOTER + HEADER)
    dst_pos = np.where(own, rng.integers(0, len(ids), rows), menu % len(ids))
    dst_pos = np.where(cta, 42 % len(ids), dst_pos)
    # Half of a page's own links are named after their target and sit in one of a few
    # common content blocks, so many signatures repeat on a handful of pages.
    titled = own & (rng.random(rows) < 0.5)
    fixed = HEADER + FOOTER + 1
    anchor_i = np.where(titled, fixed + dst_pos % (len(pools["anchor"]) - fixed),
                        rng.integers(fixed, len(pools["anchor"]), rows))  # fmt: skip
    anchor_i = np.where(own, anchor_i, np.where(cta, HEADER + FOOTER, menu))
    path_i = np.where(titled, rng.integers(2, 12, rows), rng.integers(12, len(pools["path"]), rows))
    path_i = np.where(header, 0, np.where(footer, 1, path_i))
    position = np.where(
        own | cta,
        np.where(rng.random(rows) < 0.9, "content", "other"),
        np.where(soup, "content", np.where(header, "nav", "footer")),
    )
    anchor = pools["anchor"].take(pa.array(anchor_i))
    anchor = pc.if_else(pa.array(rng.random(rows) < 0.02), pa.nulls(rows, pa.string()), anchor)
    context = pc.binary_join_element_wise(
        pools["context"].take(pa.array(rng.integers(0, len(pools["context"]), rows))),
        pc.cast(pa.array(src_pos), pa.string()),
        " ",
    )
    return pa.table({
        "src_id": pa.array(ids[src_pos]), "dst_id": pa.array(ids[dst_pos]),
        "ordinal": pa.array(ordinal.astype(np.int32)), "anchor": anchor,
        "position": pa.array(position), "dom_path": pools["path"].take(pa.array(path_i)),
        "context": pc.if_else(pa.array(own), context, pa.nulls(rows, pa.string())),
    })  # fmt: skip


def build(store: Store, pages: int, seed: int = 0) -> int:
    """Write a synthetic crawl of ``pages`` pages and return its id."""
    rng = np.random.default_rng(seed)
    crawl_id = store.new_crawl(source="http", seeds=[SITE + "/"], settings={})
    ids = np.asarray(store.url_ids(_page_urls(pages)), dtype=np.int32)
    store.append(
        "pages",
        {"crawl_id": [crawl_id] * pages, "url_id": ids, "status": [200] * pages,
         "content_type": ["text/html"] * pages},
    )  # fmt: skip
    pools = {
        "anchor": _pool(rng, 2 * pages + 100, 20),
        "path": _pool(rng, 400, 50, "html>body>div.main>"),
        "context": _pool(rng, min(50_000, 3 * pages), 94),
    }
    for first in range(0, pages, 1000):
        chunk = _links_chunk(rng, ids, first, min(pages, first + 1000), pools)
        chunk = chunk.append_column(
            "crawl_id", pa.array(np.full(chunk.num_rows, crawl_id, np.int32))
        )
        store.append("links", chunk)
    return crawl_id


def _peak_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries the latter over ``exec`` from the
    parent, so a child of a big process would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(path: Path, impl: str, limit: str, threads: int) -> str:
    """Run one implementation on the audit file at ``path``; return a one-line result."""
    with Store.open(path) as store:
        crawl_id = int(store.scalar("SELECT max(id) FROM crawls"))
        links = store.count("links", crawl_id=crawl_id)
        before = _peak_mb()
        store.query(f"SET memory_limit = '{limit}'")
        store.query(f"SET threads = {threads}")
        if impl == "old":
            from tests.extract.test_template_pass import reference_template_positions as apply
        else:
            apply = apply_template_positions
        start = time.perf_counter()
        try:
            changed = apply(store, crawl_id, **SHARES)
            outcome = f"changed {changed:,}"
        except Exception as exc:  # report the failure as a measurement
            outcome = f"FAILED: {str(exc)[:120]}"
        seconds = time.perf_counter() - start
    return (
        f"{impl:>3} limit={limit:>5} threads={threads}: {links:,} links, {seconds:6.1f} s, "
        f"peak RSS {_peak_mb():6.0f} MB (after open {before:.0f} MB); {outcome}"
    )


def main(argv: list[str]) -> None:
    """Build the synthetic crawl once, then measure each configuration in a new process."""
    if argv[:1] == ["run"]:
        src, impl, limit, threads = Path(argv[1]), argv[2], argv[3], int(argv[4])
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "a.duckdb"
            shutil.copyfile(src, copy)
            print(run_one(copy, impl, limit, threads), flush=True)
        return
    pages = int(argv[0]) if argv else 20_000
    configs = argv[1:] or CONFIGS
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.duckdb"
        start = time.perf_counter()
        with Store.open(base) as store:
            build(store, pages)
        print(f"built {pages:,} pages in {time.perf_counter() - start:.0f} s", flush=True)
        for config in configs:
            impl, limit, threads = config.split(":")
            cmd = [sys.executable, "-m", __spec__.name if __spec__ else __name__, "run",
                   str(base), impl, limit, threads]  # fmt: skip
            subprocess.run(cmd, check=False)


if __name__ == "__main__":
    main(sys.argv[1:])
