"""The template pass: after a crawl, correct link positions with what the whole site shows.

A link that the page classifier could not place (``content``/``other``) but that sits at
the same DOM path with the same anchor and target on most pages of a template is part of
the template, not of any page's content; a link on nearly every page is sitewide. The
pass is set-based SQL in :mod:`linkflow.store.positions`.
"""

from __future__ import annotations

from linkflow.settings import ExtractSettings
from linkflow.store.db import Store
from linkflow.store.positions import apply_template_positions

__all__ = ["apply_template_pass"]


def apply_template_pass(store: Store, crawl_id: int, settings: ExtractSettings) -> None:
    """Fill ``links.template_share`` and ``links.sitewide`` and reposition template links.

    Uses ``settings.template_share``, ``settings.sitewide_share`` and
    ``settings.template_min_pages``; idempotent, one transaction.
    """
    apply_template_positions(
        store,
        crawl_id,
        template_share=settings.template_share,
        sitewide_share=settings.sitewide_share,
        min_pages=settings.template_min_pages,
    )
