"""The bundled demo: a small landscaping company's website, its exports, and a server for it.

The site (``DEMO_SITE``) is 69 static pages of "Greenleaf Landscaping" written by
``python -m linkflow.demo.build``, with classic link problems planted on purpose (listed in
``planted.json``). Its public origin is ``DEMO_ORIGIN``; :func:`serve_site` serves it on
127.0.0.1, and a crawl with ``base_url=DEMO_ORIGIN`` stores it under the public origin so it
joins the backlink and Search Console exports in ``DEMO_EXPORTS``.
"""

from __future__ import annotations

from pathlib import Path

from linkflow.demo.exports import EXPORT_FILES
from linkflow.demo.render import ORIGIN
from linkflow.demo.server import serve_site

__all__ = [
    "DEMO_EXPECTED_LINKS",
    "DEMO_EXPORTS",
    "DEMO_ORIGIN",
    "DEMO_PLANTED",
    "DEMO_SITE",
    "demo_exports",
    "serve_site",
]

_HERE = Path(__file__).parent
DEMO_SITE = _HERE / "site"
DEMO_EXPORTS = _HERE / "exports"
DEMO_PLANTED = _HERE / "planted.json"
DEMO_EXPECTED_LINKS = _HERE / "expected_links.json"
DEMO_ORIGIN = ORIGIN


def demo_exports() -> dict[str, Path]:
    """The demo's export files by kind: ``backlinks`` (Ahrefs), ``gsc_links`` (Search Console
    "Latest links") and ``gsc_pages`` (Search Console performance ``Pages.csv``).

    The folder also holds a Search Console "Top linking sites" file, which has no linking
    URLs and is left out here.
    """
    keys = ("backlinks", "gsc_links", "gsc_pages")
    return {key: DEMO_EXPORTS / EXPORT_FILES[key] for key in keys}
