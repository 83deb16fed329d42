"""Golden sites: the suggestions a person would make, the fix lists, and what-if against
really adding the link to the HTML and auditing again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from linkflow.analyses.internal import run_internal
from linkflow.analyses.money import prepare_money
from linkflow.audit import Audit
from linkflow.cli import cli
from linkflow.errors import ConfigError
from linkflow.recommend.inputs import linked_pairs, load_site
from linkflow.recommend.persist import read_fixes, read_suggestions
from linkflow.recommend.records import Recommendations

SITES = Path(__file__).parents[1] / "sites"
NAMES = sorted(
    p.name
    for p in SITES.iterdir()
    if (p / "expected.json").is_file()
    and "suggestions" in json.loads((p / "expected.json").read_text(encoding="utf-8"))
)


def _overrides(expected: dict[str, Any]) -> dict[str, Any]:
    return {
        "crawl.base_url": expected["base_url"],
        "graph.tolerance": 1e-10,
        **expected["settings"],
    }


def _audit(folder: Path, site: Path, expected: dict[str, Any]) -> Audit:
    audit = Audit(folder, overrides=_overrides(expected))
    audit.crawl(str(site)).analyse()
    return audit


@pytest.fixture(scope="module", params=NAMES)
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], Audit, Recommendations]]:
    expected = json.loads((SITES / request.param / "expected.json").read_text(encoding="utf-8"))
    expected["folder"] = SITES / request.param / "site"
    audit = _audit(tmp_path_factory.mktemp(request.param), SITES / request.param / "site", expected)
    result = audit.suggest()
    yield expected, audit, result
    audit.close()


def _path(url: str | None, base: str) -> str | None:
    return None if url is None else "/" + url.removeprefix(base)


def test_there_is_a_golden_site() -> None:
    assert NAMES


def test_suggestions_are_the_ones_a_person_would_make(
    audited: tuple[dict[str, Any], Audit, Recommendations],
) -> None:
    expected, _, result = audited
    base = expected["base_url"]
    got = {
        (_path(s.source_url, base), _path(s.target_url, base), s.anchor, s.sentence)
        for s in result.suggestions
    }
    want = {(e["source"], e["target"], e["anchor"], e["sentence"]) for e in expected["suggestions"]}
    assert got == want
    first = result.suggestions[0]
    assert (_path(first.source_url, base), _path(first.target_url, base)) == (
        expected["best_first"]["source"],
        expected["best_first"]["target"],
    )
    for s in result.suggestions:
        assert _path(s.source_url, base) not in expected["never_sources"]
        assert all(bad not in s.sentence for bad in expected["never_sentences"])
        assert s.anchor in s.sentence
        assert s.gain > 0
        assert s.reason


def test_gains_add_up_to_the_flow_after_all_links(
    audited: tuple[dict[str, Any], Audit, Recommendations],
) -> None:
    _, _, result = audited
    total = sum(s.gain for s in result.suggestions)
    assert result.after - result.money_flow == pytest.approx(total, abs=1e-9)
    ranks = [s.rank for s in result.suggestions]
    assert ranks == list(range(1, len(ranks) + 1))


def test_fix_lists(audited: tuple[dict[str, Any], Audit, Recommendations]) -> None:
    expected, _, result = audited
    base = expected["base_url"]
    rows = [
        (f.kind, _path(f.url, base), _path(f.target_url, base), f.proposal) for f in result.fixes
    ]
    for want in expected["fixes"]:
        hits = [r for r in rows if r[:3] == (want["kind"], want["url"], want["target_url"])]
        assert hits, want
        assert want["contains"] in hits[0][3]
    for fix in result.fixes:
        assert fix.why
        assert fix.effect


def test_results_are_stored(audited: tuple[dict[str, Any], Audit, Recommendations]) -> None:
    _, audit, result = audited
    crawl = audit.crawl_id()
    assert read_suggestions(audit.store, crawl) == list(result.suggestions)
    assert sorted(read_fixes(audit.store, crawl), key=repr) == sorted(result.fixes, key=repr)
    kinds = audit.store.rows("SELECT kind FROM analysis_runs WHERE crawl_id = ?", [crawl])
    assert ("suggest",) in kinds


def _plan(path: Path, rows: list[str]) -> Path:
    path.write_text("source_url,target_url,anchor,action\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_what_if_agrees_with_adding_the_link_and_auditing_again(
    audited: tuple[dict[str, Any], Audit, Recommendations], tmp_path: Path
) -> None:
    expected, audit, _ = audited
    if "what_if" not in expected:
        pytest.skip("no what-if case for this site")
    case = expected["what_if"]
    plan = _plan(tmp_path / "plan.csv", [f"{case['source']},{case['target']},{case['anchor']},add"])
    effect = audit.what_if(plan)
    site = tmp_path / "site"
    shutil.copytree(expected["folder"], site)
    page = site / case["file"]
    html = page.read_text(encoding="utf-8")
    assert case["before"] in html
    page.write_text(html.replace(case["before"], case["after"]), encoding="utf-8")
    with _audit(tmp_path / "again", site, expected) as again:
        flow = dict(
            again.store.rows(
                "SELECT url, flow FROM page_metrics WHERE crawl_id = ? AND in_graph",
                [again.crawl_id()],
            )
        )
    assert effect.edits[0].gain > 0
    for page_change in (*effect.money_pages, *effect.losers):
        assert page_change.after == pytest.approx(flow[page_change.url], rel=1e-6)
    money = sum(flow[p.url] for p in effect.money_pages)
    assert effect.after == pytest.approx(money, rel=1e-6)
    assert effect.losers  # someone pays for the new link


def test_what_if_removal_and_a_lowering_link(
    audited: tuple[dict[str, Any], Audit, Recommendations], tmp_path: Path
) -> None:
    expected, audit, _ = audited
    base = expected["base_url"]
    plan = _plan(
        tmp_path / "plan.csv",
        [
            f"{base}services/,{base}services/lawn-care.html,,remove",
            "/services/lawn-care.html,/guides/mowing-guide.html,mowing guide,add",
        ],
    )
    effect = audit.what_if(plan)
    removal, lowering = effect.edits
    assert removal.action == "remove"
    assert removal.gain < 0
    assert lowering.lowers
    assert "LOWERS" in "\n".join(effect.lines())


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["/blog/patio.html,/services/lawn-care.html,,move"], "plan.csv:2: action 'move'"),
        (["/about.html,/services/lawn-care.html,,add"], "plan.csv:2: /about.html is not"),
        (["/blog/,/services/,,add", "/blog/,/nowhere.html,,add"], "plan.csv:3: /nowhere.html"),
        (["/blog/patio.html,/services/lawn-care.html,,remove"], "plan.csv:2:"),
        (["/blog/patio.html"], "plan.csv:2: 1 cells"),
    ],
)
def test_bad_plan_rows_name_file_and_line(
    audited: tuple[dict[str, Any], Audit, Recommendations],
    tmp_path: Path,
    rows: list[str],
    message: str,
) -> None:
    _, audit, _ = audited
    with pytest.raises(ConfigError, match=message):
        audit.what_if(_plan(tmp_path / "plan.csv", rows))


def test_a_plan_without_its_header_is_refused(
    audited: tuple[dict[str, Any], Audit, Recommendations], tmp_path: Path
) -> None:
    _, audit, _ = audited
    plan = tmp_path / "plan.csv"
    plan.write_text("from,to\n/a,/b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="plan.csv:1: the header"):
        audit.what_if(plan)


def test_cli_suggest_and_what_if(
    audited: tuple[dict[str, Any], Audit, Recommendations], tmp_path: Path
) -> None:
    expected, audit, _ = audited
    folder = tmp_path / "audit"
    shutil.copytree(audit.path, folder)
    runner = CliRunner()
    stored = runner.invoke(cli, ["suggest", "--audit", str(folder)])  # prints what is stored
    assert stored.exit_code == 0, stored.output
    assert stored.output.count(" -> ") == len(expected["suggestions"])
    done = runner.invoke(
        cli, ["suggest", "--audit", str(folder), "--k", "2", "--quiet", "--money", "/services/*"]
    )
    assert done.exit_code == 0, done.output
    assert done.output.count(" -> ") == 2
    assert "Money pages hold" in done.output
    plan = _plan(tmp_path / "plan.csv", ["/blog/patio.html,/services/hedge-trimming.html,,add"])
    done = runner.invoke(cli, ["suggest", "--audit", str(folder), "--what-if", str(plan)])
    assert done.exit_code == 0, done.output
    assert "line 2: add" in done.output
    bad = _plan(tmp_path / "bad.csv", ["/blog/patio.html,/services/,,delete"])
    done = runner.invoke(cli, ["suggest", "--audit", str(folder), "--what-if", str(bad)])
    assert done.exit_code == 2
    assert "bad.csv:2: action 'delete' must be add or remove" in done.output
    assert "Traceback" not in done.output


def test_linked_pairs_are_each_linked_pair_once_in_order(
    audited: tuple[dict[str, Any], Audit, Recommendations],
) -> None:
    """``linked_pairs`` holds the key of every (source, target) pair of nodes some stored
    link joins, each once, ascending: checked against a set of the links' rows."""
    _, audit, _ = audited
    settings = prepare_money(audit.settings, audit.path)
    crawl_id = audit.crawl_id()
    site = load_site(audit.store, run_internal(audit.store, crawl_id, settings), settings)
    graph = site.graph
    assert graph.targets is not None
    rows = audit.store.rows("SELECT src_id, dst_id FROM links WHERE crawl_id = ?", [crawl_id])
    expected = set()
    for src_id, dst_id in rows:
        s = int(graph.nodes_of(np.asarray([src_id]))[0])
        t = int(graph.targets.node_of(np.asarray([dst_id]))[0])
        if s >= 0 and t >= 0:
            expected.add(s * graph.n + t)
    keys = linked_pairs(audit.store, site).tolist()
    assert keys == sorted(expected)
    assert len(rows) > len(keys) > 0  # some pairs are linked more than once
