"""The graph stage on Apache Spark (``pip install 'linkflow[spark]'``, Java 17).

::

    with SparkEngine("local[2]") as engine:          # or spark://host:7077, sc://host:15002
        result = engine.pagerank(graph, damping=0.85, tolerance=0.01)

The graph is built by the local rules (:func:`linkflow.graph.build_graph`), exported to
Parquet and computed on by Spark: the numbers equal the local engine's to rounding.
pyspark is imported only when a session starts.
"""

from linkflow.engines.spark.engine import SparkEngine
from linkflow.engines.spark.session import DEFAULT_MASTER, MISSING, spark_session

__all__ = ["DEFAULT_MASTER", "MISSING", "SparkEngine", "spark_session"]
