"""The real-site bench's ratios: taken within each round, then the median over the rounds."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from realsite_bench import Round, Run, ratios


def _round(lf_seconds: float, scrapy_seconds: float, wget_seconds: float) -> Round:
    # 100 pages each; linkflow's CPU 1 s (10 ms a page) against a floor of 2 ms a page.
    return Round(
        linkflow=Run(pages=100, seconds=lf_seconds, cpu=1.0, tree_rss=200.0),
        floor=0.002,
        scrapy=Run(pages=100, seconds=scrapy_seconds, cpu=10.0, tree_rss=100.0),
        wget=Run(pages=100, seconds=wget_seconds, cpu=0.5, tree_rss=0.0),
    )


def test_each_ratio_is_the_median_of_the_rounds_ratios() -> None:
    # Rounds where both tools slowed down together: Scrapy-rate ratios 10, 2 and 4 (the
    # ratio of the median times would be 10 / 4 = 2.5).
    rounds = [_round(1.0, 10.0, 0.5), _round(4.0, 8.0, 2.0), _round(5.0, 20.0, 1.0)]
    lines = ratios("python", rounds)
    assert lines == [
        "CPU/page 5.0 (5.0-5.0)x the parse floor (target <= 3x)",
        "wget's own CPU/page 2.5 (2.5-2.5)x the parse floor (fetching only)",
        "pages/s 4.0 (2.0-10.0)x Scrapy's (target >= 8x)",
        "tree RSS 2.00 (2.00-2.00)x Scrapy's",
        "pages/s 0.50 (0.20-0.50)x wget's (target >= 0.5x)",
    ]


def test_one_round_prints_no_range_and_a_missing_tool_no_ratio() -> None:
    only = Round(linkflow=Run(pages=10, seconds=1.0, cpu=0.1, tree_rss=50.0), floor=0.001)
    assert ratios("postgresql", [only]) == ["CPU/page 10.0x the parse floor (target <= 3x)"]


def test_storing_cpu_is_its_share_of_the_floor_when_measured() -> None:
    # 100 pages, storing 0.5 s and 0.3 s of CPU: 5 and 3 ms a page against floors of 2 and
    # 1 ms, so 2.5x and 3.0x. A round that did not measure it (0 s) is left out, not a 0x.
    rounds = [
        Round(linkflow=Run(100, 1.0, 1.0, 200.0, store_cpu=0.5), floor=0.002),
        Round(linkflow=Run(100, 1.0, 1.0, 200.0), floor=0.004),
        Round(linkflow=Run(100, 1.0, 1.0, 200.0, store_cpu=0.3), floor=0.001),
    ]
    assert ratios("rust", rounds) == [
        "CPU/page 5.0 (2.5-10.0)x the parse floor (target <= 3x)",
        "of which storing 2.8 (2.5-3.0)x",
    ]
