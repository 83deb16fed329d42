"""A built ranks file imported as domain authority, and backlinks that carry no domain
metric taking theirs from it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.analyses.backlinks import analyse_backlinks
from linkflow.authority import build_ranks
from linkflow.ingest import import_file
from linkflow.settings import IngestSettings, Settings
from linkflow.store import Store
from tests.authority.release import golden_release, gz


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


def cc_score(position: int) -> float:
    return 100 * (1 - math.log(position) / math.log(1e8))


def test_built_ranks_import_as_commoncrawl_authority(store: Store, tmp_path: Path) -> None:
    ranks = build_ranks(golden_release(tmp_path / "release"), tmp_path / "ranks.txt.gz")
    result = import_file(store, tmp_path / "ranks.txt.gz")
    assert (result.format.provider, result.format.report) == ("commoncrawl", "ranks")
    assert result.rows == ranks.graph.n
    assert result.rejected == 0
    got = {
        r["domain"]: (r["score"], r["source"])
        for r in store.query("SELECT domain, score, source FROM domain_authority").to_pylist()
    }
    assert got == {
        "alpha.com": (100.0, "commoncrawl"),
        "beta.com": (pytest.approx(cc_score(2)), "commoncrawl"),
        "gamma.org": (pytest.approx(cc_score(3)), "commoncrawl"),
        "delta.net": (pytest.approx(cc_score(4)), "commoncrawl"),
        "epsilon.co.uk": (pytest.approx(cc_score(5)), "commoncrawl"),
    }  # fmt: skip
    imports = store.query("SELECT provider, report, rows FROM imports").to_pylist()
    assert [(r["provider"], r["report"], r["rows"]) for r in imports] == [
        ("commoncrawl", "ranks", 5)
    ]


def test_host_ranks_file_matches_backlink_domains(store: Store, tmp_path: Path) -> None:
    # a published host-level file: reversed host names, www. already stripped, E-notation
    gz(tmp_path / "host-ranks.txt.gz", [
        "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev",
        "1\t3.4626736E7\t3\t0.005384977821460953\tcom.example.sub",
        "7\t1.8E7\t2\t3.79E-4\tcom.example",
        "20\t9.1E6\t50\t1.2E-9\tuk.co.shop.www",
    ])  # fmt: skip
    import_file(store, tmp_path / "host-ranks.txt.gz")
    got = {
        r["domain"]: r["score"]
        for r in store.query("SELECT domain, score FROM domain_authority").to_pylist()
    }
    # sub.example.com and example.com are one registrable domain: the best rank counts
    assert got == {"example.com": 100.0, "shop.co.uk": pytest.approx(cc_score(20))}


def test_backlinks_without_domain_metric_take_the_built_authority(
    store: Store, tmp_path: Path
) -> None:
    build_ranks(golden_release(tmp_path / "release"), tmp_path / "ranks.txt.gz")
    import_file(store, tmp_path / "ranks.txt.gz")
    export = tmp_path / "links.csv"
    export.write_text(
        "From,To,Text\n"
        "https://www.alpha.com/post,https://www.example.com/a,sheds\n"
        "https://blog.gamma.org/x,https://www.example.com/a,garden\n"
        "https://zeta.io/,https://www.example.com/a,here\n",
        encoding="utf-8",
    )
    columns = ("source_url=From", "target_url=To", "anchor=Text")
    import_file(store, export, settings=IngestSettings(column_map=columns))
    analyse_backlinks(store, None, Settings())
    domains = {
        r["domain"]: r["authority"]
        for r in store.query("SELECT domain, authority FROM referring_domains").to_pylist()
    }
    # www. and blog. hosts land on their registrable domains; zeta.io is not in the graph
    assert domains == {
        "alpha.com": 100.0, "gamma.org": pytest.approx(cc_score(3)), "zeta.io": 0.0,
    }  # fmt: skip
