"""Generate the demo site, its exports and its answer keys (deterministic; run once).

    python -m linkflow.demo.build          # rewrites site/, exports/ and the JSON files

Writes, next to this module:

- ``site/``: the static site (pretty URLs: ``/a/b/`` is ``site/a/b/index.html``), with
  ``robots.txt``, ``sitemap.xml``, ``_redirects`` (Netlify style), ``404.html`` and assets;
- ``exports/``: the Ahrefs and Search Console exports of the site (see exports.py);
- ``expected_links.json``: every ``<a href>`` of every page, from the generator's own record
  of what it wrote (404.html is left out: it is only an error body);
- ``planted.json``: the deliberately planted problems and the URLs involved (see planted.py).

The same inputs give byte-identical output, so a test can rebuild into a temporary folder
and compare with the committed files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from linkflow.demo import exports, pages, planted
from linkflow.demo.content import entries
from linkflow.demo.render import ORIGIN, Page, WrittenLink

__all__ = ["REDIRECTS", "build", "build_pages"]

HERE = Path(__file__).parent

REDIRECTS: tuple[tuple[str, str, int], ...] = (
    ("/old-services/", "/services-old/", 301),
    ("/services-old/", "/services/", 301),
    ("/blog/lawn-aeration-guide/", "/blog/aeration-guide/", 301),
    ("/free-quote/", "/contact/", 301),
)
"""``_redirects`` rules: (from path, to path, status). The first two form a chain."""

# Pages left out of the sitemap: pagination, tags, noindex, the print duplicate.
_NOT_IN_SITEMAP = ("/blog/page/", "/blog/tag/", "/thank-you/", "/print/")

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
    '<rect width="{w}" height="{h}" fill="{bg}"/><circle cx="{cx}" cy="{cy}" r="{r}" '
    'fill="{fg}"/></svg>\n'
)
_CSS = """body { font-family: Georgia, serif; margin: 0; color: #1f2d1f; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
.site-header, .site-footer { background: #2f5d34; color: #fff; }
.site-header a, .site-footer a { color: #fff; }
.main-nav ul { display: flex; gap: 1.5rem; list-style: none; }
.page { display: grid; grid-template-columns: 1fr 18rem; gap: 2rem; }
.button { background: #e0a526; padding: .5rem 1rem; border-radius: 4px; }
.breadcrumbs { font-size: .85rem; }
"""


def build_pages() -> dict[str, tuple[Page, str]]:
    """Every page of the site by root-relative path: the page (with its links) and its HTML."""
    built: dict[str, tuple[Page, str]] = {}

    def add(path: str, render: Callable[..., str], *args: object) -> None:
        page = Page(path)
        built[path] = (page, render(page, *args))

    add("/", pages.home)
    add("/services/", pages.services_hub)
    for svc in entries("service"):
        add(f"/services/{svc['slug']}/", pages.service, svc)
        if svc["slug"] == "patio-installation":
            add(f"/services/{svc['slug']}/print/", pages.print_version, svc)
    for n in range(1, pages.blog_index_pages() + 1):
        add("/blog/" if n == 1 else f"/blog/page/{n}/", pages.blog_index, n)
    for post in entries("post"):
        add(f"/blog/{post['slug']}/", pages.post, post)
    for slug in pages.CATEGORIES:
        add(f"/blog/category/{slug}/", pages.category, slug)
    for slug in sorted({t for p in pages.listed_posts() for t in p.items("tags")}):
        add(f"/blog/tag/{slug}/", pages.tag, slug)
    add("/locations/", pages.locations_hub)
    for loc in entries("location"):
        add(f"/locations/{loc['slug']}/", pages.location, loc)
    for entry in entries("page"):
        add(entry["path"], pages.simple, entry)
    add("/spring-offer/", pages.spring_offer)
    return built


def _file_for(path: str) -> str:
    return path.lstrip("/") + "index.html"


def _sitemap(paths: list[str]) -> str:
    dates = {f"/blog/{p['slug']}/": p["date"] for p in entries("post")}
    rows = []
    for path in paths:
        if any(part in path for part in _NOT_IN_SITEMAP):
            continue
        lastmod = dates.get(path, "2026-10-01")
        rows.append(
            f"  <url>\n    <loc>{ORIGIN}{path}</loc>\n    <lastmod>{lastmod}</lastmod>\n  </url>"
        )
    body = "\n".join(rows)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}\n</urlset>\n"
    )


def _robots() -> str:
    return (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        f"Sitemap: {ORIGIN}/sitemap.xml\n"
    )


def _redirects_file() -> str:
    lines = ["# Netlify-style redirect rules: from, to, status"]
    lines += [f"{src}  {dst}  {status}" for src, dst, status in REDIRECTS]
    return "\n".join(lines) + "\n"


def _assets() -> dict[str, str]:
    svg = {
        "logo": {"w": 180, "h": 48, "bg": "#2f5d34", "fg": "#8cc63f", "cx": 24, "cy": 24, "r": 16},
        "garden": {
            "w": 480,
            "h": 320,
            "bg": "#cfe3c1",
            "fg": "#3f7d3a",
            "cx": 240,
            "cy": 170,
            "r": 110,
        },
        "patio": {
            "w": 480,
            "h": 320,
            "bg": "#d9d2c5",
            "fg": "#8a7f70",
            "cx": 240,
            "cy": 160,
            "r": 90,
        },
    }
    files = {f"assets/img/{name}.svg": _SVG.format(**spec) for name, spec in svg.items()}
    files["assets/site.css"] = _CSS
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, content in sorted(files.items()):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))


def _dump_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def build(root: Path = HERE) -> None:
    """Write site/, exports/, expected_links.json and planted.json under ``root``.

    ``site/`` and ``exports/`` are deleted first so no stale file survives a rebuild.
    """
    built = build_pages()
    files = {_file_for(path): html for path, (_, html) in built.items()}
    files["404.html"] = pages.not_found(Page("/404.html"))
    files["sitemap.xml"] = _sitemap(list(built))
    files["robots.txt"] = _robots()
    files["_redirects"] = _redirects_file()
    files.update(_assets())
    links: list[WrittenLink] = [link for page, _ in built.values() for link in page.links]

    for sub in ("site", "exports"):
        shutil.rmtree(root / sub, ignore_errors=True)
    _write(root / "site", files)
    facts = planted.compute(list(built), links, REDIRECTS)
    exports.write_all(root / "exports", list(built), facts)
    _dump_json(root / "expected_links.json", [link.as_json() for link in links])
    _dump_json(root / "planted.json", facts)


if __name__ == "__main__":
    build()
