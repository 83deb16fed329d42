"""Property tests: every column of every format reads any text as a value or a reject.

Whatever a cell holds (words, huge or negative numbers, infinities, impossible dates), the
strict column reader and each format's builder give a value or a reason to reject the row,
never an exception, and never a value changed into another one.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.errors import LinkflowError
from linkflow.ingest import import_file
from linkflow.ingest.build import BUILDERS, BuildContext, value_range
from linkflow.ingest.checks import COUNT_MAX, check_column
from linkflow.ingest.checks import given as has_value
from linkflow.ingest.formats import FORMATS, PARSERS, TRANCO, FormatSpec
from linkflow.store import Store
from tests.ingest.conftest import ORIGIN

SPECS = [*FORMATS, TRANCO]

cells = st.one_of(
    st.none(),
    st.text(max_size=24),
    st.integers(-(10**22), 10**22).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:.3%}"),
    st.sampled_from([
        "", "-", "n/a", "3000000000", "-5", "0.4", "1,240", "2,5", "1e400", "true", "False",
        "yes", "2026-02-30", "2026-02-28", "2026-01-01 23:59:60", "Sep 15, 2026", "0000-01-01",
        "20250101", "65%", "150%", "https://www.example.com/x", "/path?q=1", "abc",
    ]),
)  # fmt: skip


def _assert_value_or_problem(spec: FormatSpec, name: str, cells: pa.Array) -> None:
    kind = PARSERS[name]
    low, high = value_range(spec, name)
    checked = check_column(kind, cells, low=low, high=high)
    got = checked.values.to_pylist()
    problems = checked.problems.to_pylist()
    present = has_value(cells).to_pylist()
    assert len(got) == len(problems) == len(cells)
    for cell, value, problem, there in zip(cells.to_pylist(), got, problems, present, strict=True):
        if problem is not None:
            assert value is None, (cell, problem)
            assert there, (cell, problem)
            continue
        if kind in ("text", "url"):
            continue
        assert (value is not None) == there, (cell, value)  # nothing given becomes null
        if value is None or kind in ("bool", "date"):
            continue
        assert math.isfinite(value)
        assert low is None or value >= low
        assert high is None or value <= high
        if kind == "count":
            assert isinstance(value, int)
            assert 0 <= value <= COUNT_MAX


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_column_of_every_format_gives_a_value_or_a_reject(
    spec: FormatSpec, data: st.DataObject
) -> None:
    rows = data.draw(st.integers(1, 12))
    raw = pa.table(
        {
            name: pa.array(data.draw(st.lists(cells, min_size=rows, max_size=rows)), pa.string())
            for name in spec.columns
        }
    )
    for name in spec.columns:
        _assert_value_or_problem(spec, name, raw.column(name).combine_chunks())
    built = BUILDERS[spec.table](raw, BuildContext(spec, (), ORIGIN + "/"))
    assert built.table.num_rows == len(built.reasons) == len(built.values) == rows
    for reason in built.reasons.to_pylist():
        assert reason is None or (isinstance(reason, str) and reason)


def _ahrefs(path: Path, rows: list[list[str]]) -> Path:
    header = ["Referring page URL", "Target URL", "Domain rating", "UR", "External links",
              "First seen", "Anchor", "Nofollow"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.tuples(cells, cells, cells, cells, cells), min_size=1, max_size=8))
def test_any_values_in_a_real_file_import_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, values: list[tuple[str | None, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("any")
    rows = [
        [f"https://site{i}.example.org/p", ORIGIN + "/x", *(v or "" for v in row)]
        for i, row in enumerate(values)
    ]
    path = _ahrefs(folder / "backlinks.csv", rows)
    with Store.open(folder / "a.duckdb") as store:
        try:
            result = import_file(store, path)
        except LinkflowError:
            assert store.count("imports") == store.count("backlinks") == 0  # nothing written
        else:
            assert store.count("backlinks") == result.rows - result.rejected
            assert len(result.rejects) == min(result.rejected, 20)
