"""`linkflow analyse --engine spark` on the demo audit stores the local engine's numbers.

The demo is built once and copied: `analyse` then runs on each copy with one engine, so both
solves start from the same stored equity (the warm start) and must agree to 1e-9.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.store import Store

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1800)]

COLUMNS = "url, in_graph, equity, flow, depth, inlinks, content_inlinks, outlinks, content_outlinks"


def _metrics(audit: Path) -> list[dict[str, Any]]:
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        return list(store.query(f"SELECT {COLUMNS} FROM page_metrics ORDER BY url").to_pylist())


def _findings(audit: Path) -> list[tuple[Any, ...]]:
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        return store.rows("SELECT kind, url, detail FROM findings ORDER BY kind, url, detail")


def test_demo_analysed_on_spark_equals_local(spark: Any, tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    made = CliRunner().invoke(cli, ["demo", "--audit", str(audit), "--quiet"])
    assert made.exit_code == 0, made.output
    other = tmp_path / "copy"
    shutil.copytree(audit, other)
    ran = CliRunner().invoke(cli, ["analyse", "--audit", str(audit), "--quiet"])
    assert ran.exit_code == 0, ran.output
    local, local_findings = _metrics(audit), _findings(audit)
    assert sum(r["in_graph"] for r in local) > 50
    args = ["analyse", "--audit", str(other), "--engine", "spark", "--spark-master", "local[2]"]
    ran = CliRunner().invoke(cli, [*args, "--quiet"])
    assert ran.exit_code == 0, ran.output
    again = _metrics(other)
    assert [r["url"] for r in again] == [r["url"] for r in local]
    for a, b in zip(local, again, strict=True):
        for key in ("in_graph", "depth", "inlinks", "content_inlinks", "outlinks"):
            assert a[key] == b[key], (a["url"], key)
        assert b["content_outlinks"] == a["content_outlinks"], a["url"]
    # equity: the uniform PageRank; flow: the one seeded by the demo's backlinks
    for column in ("equity", "flow"):
        on_local = np.array([r[column] or 0.0 for r in local])
        on_spark = np.array([r[column] or 0.0 for r in again])
        on = on_local > 0
        assert on.sum() > 50, column
        np.testing.assert_allclose(on_spark[on], on_local[on], rtol=1e-9, atol=0)
        assert np.array_equal(on_spark[~on], on_local[~on]), column
    assert _findings(other) == local_findings
