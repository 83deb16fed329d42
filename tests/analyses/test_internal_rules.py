"""One definition of each rule the analyses share (naked URLs, anchor classes, severities),
and the internal analysis' in-memory result against what it stores."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import linkflow.analyses
from linkflow.analyses.anchors import (
    anchor_class,
    generic_anchor_list,
    is_naked_url,
    normalise_anchor,
)
from linkflow.analyses.backlinks_anchors import GENERIC_ANCHORS, classify_anchor
from linkflow.analyses.findings_text import BACKLINK_KINDS, INTERNAL_KINDS, SEVERITY, WHY
from linkflow.analyses.internal import run_internal
from linkflow.analyses.persist import persist_internal
from linkflow.models import ANCHOR_CLASSES, BLOCKED, SEVERITIES
from linkflow.settings import Settings
from linkflow.store import Store
from tests.analyses.test_internal import problem_site
from tests.graph.sitebuilder import Site, u


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


# ---------------------------------------------------------------------- naked URLs
@pytest.mark.parametrize(
    ("text", "naked"),
    [
        ("https://www.acme.co.uk/garden-sheds/", True),
        ("  example.com/down ", True),
        ("www.example.com", True),
        ("acme.co.uk", True),
        # a scheme makes a URL, whatever follows (the backlink copy of the rule missed these)
        ("https://localhost:8080/admin", True),
        ("http://example.com?ref=nav", True),
        # hosts are not only ASCII (the SQL copy of the rule missed this one)
        ("bücher.de/neu", True),
        ("HTTPS://Example.COM/X", True),
        # a bare host needs a common top-level domain; dotted names of code are no hosts
        # (tests/analyses/test_anchor_precision.py has the full lists)
        ("python.org", True),
        ("example.shop:8080", True),
        ("urllib.request", False),
        ("setup.py", False),
        ("Read more", False),
        ("example", False),
        ("see example.com for more", False),
        ("", False),
    ],
)
def test_naked_url_rule(text: str, naked: bool) -> None:
    assert is_naked_url(text) is naked
    assert (classify_anchor(text) == "naked_url") is naked


ANCHORS = [
    "https://localhost:8080/admin", "http://example.com?ref=nav", "bücher.de/neu",
    "example.com/down", "Read more", "visit website", "leer más", "Home", "Alpha guide",
    "", "!!!", "Läs mer",
]  # fmt: skip
KIND_OF_CLASS = {"naked_url": "naked-url-anchor", "generic": "generic-anchor",
                 "empty": "empty-anchor"}  # fmt: skip


def test_internal_anchor_findings_and_backlink_classes_agree(store: Store) -> None:
    site = Site().page("/")
    for i, text in enumerate(ANCHORS):
        site.page(f"/s{i}").link(f"/s{i}", "/", anchor=text)
    crawl = site.write(store)
    findings = run_internal(store, crawl, Settings()).findings
    by_source: dict[int, set[str]] = {}
    for row in findings.select(["kind", "url_id"]).to_pylist():
        by_source.setdefault(row["url_id"], set()).add(row["kind"])
    ids = store.lookup_url_ids([u(f"/s{i}") for i in range(len(ANCHORS))])
    for text, url_id in zip(ANCHORS, ids, strict=True):
        assert url_id is not None
        anchor_kinds = by_source.get(url_id, set()) & set(KIND_OF_CLASS.values())
        expected = KIND_OF_CLASS.get(classify_anchor(text))
        assert anchor_kinds == ({expected} if expected else set()), text


def test_one_generic_list_and_one_normalisation() -> None:
    assert frozenset(generic_anchor_list()) == GENERIC_ANCHORS
    assert {"visit website", "leer más", "mehr erfahren", "click here"} <= GENERIC_ANCHORS
    assert "home" not in GENERIC_ANCHORS  # a "Home" link names its target
    assert normalise_anchor("  READ   more…") == "read more"
    assert normalise_anchor("ＣＬＩＣＫ　ＨＥＲＥ") == "click here"  # NFKC: full-width forms
    assert normalise_anchor("Straße") == normalise_anchor("STRASSE")
    assert anchor_class("Read more", generic=GENERIC_ANCHORS) == "generic"
    assert anchor_class("logo", is_image=True, generic=GENERIC_ANCHORS) == "image"
    assert anchor_class("!!!", generic=GENERIC_ANCHORS) == "empty"
    assert anchor_class("Garden sheds", generic=GENERIC_ANCHORS) is None
    assert {"image", "empty", "naked_url", "generic"} <= set(ANCHOR_CLASSES)


# ---------------------------------------------------------------------- severities
def every_kind_site() -> Site:
    site = problem_site()
    for i in range(12):
        site.page(f"/p{i}").link("/", f"/p{i}", anchor=f"Topic {i}", position="nav")
        site.link(f"/p{i}", "/t", anchor=f"Words {i}")
    site.page("/private", None, error=BLOCKED).link("/", "/private")  # unchecked-link
    return site.page("/t").page("/x").page("/y").link("/x", "/y")


EVERY_KIND_SETTINGS = Settings().replace(
    **{"analyse.money": ("*/c",), "analyse.overlinking_threshold": 10}
)


def test_the_vocabulary_covers_every_kind() -> None:
    assert set(SEVERITY) == set(INTERNAL_KINDS) | set(BACKLINK_KINDS)
    assert not set(INTERNAL_KINDS) & set(BACKLINK_KINDS)
    assert set(SEVERITY.values()) <= set(SEVERITIES)
    assert set(WHY) == set(INTERNAL_KINDS)


def test_stored_severity_is_the_tables(store: Store) -> None:
    crawl = every_kind_site().write(store)
    persist_internal(store, run_internal(store, crawl, EVERY_KIND_SETTINGS))
    rows = store.read("findings", ["kind", "severity", "why"], crawl_id=crawl).to_pylist()
    assert {r["kind"] for r in rows} == set(INTERNAL_KINDS)  # every kind can be emitted
    assert all(r["severity"] == SEVERITY[r["kind"]] for r in rows)
    assert all(r["why"] == WHY[r["kind"]] for r in rows)


def _string_constants(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def test_no_severity_is_written_outside_the_table() -> None:
    folder = Path(linkflow.analyses.__file__).parent
    quoted = {f"'{s}'" for s in SEVERITIES} | set(SEVERITIES)
    for path in sorted(folder.glob("*.py")):
        if path.name == "findings_text.py":
            continue
        hits = [s for s in _string_constants(path) if s in quoted or any(
            f"'{sev}'" in s for sev in SEVERITIES)]  # fmt: skip
        assert not hits, f"{path.name} spells a severity ({hits}); take it from SEVERITY"


# ---------------------------------------------------------------------- in-memory result
def _stored(store: Store, table: str, crawl: int, columns: list[str]) -> list[dict[str, Any]]:
    return list(store.read(table, columns, crawl_id=crawl).to_pylist())


def test_run_internal_writes_nothing_and_its_result_is_what_is_stored(store: Store) -> None:
    crawl = every_kind_site().write(store)
    result = run_internal(store, crawl, EVERY_KIND_SETTINGS)
    assert store.count("page_metrics") == store.count("findings") == 0
    assert store.count("analysis_runs") == 0
    summary = persist_internal(store, result)
    assert (summary.nodes, summary.run_id) == (result.graph.n, 1)

    # page_metrics rows are the result's pages table, column for column
    columns = result.pages.column_names
    stored = sorted(_stored(store, "page_metrics", crawl, columns), key=lambda r: r["url_id"])
    assert stored == sorted(result.pages.to_pylist(), key=lambda r: r["url_id"])

    # ... and the node arrays behind them
    graph_rows = [r for r in stored if r["in_graph"]]
    nodes = result.nodes_of(np.array([r["url_id"] for r in graph_rows]))
    assert (nodes >= 0).all()
    assert [r["equity"] for r in graph_rows] == result.equity[nodes].tolist()
    assert [r["depth"] for r in graph_rows] == [
        None if d < 0 else d for d in result.depth[nodes].tolist()
    ]
    assert [r["inlinks"] for r in graph_rows] == result.graph.in_degree[nodes].tolist()
    assert result.node_url_ids[nodes].tolist() == [r["url_id"] for r in graph_rows]
    money = result.page_column("is_money")
    assert sorted(u for u, m in zip(result.page_column("url"), money, strict=True) if m) == [
        u("/c")
    ]

    # findings rows are the result's findings, with URLs filled in
    findings = result.findings.to_pylist()
    refs = ("url_id", "ref_id", "target_id")
    ids = sorted({f[c] for f in findings for c in refs if f[c] is not None})
    url_of = dict(zip(ids, store.urls_by_id(ids), strict=True))
    for f in findings:
        f["url"] = url_of.get(f["url_id"])
        f["detail"] = f["detail"].replace("{ref}", url_of.get(f["ref_id"], ""))
        f["target_url"] = url_of.get(f.pop("target_id"))
        del f["ref_id"]
    columns = ["kind", "severity", "url_id", "url", "detail", "why", "value", "target_url"]
    got = _stored(store, "findings", crawl, columns)
    assert len(got) == len(findings) > 0

    def key(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(repr(row[c]) for c in columns)

    assert sorted(got, key=key) == sorted(findings, key=key)
