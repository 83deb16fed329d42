"""One Spark session (local[2]) for every Spark test: starting one costs about a minute."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from linkflow.engines.spark import SparkEngine, spark_session


@pytest.fixture(scope="session")
def spark() -> Any:
    return spark_session("local[2]", shuffle_partitions=2)


@pytest.fixture
def engine(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkEngine]:
    with SparkEngine(session=spark, work_dir=tmp_path_factory.mktemp("spark")) as e:
        yield e
