"""The demo's planted authority problem, found end to end: the backlinked posts that never
link to a service page (linkflow/demo/planted.py TRAPPED_POSTS) trap the most authority,
and `linkflow demo` prints the verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.demo import DEMO_ORIGIN, DEMO_PLANTED
from linkflow.demo.planted import TRAPPED_POSTS
from linkflow.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    audit = tmp_path_factory.mktemp("demo") / "audit"
    result = CliRunner().invoke(cli, ["demo", "--audit", str(audit), "--quiet"])
    assert result.exit_code == 0, result.output
    return audit, result.output


def _read(audit: Path, sql: str) -> list[dict[str, Any]]:
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        return list(store.query(sql).to_pylist())


def test_the_trapped_posts_are_the_top_trapping_pages(demo: tuple[Path, str]) -> None:
    rows = _read(demo[0], "SELECT url FROM page_metrics ORDER BY trapped DESC LIMIT 3")
    expected = {f"{DEMO_ORIGIN}/blog/{slug}/" for slug in TRAPPED_POSTS}
    assert {r["url"] for r in rows} == expected


def test_every_money_page_has_its_sources(demo: tuple[Path, str]) -> None:
    planted = json.loads(DEMO_PLANTED.read_text(encoding="utf-8"))
    rows = _read(demo[0], "SELECT money_url, sum(share) AS share FROM flow_paths GROUP BY 1")
    shares = {r["money_url"]: r["share"] for r in rows}
    assert set(planted["money_pages"]) <= set(shares)
    assert all(0 < s <= 1 + 1e-12 for s in shares.values())


def test_demo_prints_the_verdict(demo: tuple[Path, str]) -> None:
    _, output = demo
    assert "is the weaker side (internal " in output
    assert "internal structure: " in output
    assert "external authority: " in output
    assert "1. " in output
    assert "effect: " in output
