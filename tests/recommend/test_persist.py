"""The recommendation tables: a file of the previous schema upgrades, rows round-trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkflow.recommend.persist import (
    persist_recommendations,
    read_fixes,
    read_recommendations,
    read_suggestions,
)
from linkflow.recommend.records import Fix, Recommendations, Suggestion
from linkflow.settings import Settings
from linkflow.store import Store, db
from linkflow.store.export import table_columns
from linkflow.store.migrations import MIGRATIONS


def _columns(store: Store, table: str) -> list[tuple[str, str]]:
    return table_columns(store, table)


def test_a_file_without_the_fixes_table_upgrades(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is taken back to the version before that step and opened by a linkflow whose
    # newest step is that one: later steps, which this file already has, stay out of it.
    step = next(v for v, sql in MIGRATIONS.items() if "CREATE TABLE fixes" in sql)
    monkeypatch.setattr(db, "SCHEMA_VERSION", step)
    fresh = tmp_path / "fresh.duckdb"
    old = tmp_path / "old.duckdb"
    with Store.open(fresh) as store:
        want = {t: _columns(store, t) for t in ("suggestions", "fixes")}
    step = next(v for v, sql in MIGRATIONS.items() if "CREATE TABLE fixes" in sql)
    with Store.open(old) as store:  # take it back to the schema before the fixes table
        store.execute("DROP TABLE fixes")
        store.execute("ALTER TABLE suggestions DROP COLUMN target_gain")
        store.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step - 1)])
        store.append(
            "suggestions",
            {"crawl_id": [1], "rank": [1], "source_url": ["a"], "target_url": ["b"], "gain": [0.5]},
        )
    with Store.open(old) as store:
        assert {t: _columns(store, t) for t in ("suggestions", "fixes")} == want
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(step)
        assert store.rows("SELECT rank, gain, target_gain FROM suggestions") == [(1, 0.5, None)]


def _result(crawl: int) -> Recommendations:
    return Recommendations(
        crawl_id=crawl,
        suggestions=(
            Suggestion(
                1,
                "https://a.test/x",
                "https://a.test/y",
                "lawn care",
                "We offer lawn care.",
                0.01,
                0.002,
                0.5,
                "why",
            ),
        ),
        fixes=(
            Fix("orphan", "https://a.test/x", "https://a.test/z", "link it", "why", "+1 %", 0.1),
            Fix("redirect-chain", "https://a.test/r", None, "flatten", "why", "1 hop"),
        ),
        money_flow=0.3,
        after=0.31,
        candidates=10,
        lowering=2,
        money_pages=1,
        details={"rounds": 1},
    )


def test_results_round_trip_and_go_stale_after_a_new_analysis(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=["https://a.test/"], settings={})
        result = _result(crawl)
        persist_recommendations(store, result, Settings(), datetime.now(UTC))
        assert read_suggestions(store, crawl) == list(result.suggestions)
        assert read_fixes(store, crawl) == list(result.fixes)
        stored = read_recommendations(store, crawl)
        assert stored is not None
        assert stored.suggestions == result.suggestions
        assert (stored.money_flow, stored.after, stored.lowering) == (0.3, 0.31, 2)
        assert stored.details["rounds"] == 1
        persist_recommendations(store, result, Settings(), datetime.now(UTC))
        assert store.count("suggestions", crawl_id=crawl) == 1  # replaced, not added
        store.execute(
            "INSERT INTO analysis_runs (id, crawl_id, kind, settings_json, started_at) "
            "SELECT max(id) + 1, ?, 'internal', '{}', now() FROM analysis_runs",
            [crawl],
        )
        assert read_recommendations(store, crawl) is None
