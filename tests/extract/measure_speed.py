"""Throughput of parse_page on a realistic ~100 KB page with 300 links.

Run ``python -m tests.extract.measure_speed``. Every page of the run has the same menu,
sidebar and footer (as on a real site, so their URLs hit the resolver cache) and its own
150 content links (which do not).
"""

from __future__ import annotations

import time

from linkflow.extract import parse_page

LOREM = (
    "Gardeners who grow tomatoes under glass learn quickly that ventilation, feeding and "
    "steady watering matter more than any single trick, and the notes below explain why. "
)


def make_page(n: int) -> bytes:
    """Page number ``n``: 60 menu, 150 content, 60 sidebar and 30 footer links."""
    nav = "".join(
        f'<li class="menu-item"><a href="/category/topic-{i}/">Topic {i}</a></li>'
        for i in range(60)
    )
    paras = "".join(
        f"<p>{LOREM}See <a href='/{n}/post-{i}/'>related post {i} of page {n}</a> for the "
        f"details. {LOREM}{LOREM[:200]}</p>"
        for i in range(150)
    )
    side = "".join(f'<li><a href="/tag/tag-{i}/">tag {i}</a></li>' for i in range(60))
    foot = "".join(f'<li><a href="/info/{i}">Footer link {i}</a></li>' for i in range(30))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Page</title>"
        "<meta name='description' content='d'></head><body>"
        f"<header class='site-header'><nav class='main-navigation'><ul>{nav}</ul></nav></header>"
        f"<div id='content' class='site-content'><main id='main'><article><h1>Title {n}</h1>"
        f"{paras}</article></main><aside class='widget-area'><ul>{side}</ul></aside></div>"
        f"<footer class='site-footer'><ul>{foot}</ul></footer></body></html>"
    ).encode()


def pages_per_second(pages: int = 200, rounds: int = 3) -> tuple[float, int, int]:
    """(pages/s of CPU time, bytes of one page, links of one page), best of ``rounds``.

    CPU time of this process, not wall time, so a busy machine does not skew the figure.
    """
    bodies = [make_page(n) for n in range(pages)]
    links = len(parse_page(bodies[0], "https://example.com/0/").links)
    best = 0.0
    for _ in range(rounds):
        start = time.process_time()
        for n, body in enumerate(bodies):
            parse_page(body, f"https://example.com/{n}/")
        best = max(best, pages / (time.process_time() - start))
    return best, len(bodies[0]), links


if __name__ == "__main__":
    rate, size, count = pages_per_second()
    print(f"parse_page: {rate:.0f} pages/s (CPU, one core), {size / 1000:.0f} KB, {count} links")
