"""The graph stage on Apache Spark (``pip install 'linkflow[spark]'``, Java 17).

::

    with SparkEngine("local[2]") as engine:          # or spark://host:7077, sc://host:15002
        result = engine.pagerank(graph, damping=0.85, tolerance=0.01)

For a crawl the graph is built on Spark from the crawl's pages and links by the local
rules (:func:`.build.spark_build_graph`, the rules of :func:`linkflow.graph.build_graph`)
and computed on there: the numbers equal the local engine's to rounding. pyspark is
imported only when a session starts.
"""

from linkflow.engines.spark.build import SparkGraph, spark_build_graph
from linkflow.engines.spark.engine import SparkEngine
from linkflow.engines.spark.session import DEFAULT_MASTER, MISSING, spark_session

__all__ = [
    "DEFAULT_MASTER",
    "MISSING",
    "SparkEngine",
    "SparkGraph",
    "spark_build_graph",
    "spark_session",
]
