"""What a crawl keeps resident: the crawl process never loads Arrow, a parse worker never
loads the network or the store. Each import costs tens of megabytes per process (measured
in bench/crawl_bench.py), so these are checked in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _loaded(code: str, modules: list[str]) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()


def test_the_crawl_stage_does_not_import_arrow() -> None:
    code = "import linkflow.crawl, linkflow.crawl.__main__, linkflow.crawl.journal_load"
    assert _loaded(code, ["pyarrow", "numpy", "scipy"]) == []


def test_opening_an_audit_loads_no_fetching_code() -> None:
    # What opening an audit imports, storing a killed crawl's journal on the way: the
    # fetching (aiohttp, asyncio, the parsers) and the later stages are left out.
    code = "import linkflow.audit, linkflow.crawl.__main__"
    heavy = ["aiohttp", "asyncio", "selectolax", "protego", "rich", "pyarrow", "numpy", "scipy"]
    assert _loaded(code, heavy) == []


def test_a_parse_worker_imports_only_the_parser() -> None:
    code = (
        "from linkflow.extract.worker import main, parse_body\n"
        "from linkflow.heap import Trimmer, map_large_blocks\n"
        "Trimmer().trim()\nmap_large_blocks()"
    )
    heavy = ["aiohttp", "duckdb", "pyarrow", "linkflow.crawl", "charset_normalizer", "subprocess"]
    assert _loaded(code, heavy) == []


def test_encoding_detection_loads_its_detector_only_for_pages_that_need_it() -> None:
    """Declared or UTF-8 pages never load charset_normalizer; an undeclared page in another
    encoding does (tests/extract check what it decodes)."""
    parse = "from linkflow.extract.parse import parse_page\nparse_page({body!r}, 'https://e.com/')"
    utf8 = "<html><body><p>caf\u00e9 na\u00efve</p></body></html>".encode()
    assert _loaded(parse.format(body=utf8), ["charset_normalizer"]) == []
    latin = (
        "<html><body><p>" + "d\u00e9j\u00e0 vu, caf\u00e9 cr\u00e8me " * 20 + "</p></body></html>"
    )
    assert _loaded(parse.format(body=latin.encode("cp1252")), ["charset_normalizer"]) == [
        "charset_normalizer"
    ]


def test_the_public_suffix_list_is_loaded_only_for_subdomain_scopes() -> None:
    scope = "from linkflow.urls import Scope\nScope(['https://example.com/'], subdomains={})"
    assert _loaded(scope.format(False), ["tldextract"]) == []
    assert _loaded(scope.format(True), ["tldextract"]) == ["tldextract"]


def test_a_whole_crawl_run_loads_neither_arrow_nor_pandas(tmp_path: Path) -> None:
    # Fetching, storing the journal and the template pass, as a user's run does them. DuckDB's
    # client imports pandas, NumPy and pyarrow (about 80 MB) as soon as it binds a Python
    # value, so the store passes plain parameters as SQL literals.
    site = tmp_path / "public"
    site.mkdir()
    for i in range(3):
        nxt = (i + 1) % 3
        (site / f"p{i}.html").write_text(
            f'<html><head><title>Page {i}</title></head><body><nav><a href="/p{nxt}.html">'
            f"next</a></nav><main><p>Text of page {i}.</p></main></body></html>"
        )
    (site / "index.html").write_text('<a href="/p0.html">start</a>')
    code = (
        "from pathlib import Path\n"
        "from linkflow.crawl import crawl_folder\n"
        "from linkflow.settings import CrawlSettings, ExtractSettings\n"
        "from linkflow.store import Store\n"
        f"with Store.open(Path({str(tmp_path / 'a.duckdb')!r})) as store:\n"
        f"    s = crawl_folder(store, Path({str(site)!r}), 'https://example.com/',\n"
        "                     CrawlSettings(), ExtractSettings())\n"
        "    assert s.pages == 4 and not s.interrupted, s\n"
        "    assert store.scalar('SELECT count(*) FROM links WHERE crawl_id = ?', [1]) == 4\n"
    )
    assert _loaded(code, ["pyarrow", "numpy", "pandas"]) == []
