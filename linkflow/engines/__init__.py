"""Engines that compute on the built link graph elsewhere than in this process's memory.

:mod:`linkflow.engines.spark` runs PageRank, click depth and link counts on Apache Spark
(``pip install 'linkflow[spark]'`` and Java 17); the local engine is
:data:`linkflow.graph.engine.LOCAL`.
"""
