"""linkflow: audit how authority flows through a website.

The public API is listed in ``__all__``; names are imported on first use, so
``import linkflow`` stays cheap. Start with :class:`Audit`::

    from linkflow import Audit

    with Audit("linkflow-audit") as audit:
        audit.crawl("https://example.com").analyse()
        print(audit.report())
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AnalysisError": "linkflow.errors",
    "Audit": "linkflow.audit",
    "Backlink": "linkflow.models",
    "ConfigError": "linkflow.errors",
    "CrawlError": "linkflow.errors",
    "CrawlSummary": "linkflow.models",
    "Finding": "linkflow.models",
    "ImportFormatError": "linkflow.errors",
    "Link": "linkflow.models",
    "LinkGraph": "linkflow.graph",
    "LinkflowError": "linkflow.errors",
    "PageFacts": "linkflow.models",
    "ReportError": "linkflow.errors",
    "SchemaVersionError": "linkflow.errors",
    "Settings": "linkflow.settings",
    "Store": "linkflow.store",
    "StoreError": "linkflow.errors",
    "analyse_backlinks": "linkflow.analyses.backlinks",
    "analyse_internal": "linkflow.analyses.internal",
    "build_graph": "linkflow.graph",
    "crawl_folder": "linkflow.crawl",
    "crawl_site": "linkflow.crawl",
    "detect": "linkflow.ingest",
    "export_table": "linkflow.report",
    "import_file": "linkflow.ingest",
    "import_screaming_frog": "linkflow.ingest.screaming_frog",
    "load_settings": "linkflow.settings",
    "normalize": "linkflow.urls",
    "pagerank": "linkflow.graph",
    "parse_page": "linkflow.extract",
    "write_report": "linkflow.report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'linkflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
