"""The ``imports`` table: the export importer and the Screaming Frog crawl import write one
shape of row (site set, rejects encoded one way), so its readers need not tell them apart."""

from __future__ import annotations

import json
from pathlib import Path

from linkflow.ingest import import_file
from linkflow.ingest.records import MAX_REJECTS, REJECT_KEYS, Reject, encode_rejects
from linkflow.ingest.screaming_frog import import_screaming_frog
from linkflow.store import Store
from tests.ingest.conftest import export

SF = Path(__file__).parent.parent / "data" / "screaming_frog"
MAILTO = "mailto:hello@example.com"


def imports(store: Store) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = store.query("SELECT * FROM imports ORDER BY id").to_pylist()
    return rows


def sf_inlinks(tmp_path: Path, *bad: str) -> Path:
    """The current-layout All Inlinks fixture with its mailto: link row (data row 24, line
    25) repeated once per ``bad`` destination."""
    lines = (SF / "current_all_inlinks.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(line for line in lines if MAILTO in line)
    lines[lines.index(row)] = row.replace(MAILTO, bad[0])
    lines += [row.replace(MAILTO, b) for b in bad[1:]]
    out = tmp_path / "all_inlinks.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return out


def test_both_import_paths_record_the_site(store: Store) -> None:
    import_file(store, export("semrush_backlinks.csv"))
    import_screaming_frog(store, SF / "current_all_inlinks.csv", SF / "current_internal_all.csv")
    rows = imports(store)
    assert [(r["kind"], r["site"]) for r in rows] == [
        ("backlinks", "self"), ("crawl", "self"), ("crawl", "self"),
    ]  # fmt: skip
    filled = ("path", "sha256", "provider", "report", "site", "rejects", "imported_at")
    assert all(r[column] is not None for r in rows for column in filled)


def test_both_import_paths_encode_rejects_the_same_way(store: Store, tmp_path: Path) -> None:
    semrush = tmp_path / "semrush_backlinks.csv"
    semrush.write_text(
        export("semrush_backlinks.csv").read_text(encoding="utf-8").replace("not a url", "café"),
        encoding="utf-8",
    )
    import_file(store, semrush)
    import_file(store, export("ahrefs_backlinks.csv"))  # nothing rejected
    import_screaming_frog(store, sf_inlinks(tmp_path, "mailto:josé@example.com"),
                          SF / "current_internal_all.csv")  # fmt: skip
    generic, clean, links, internal = imports(store)
    for row in (generic, clean, links, internal):
        entries = json.loads(str(row["rejects"]))
        assert row["rejects"] == encode_rejects(entries)  # one canonical text
        assert all(list(entry) == ["line", "reason", "value"] for entry in entries)
    # Non-ASCII text is kept as is, and "nothing rejected" is an empty list, never NULL.
    assert '"value": "café"' in str(generic["rejects"])
    assert '"value": "mailto:josé@example.com"' in str(links["rejects"])
    assert clean["rejects"] == internal["rejects"] == "[]"
    # ``line`` is a line of the file in both: header on line 1, data from line 2.
    assert json.loads(str(generic["rejects"]))[0]["line"] == 4
    assert json.loads(str(links["rejects"]))[0]["line"] == 25


def test_screaming_frog_reject_lines_count_the_title_line(store: Store) -> None:
    # The 2017 layout has a title line before its header: the mailto: row is on line 15.
    import_screaming_frog(store, SF / "2017_all_outlinks.csv")
    (row,) = imports(store)
    assert json.loads(str(row["rejects"])) == [
        {"line": 15, "reason": "not an http(s) URL", "value": MAILTO}
    ]


def test_screaming_frog_keeps_as_many_rejects_as_every_import(store: Store, tmp_path: Path) -> None:
    bad = [f"mailto:person{i}@example.com" for i in range(MAX_REJECTS + 5)]
    import_screaming_frog(store, sf_inlinks(tmp_path, *bad))
    (row,) = imports(store)
    entries = json.loads(str(row["rejects"]))
    assert row["rejected"] == len(bad)
    assert len(entries) == MAX_REJECTS
    assert [e["value"] for e in entries] == bad[:MAX_REJECTS]


def test_the_reject_type_has_the_keys_of_a_stored_reject() -> None:
    assert tuple(Reject.__annotations__) == REJECT_KEYS
    assert Reject.__required_keys__ == set(REJECT_KEYS)
    entry = Reject(line=3, reason="not a number", value="x" * 300)
    assert json.loads(encode_rejects([entry])) == [
        {"line": 3, "reason": "not a number", "value": "x" * 200}
    ]
