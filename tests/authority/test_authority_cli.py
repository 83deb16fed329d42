"""``linkflow authority build``: the ranks file, the import, one-line errors."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.store import Store
from tests.authority.release import golden_release, gz


def test_build_writes_the_file_and_imports_it(tmp_path: Path) -> None:
    release = golden_release(tmp_path / "release")
    out = tmp_path / "ranks.txt.gz"
    audit = tmp_path / "audit"
    args = ["authority", "build", "--graph", str(release), "--out", str(out), "--import",
            "--audit", str(audit), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "5 domains into domain_authority" in result.output
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        assert fh.readline().startswith("#harmonicc_pos\t#harmonicc_val\t#pr_pos")
    with Store.open(audit / "audit.duckdb") as store:
        rows = store.query("SELECT domain, score FROM domain_authority ORDER BY score DESC")
        assert rows.column("domain").to_pylist()[:2] == ["alpha.com", "beta.com"]
        assert store.scalar("SELECT count(*) FROM imports WHERE provider = 'commoncrawl'") == 1


def test_import_alone_writes_into_the_audit_folder(tmp_path: Path) -> None:
    release = golden_release(tmp_path / "release")
    audit = tmp_path / "audit"
    args = ["authority", "build", "--graph", str(release), "--import", "--audit", str(audit),
            "--harmonic", "hll", "--quiet"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (audit / "commoncrawl-domain-ranks.txt.gz").is_file()
    assert "HyperLogLog" in result.output


def test_errors_are_one_line(tmp_path: Path) -> None:
    release = golden_release(tmp_path / "release")
    nowhere = CliRunner().invoke(cli, ["authority", "build", "--graph", str(release)])
    assert nowhere.exit_code == 2
    assert "--out FILE, --import, or both" in nowhere.output
    gz(release / "domain" / "edges" / "part-00001.txt.gz", ["3\t0", "4\tx"])
    args = ["authority", "build", "--graph", str(release), "--out", str(tmp_path / "r.txt")]
    bad = CliRunner().invoke(cli, args)
    assert bad.exit_code == 2
    lines = bad.output.strip().splitlines()
    assert len(lines) == 1, bad.output
    assert "part-00001.txt.gz line 2: 'x' is not an integer id" in lines[0]
    assert not (tmp_path / "r.txt").exists()


def test_referring_only_imports_the_audits_referring_domains(tmp_path: Path) -> None:
    from linkflow.ingest import import_file
    from linkflow.settings import IngestSettings

    release = golden_release(tmp_path / "release")
    audit = tmp_path / "audit"
    audit.mkdir()
    links = tmp_path / "links.csv"
    links.write_text(
        "From,To\nhttps://www.gamma.org/a,https://site.example/\nhttps://zeta.io/,https://site.example/\n",
        encoding="utf-8",
    )
    with Store.open(audit / "audit.duckdb") as store:
        columns = ("source_url=From", "target_url=To")
        import_file(store, links, settings=IngestSettings(column_map=columns))
    args = ["authority", "build", "--graph", str(release), "--import", "--referring-only",
            "--audit", str(audit), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with Store.open(audit / "audit.duckdb") as store:
        rows = store.query("SELECT domain, score FROM domain_authority").to_pylist()
    # gamma.org keeps its position among all five domains (3); zeta.io is not in the graph
    assert [(r["domain"], round(r["score"], 6)) for r in rows] == [
        ("gamma.org", round(100 * (1 - math.log(3) / math.log(1e8)), 6))
    ]
    with gzip.open(audit / "commoncrawl-domain-ranks.txt.gz", "rt") as fh:
        full = fh.read().splitlines()
    assert len(full) == 6  # the shared file keeps every domain


def test_referring_only_needs_backlinks(tmp_path: Path) -> None:
    release = golden_release(tmp_path / "release")
    args = ["authority", "build", "--graph", str(release), "--import", "--referring-only",
            "--audit", str(tmp_path / "audit"), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "no backlinks imported yet" in result.output
