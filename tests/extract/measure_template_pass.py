"""Time the template pass on a synthetic crawl with many links.

Run ``python -m tests.extract.measure_template_pass [pages] [links_per_page]`` (defaults
20,000 × 50 = 1,000,000 links). Each page has 30 template links (menu and footer) and
20 links of its own; pages fall into 10 URL-path templates.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from linkflow.crawl.template_pass import apply_template_pass
from linkflow.settings import ExtractSettings
from linkflow.store import Store


def build(store: Store, pages: int, per_page: int) -> int:
    """Write a synthetic crawl and return its id."""
    crawl_id = store.new_crawl(source="http", seeds=["https://s.example/"], settings={})
    urls = [f"https://s.example/t{i % 10}/p{i}" for i in range(pages)]
    ids = np.asarray(store.url_ids(urls), dtype=np.int32)
    template = 30
    src = np.repeat(ids, per_page)
    ordinal = np.tile(np.arange(per_page, dtype=np.int32), pages)
    own = (np.arange(pages * per_page) * 7919) % pages
    dst = np.where(ordinal < template, ids[ordinal % pages], ids[own])
    position = np.where(ordinal < 20, "nav", np.where(ordinal < template, "other", "content"))
    anchor = pa.array([f"a{o}" for o in ordinal.tolist()])
    store.append(
        "pages",
        {"crawl_id": [crawl_id] * pages, "url_id": ids, "status": [200] * pages},
    )
    store.append(
        "links",
        pa.table({
            "crawl_id": pa.array(np.full(src.shape, crawl_id, dtype=np.int32)),
            "src_id": pa.array(src), "dst_id": pa.array(dst.astype(np.int32)),
            "ordinal": pa.array(ordinal), "anchor": anchor, "position": pa.array(position),
            "dom_path": pa.array(np.where(ordinal < template, "html>body>nav>a", "html>body>p>a")),
        }),
    )  # fmt: skip
    return crawl_id


if __name__ == "__main__":
    n_pages = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "a.duckdb") as st:
        cid = build(st, n_pages, per)
        start = time.perf_counter()
        apply_template_pass(st, cid, ExtractSettings())
        seconds = time.perf_counter() - start
        moved = st.count("links", crawl_id=cid, position="footer") + st.count(
            "links", crawl_id=cid, position="nav"
        )
        print(
            f"template pass: {n_pages * per:,} links on {n_pages:,} pages in {seconds:.1f} s "
            f"({n_pages * per / seconds:,.0f} links/s); nav+footer links after: {moved:,}"
        )
