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
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what type checkers see; at run time each name is imported on first use
    from linkflow.analyses.backlinks import analyse_backlinks as analyse_backlinks
    from linkflow.analyses.internal import analyse_internal as analyse_internal
    from linkflow.analyses.verdict import Verdict as Verdict
    from linkflow.audit import Audit as Audit
    from linkflow.crawl import crawl_folder as crawl_folder
    from linkflow.crawl import crawl_site as crawl_site
    from linkflow.errors import AnalysisError as AnalysisError
    from linkflow.errors import ConfigError as ConfigError
    from linkflow.errors import CrawlError as CrawlError
    from linkflow.errors import ImportFormatError as ImportFormatError
    from linkflow.errors import LinkflowError as LinkflowError
    from linkflow.errors import ReportError as ReportError
    from linkflow.errors import SchemaVersionError as SchemaVersionError
    from linkflow.errors import StoreError as StoreError
    from linkflow.extract import parse_page as parse_page
    from linkflow.graph import LinkGraph as LinkGraph
    from linkflow.graph import build_graph as build_graph
    from linkflow.graph import pagerank as pagerank
    from linkflow.ingest import detect as detect
    from linkflow.ingest import import_file as import_file
    from linkflow.ingest.screaming_frog import import_screaming_frog as import_screaming_frog
    from linkflow.models import CrawlSummary as CrawlSummary
    from linkflow.models import Finding as Finding
    from linkflow.models import Link as Link
    from linkflow.models import PageFacts as PageFacts
    from linkflow.recommend.records import Fix as Fix
    from linkflow.recommend.records import PageChange as PageChange
    from linkflow.recommend.records import PlannedEdit as PlannedEdit
    from linkflow.recommend.records import Recommendations as Recommendations
    from linkflow.recommend.records import Suggestion as Suggestion
    from linkflow.recommend.records import WhatIf as WhatIf
    from linkflow.report import export_table as export_table
    from linkflow.report import write_report as write_report
    from linkflow.settings import Settings as Settings
    from linkflow.settings import load_settings as load_settings
    from linkflow.store import Store as Store
    from linkflow.urls import normalize as normalize

_EXPORTS: dict[str, str] = {
    "AnalysisError": "linkflow.errors",
    "Audit": "linkflow.audit",
    "ConfigError": "linkflow.errors",
    "CrawlError": "linkflow.errors",
    "CrawlSummary": "linkflow.models",
    "Finding": "linkflow.models",
    "Fix": "linkflow.recommend.records",
    "ImportFormatError": "linkflow.errors",
    "Link": "linkflow.models",
    "LinkGraph": "linkflow.graph",
    "LinkflowError": "linkflow.errors",
    "PageChange": "linkflow.recommend.records",
    "PageFacts": "linkflow.models",
    "PlannedEdit": "linkflow.recommend.records",
    "Recommendations": "linkflow.recommend.records",
    "ReportError": "linkflow.errors",
    "SchemaVersionError": "linkflow.errors",
    "Settings": "linkflow.settings",
    "Store": "linkflow.store",
    "StoreError": "linkflow.errors",
    "Suggestion": "linkflow.recommend.records",
    "Verdict": "linkflow.analyses.verdict",
    "WhatIf": "linkflow.recommend.records",
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
