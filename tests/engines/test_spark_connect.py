"""The Spark engine through Spark Connect (``sc://``) gives the local engine's numbers.

A Connect server (``pyspark[connect]``'s own SparkConnectServer, local[2]) runs in its own
process for this module, as a cluster's would, and the client in another: pyspark allows one
kind of session per process (after a Connect session, ``pyspark.sql.functions`` build
Connect columns), and the other Spark tests share a classic one. The client makes the same
``spark_session("sc://…")`` call ``--spark-master sc://…`` makes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

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
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


CLIENT = """
import sys
import numpy as np
from linkflow.engines.spark import SparkEngine, spark_session
from linkflow.graph import from_edges

url, folder = sys.argv[1], sys.argv[2]
a = np.load(folder + "/graph.npz")
g = from_edges(int(a["n"]), a["src"], a["dst"], a["weight"], nofollow=a["nofollow"],
               duplicates="sum", evaporate=True)
spark = spark_session(url)
assert type(spark).__module__.startswith("pyspark.sql.connect")  # not a classic session
with SparkEngine(session=spark, work_dir=__import__("pathlib").Path(folder) / "spark") as e:
    r = e.pagerank(g, damping=0.85, tolerance=0.01, teleport=a["teleport"])
    depth = e.click_depth(g, [0])
np.savez(folder + "/out.npz", scores=r.scores, iterations=r.iterations, l1=r.l1_bound,
         converged=r.converged, depth=depth)
"""


def test_pagerank_through_connect_equals_the_local_engine(connect: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    n, m = 40, 200
    graph = {
        "n": n,
        "src": rng.integers(0, n - 3, m),  # the last three nodes link nowhere: dangling
        "dst": rng.integers(0, n, m),
        "weight": rng.uniform(0.2, 3.0, m),
        "nofollow": rng.random(m) < 0.15,
        "teleport": rng.uniform(0, 1, n) * (rng.random(n) < 0.6),
    }
    np.savez(tmp_path / "graph.npz", **graph)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    client = subprocess.run(
        [sys.executable, "-c", CLIENT, connect, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert client.returncode == 0, client.stderr[-3000:]
    got = np.load(tmp_path / "out.npz")
    g = from_edges(n, graph["src"], graph["dst"], graph["weight"], nofollow=graph["nofollow"],
                   duplicates="sum", evaporate=True)  # fmt: skip
    local = pagerank(g, damping=0.85, tolerance=0.01, teleport=graph["teleport"])
    assert int(got["iterations"]) == local.iterations
    assert bool(got["converged"])
    np.testing.assert_allclose(got["scores"], local.scores, rtol=1e-9, atol=0)
    assert float(got["l1"]) == pytest.approx(local.l1_bound, rel=1e-6)
    assert np.array_equal(got["depth"], click_depth(g, [0]))


CRAWL_CLIENT = """
import sys
from pathlib import Path
import numpy as np
from linkflow.analyses.internal import run_internal
from linkflow.engines.spark import SparkEngine, spark_session
from linkflow.settings import Settings
from linkflow.store import Store
from tests.engines.test_spark_build import _hand_site

url, folder = sys.argv[1], Path(sys.argv[2])
with Store.open(folder / "audit.duckdb") as store:
    crawl = _hand_site().write(store)
    local = run_internal(store, crawl, Settings())
    with SparkEngine(session=spark_session(url), work_dir=folder / "spark") as engine:
        spark = run_internal(store, crawl, Settings(), engine=engine)
np.savez(folder / "out.npz", local=local.equity, spark=spark.equity,
         built=(folder / "spark" / "crawl-0" / "edges").is_dir(),
         same=local.pages.drop_columns(["equity", "equity_score"]).equals(
             spark.pages.drop_columns(["equity", "equity_score"])))
"""


def test_a_crawl_built_and_analysed_through_connect(connect: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    client = subprocess.run(
        [sys.executable, "-c", CRAWL_CLIENT, connect, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=Path(__file__).parents[2],
    )
    assert client.returncode == 0, client.stderr[-3000:]
    got = np.load(tmp_path / "out.npz")
    assert bool(got["built"])  # the graph was built on the Connect server's executors
    assert bool(got["same"])  # depth, link counts, in_graph ... as the local engine's
    assert got["local"].size == 5
    np.testing.assert_allclose(got["spark"], got["local"], rtol=1e-9, atol=0)
