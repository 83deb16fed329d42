"""The Spark engine through Spark Connect (``sc://``) gives the local engine's numbers.

A Connect server (``pyspark[connect]``'s own SparkConnectServer, local[2]) runs in its own
process for this module, as a cluster's would: the test process talks to it only over
gRPC, with the same ``spark_session("sc://…")`` call ``--spark-master sc://…`` makes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from linkflow.engines.spark import SparkEngine, spark_session
from linkflow.graph import click_depth, from_edges, pagerank

pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]

SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("grpc", reason="Spark Connect needs pyspark[connect]")
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    conf = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
    }
    args = [str(home / "bin" / "spark-submit"), "--master", "local[2]", "--class", SERVER]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    env = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    env.pop("SPARK_REMOTE", None)
    with log.open("wb") as out:
        server = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 300  # a JVM start on a busy machine
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Connect server did not start: {log.read_text()[-2000:]}")
            time.sleep(1)
        session = spark_session(f"sc://127.0.0.1:{port}")
        yield session
        session.stop()
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_pagerank_through_connect_equals_the_local_engine(connect: Any, tmp_path: Path) -> None:
    assert type(connect).__module__.startswith("pyspark.sql.connect")  # not a classic session
    rng = np.random.default_rng(11)
    n, m = 40, 200
    src = rng.integers(0, n - 3, m)  # the last three nodes link nowhere: dangling
    g = from_edges(n, src, rng.integers(0, n, m), rng.uniform(0.2, 3.0, m),
                   nofollow=rng.random(m) < 0.15, duplicates="sum", evaporate=True)  # fmt: skip
    teleport = rng.uniform(0, 1, n) * (rng.random(n) < 0.6)
    local = pagerank(g, damping=0.85, tolerance=0.01, teleport=teleport)
    with SparkEngine(session=connect, work_dir=tmp_path / "spark") as engine:
        spark = engine.pagerank(g, damping=0.85, tolerance=0.01, teleport=teleport)
        depth = engine.click_depth(g, [0])
    assert spark.iterations == local.iterations
    assert spark.converged
    np.testing.assert_allclose(spark.scores, local.scores, rtol=1e-9, atol=0)
    assert spark.l1_bound == pytest.approx(local.l1_bound, rel=1e-6)
    assert np.array_equal(depth, click_depth(g, [0]))
