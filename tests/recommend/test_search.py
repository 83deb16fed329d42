"""The candidate search runs when something uses it: suggestions (money pages) or the
orphans' fix list. Skipped, it changes nothing the stage returns but the count of
candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linkflow.audit import Audit
from linkflow.recommend import pipeline
from linkflow.recommend.records import Recommendations

SITES = Path(__file__).parents[1] / "sites"
NO_MONEY = ["/no-such-page"]

_PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<main><h1>{title}</h1><p>{text}</p><p>Read on: <a href="{next}.html">the next note</a>.</p>
</main></body></html>"""


def _garden(folder: Path) -> Path:
    """Four pages in a ring, each linked from the one before (no orphan), none a money
    page, whose texts name the subjects of the pages they do not link."""
    pages = {
        "index": ("Garden notes", "This garden keeps notes on soil testing and mulch layers."),
        "soil": ("Soil testing", "Soil testing comes first, and mulch layers protect the beds."),
        "compost": ("Compost making", "Compost making needs the results of soil testing first."),
        "mulch": ("Mulch layers", "Mulch layers go down after compost making in the autumn."),
    }
    names = list(pages)
    folder.mkdir()
    for i, (name, (title, text)) in enumerate(pages.items()):
        page = _PAGE.format(title=title, text=text, next=names[(i + 1) % len(names)])
        (folder / f"{name}.html").write_text(page, "utf-8")
    return folder


def _suggest(
    folder: Path, site: Path, money: list[str] | None, *, force: bool
) -> tuple[Recommendations, list[bool]]:
    """The stage's result on ``site`` (``money``: the money pages, None for the site's own
    settings) and whether it searched; ``force``: with the search run whatever the stage
    decides."""
    overrides: dict[str, Any] = {"crawl.base_url": "https://site.test/", "graph.tolerance": 1e-10}
    if money is not None:
        overrides["analyse.money"] = money
    searched: list[bool] = []
    find = pipeline.find_candidates

    def spy(*args: Any, **kwargs: Any) -> Any:
        searched.append(bool(kwargs.get("search", True)))
        return find(*args, **({**kwargs, "search": True} if force else kwargs))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "find_candidates", spy)
        with Audit(folder, overrides=overrides) as audit:
            audit.crawl(str(site)).analyse()
            return audit.suggest(), searched


@pytest.mark.parametrize(
    ("site", "money", "searched"),
    [
        ("garden", NO_MONEY, False),  # no money page, no orphan: nothing uses the candidates
        ("structured-money", None, True),  # money pages: suggestions to look for
        ("orphans-deep", NO_MONEY, True),  # no money page, but orphans to fix
    ],
)
def test_the_search_runs_only_when_used_and_its_skip_changes_nothing(
    tmp_path: Path, site: str, money: list[str] | None, searched: bool
) -> None:
    folder = _garden(tmp_path / "site") if site == "garden" else SITES / site / "site"
    got, decided = _suggest(tmp_path / "stage", folder, money, force=False)
    full, _ = _suggest(tmp_path / "forced", folder, money, force=True)
    assert decided == [searched]
    assert (got.money_pages > 0) is (money is None)
    assert any(f.kind == "orphan" for f in got.fixes) is (site == "orphans-deep")
    if not searched:
        assert got.candidates == 0 < full.candidates  # there were candidates, unused
    else:
        assert got.candidates == full.candidates
    assert got.suggestions == full.suggestions
    assert got.fixes == full.fixes
    assert (got.money_flow, got.after) == (full.money_flow, full.after)
    if money == NO_MONEY:  # a flow of zero cannot be lowered: no candidate is said to
        assert not any("would lower it" in line for line in full.lines())
