"""The Spark engine gives the local engine's numbers: PageRank to 1e-9 relative with the
same iteration count and bounds, identical click depth, link counts, orphans and dead ends.

Spark is slow to start and each PageRank iteration is a Spark job, so the cases are few and
small; the local engine's own correctness is tested in tests/graph against networkx.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import linkflow.engines.spark.session as session
from linkflow.analyses.internal import run_internal
from linkflow.crawl import crawl_folder
from linkflow.engines.spark import MISSING, SparkEngine
from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph, click_depth, from_edges, pagerank
from linkflow.graph.engine import LOCAL
from linkflow.settings import CrawlSettings, ExtractSettings, Settings
from linkflow.store import Store

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1200)]

SITES = Path(__file__).parents[1] / "sites"


def _random_graph(seed: int, n: int, m: int) -> LinkGraph:
    """Weighted, with duplicates, self-links, nofollow (evaporated) and dangling nodes."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n - 5, m)  # the last five nodes link nowhere: dangling
    dst = rng.integers(0, n, m)
    return from_edges(
        n,
        src,
        dst,
        rng.uniform(0.2, 3.0, m),
        nofollow=rng.random(m) < 0.15,
        content=rng.random(m) < 0.6,
        duplicates="sum",
        evaporate=True,
    )


def test_hand_written_graph(engine: SparkEngine) -> None:
    # 0 → 1 (content), 0 → 2, 1 → 2 (content), 3 → 0; node 4 isolated; roots {0}
    g = from_edges(5, [0, 0, 1, 3, 1], [1, 2, 2, 0, 1], content=[True, False, True, True, True])
    stats = engine.stats(g)
    assert stats.inlinks.tolist() == [1, 1, 2, 0, 0]
    assert stats.outlinks.tolist() == [2, 1, 0, 1, 0]
    assert stats.content_inlinks.tolist() == [1, 1, 1, 0, 0]
    assert stats.content_outlinks.tolist() == [1, 1, 0, 1, 0]
    assert engine.click_depth(g, [0]).tolist() == [0, 1, 1, -1, -1]
    orphans = np.flatnonzero(stats.inlinks == 0).tolist()
    dead_ends = np.flatnonzero(stats.outlinks == 0).tolist()
    assert (orphans, dead_ends) == ([3, 4], [2, 4])


def test_random_graphs_equal_the_local_engine(engine: SparkEngine) -> None:
    g = _random_graph(7, 60, 300)
    rng = np.random.default_rng(3)
    teleport = rng.uniform(0, 1, g.n) * (rng.random(g.n) < 0.5)  # personalised, zeros too
    cases = [
        {"damping": 0.5, "tolerance": 0.01},
        {"damping": 0.3, "tolerance": 0.001, "teleport": teleport},
    ]
    for case in cases:
        local = pagerank(g, **case)  # type: ignore[arg-type]
        spark = engine.pagerank(g, **case)  # type: ignore[arg-type]
        assert spark.iterations == local.iterations, case
        assert spark.converged
        assert local.converged
        np.testing.assert_allclose(spark.scores, local.scores, rtol=1e-9, atol=0)
        assert spark.l1_bound == pytest.approx(local.l1_bound, rel=1e-6)
        assert spark.relative_bound == pytest.approx(local.relative_bound, rel=1e-6)
    roots = [0, 11]
    assert np.array_equal(engine.click_depth(g, roots), click_depth(g, roots))
    stats, want = engine.stats(g), LOCAL.stats(g)
    for name in ("inlinks", "outlinks", "content_inlinks", "content_outlinks"):
        assert np.array_equal(getattr(stats, name), getattr(want, name)), name
    assert np.array_equal(stats.outlinks == 0, g.out_degree == 0)  # dead ends (dangling)
    assert (g.out_degree == 0).sum() >= 5


def test_golden_site_gives_the_same_metrics_and_findings(
    engine: SparkEngine, tmp_path: Path
) -> None:
    name = "orphans-deep"
    expected = json.loads((SITES / name / "expected.json").read_text(encoding="utf-8"))
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = crawl_folder(
            store, SITES / name / "site", expected["base_url"], CrawlSettings(), ExtractSettings()
        ).crawl_id
        settings = Settings()
        local = run_internal(store, crawl, settings)
        spark = run_internal(store, crawl, settings, engine=engine)
    # Spark computed on the graph it built from the crawl, not on an export of the local one
    assert (engine.work_dir / "crawl-0" / "edges").is_dir()
    assert not list(engine.work_dir.glob("graph-*"))
    assert spark.solver.iterations == local.solver.iterations
    np.testing.assert_allclose(spark.equity, local.equity, rtol=1e-9, atol=0)
    a, b = local.pages.to_pydict(), spark.pages.to_pydict()
    for column in a:
        if column in ("equity", "equity_score"):
            np.testing.assert_allclose(b[column], a[column], rtol=1e-9, atol=1e-12)
        else:
            assert b[column] == a[column], column
    base = expected["base_url"]
    depth = {
        "/" + u.removeprefix(base): d
        for u, d, g in zip(b["url"], b["depth"], b["in_graph"], strict=True)
        if g
    }
    assert depth == expected["depth"]  # the golden expectation both engines meet
    ours, theirs = (r.sort_by([("kind", "ascending"), ("url_id", "ascending")]).to_pylist()
                    for r in (spark.findings, local.findings))  # fmt: skip
    assert [{**r, "value": None} for r in ours] == [{**r, "value": None} for r in theirs]
    values = [(r["value"], t["value"]) for r, t in zip(ours, theirs, strict=True) if t["value"]]
    for mine, want in values:
        assert mine == pytest.approx(want, rel=1e-9, abs=0)
    orphans = {r["url_id"] for r in spark.findings.to_pylist() if r["kind"] == "orphan-page"}
    assert len(orphans) == 1


def test_missing_java_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(session.shutil, "which", lambda _name: None)
    with pytest.raises(ConfigError) as caught:
        session.spark_session("local[1]")
    assert str(caught.value) == MISSING
    assert "linkflow[spark]" in MISSING
    assert "Java 17" in MISSING


def test_analyse_without_java_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from linkflow.cli import cli

    site = SITES / "orphans-deep" / "site"
    audit = str(tmp_path / "a")
    runner = CliRunner()
    crawled = runner.invoke(
        cli, ["crawl", str(site), "--base-url", "https://site.test", "--quiet", "--audit", audit]
    )
    assert crawled.exit_code == 0, crawled.output
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(session.shutil, "which", lambda _name: None)
    result = runner.invoke(cli, ["analyse", "--engine", "spark", "--audit", audit])
    assert result.exit_code == 2
    assert "install linkflow[spark] and Java 17" in result.output
    assert "Traceback" not in result.output
    with Store.open(tmp_path / "a" / "audit.duckdb", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM page_metrics") == 0  # nothing half-written


def test_classic_master_after_a_connect_session_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # what pyspark leaves in the environment once an sc:// session was made in the process
    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
    with pytest.raises(ConfigError) as caught:
        session.spark_session("local[1]")
    assert str(caught.value) == (
        "a Spark Connect session is open in this process: use the same sc:// master, "
        "or a new process for a local or cluster master"
    )
