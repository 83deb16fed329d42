"""The pages explorer's embedded data: every page, compact, and safe inside a script block."""

from __future__ import annotations

import json
from pathlib import Path

from linkflow.report.explorer import embed_json, explorer_data
from linkflow.store import Store
from tests.report.conftest import SCRIPT, Audit
from tests.report.test_html import render


def test_embedded_json_cannot_end_its_script_block() -> None:
    hostile = {"t": f"{SCRIPT}<!-- & \u2028\u2029 </SCRIPT >"}
    text = embed_json(hostile)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == hostile


def test_every_page_by_equity_with_findings_and_links(audit: Audit) -> None:
    with Store.open(audit.path) as store:
        data = explorer_data(store, audit.crawl_id)
    pages = data["pages"]
    assert pages["url"] == sorted(audit.equity, key=audit.equity.__getitem__, reverse=True)
    assert {pages["url"][i] for i, m in enumerate(pages["money"]) if m} == audit.money
    assert "Sale " + SCRIPT in pages["title"][pages["url"].index(audit.urls[2])]
    one = pages["url"].index(audit.urls[1])
    assert [data["kinds"][k] for k in data["page_kinds"][one]] == ["broken-link"]
    assert pages["findings"][one] == 1
    links = data["links"]
    outs = [j for j, s in enumerate(links["src"]) if s == one]
    targets = sorted(
        pages["url"][d] if d >= 0 else data["targets"][-1 - d]
        for d in (links["dst"][j] for j in outs)
    )
    assert targets == sorted([audit.urls[0], audit.urls[2], "https://shop.example/gone"])
    assert {data["positions"][links["position"][j]] for j in outs} == {"content"}


def test_explorer_data_is_embedded_escaped(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    block = html.split('<script type="application/json" id="explorer-data">', 1)[1]
    block = block.split("</script>", 1)[0]
    assert "<" not in block
    data = json.loads(block)
    assert len(data["pages"]["url"]) == len(audit.urls)
    assert 'id="explorer"' in html
