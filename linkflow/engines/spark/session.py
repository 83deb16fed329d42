"""The Spark session linkflow computes with, and the error when Spark cannot start."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from linkflow.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["DEFAULT_MASTER", "MISSING", "spark_session"]

DEFAULT_MASTER: Final = "local[2]"
MISSING: Final = "the Spark engine needs pyspark and Java: install linkflow[spark] and Java 17"
LOCAL_PARTITIONS: Final = 4
"""Shuffle partitions of a ``local[N]`` session unless told otherwise."""
CONNECT_HINT: Final = "the same sc:// master, or a new process for a local or cluster master"


def spark_session(
    master: str = DEFAULT_MASTER,
    *,
    shuffle_partitions: int | None = None,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """The active session for ``master`` (``local[N]``, ``spark://host:port``, ``yarn`` ...,
    or ``sc://host:port`` for Spark Connect), created if needed.

    Logging is quiet (errors only) and the UI off. ``shuffle_partitions`` (also Spark's
    default parallelism) defaults to 4 for a ``local`` master, where Spark's 200 make tiny
    tasks; for a cluster master it is left to the cluster's ``spark-defaults.conf`` unless
    given (about 2-3 per executor core).
    ``conf`` adds Spark settings (e.g. ``spark.driver.memory``, which takes effect only when
    this call starts the JVM; ignored for ``sc://``, whose settings are the server's).
    Raises :class:`ConfigError` when pyspark or Java is missing.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(MISSING) from None
    if master.startswith("sc://"):
        return SparkSession.builder.remote(master).getOrCreate()
    if os.environ.get("SPARK_CONNECT_MODE_ENABLED"):
        # pyspark allows one kind of session per process: after an sc:// session its
        # functions build Connect columns, and a classic session cannot start
        raise ConfigError(f"a Spark Connect session is open in this process: use {CONNECT_HINT}")
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise ConfigError(MISSING)
    builder = (
        SparkSession.builder.master(master)
        .appName("linkflow")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.driver.extraJavaOptions", "-Dlog4j.rootLogger=ERROR")
    )
    if shuffle_partitions is None and master.startswith("local"):
        shuffle_partitions = LOCAL_PARTITIONS
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        builder = builder.config("spark.default.parallelism", str(shuffle_partitions))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, or a broken one
        raise ConfigError(f"{MISSING} ({type(exc).__name__})") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark
