"""Link positions on hand-labelled pages of twelve site templates: per-class precision/recall.

The thresholds sit just under the figures measured when they were set (docs/positions.md);
a change to the classifier that loses accuracy on any class fails here.
"""

from __future__ import annotations

import pytest

from tests.extract.measure_positions import Score, measure

# position: (minimum precision, minimum recall)
THRESHOLDS = {
    "content": (0.80, 0.95),
    "nav": (0.95, 0.95),
    "header": (0.95, 0.95),
    "footer": (0.90, 0.95),
    "sidebar": (0.85, 0.85),
    "breadcrumb": (0.95, 0.95),
    "pagination": (0.95, 0.95),
    "related": (0.95, 0.75),
    "comment": (0.95, 0.55),
    "other": (0.95, 0.65),
}


@pytest.fixture(scope="module")
def score() -> Score:
    return measure()


def test_labels_match_the_links_found(score: Score) -> None:
    assert score.mismatched_urls == []
    assert sum(score.pairs.values()) >= 330


@pytest.mark.parametrize("position", sorted(THRESHOLDS))
def test_precision_and_recall(score: Score, position: str) -> None:
    min_precision, min_recall = THRESHOLDS[position]
    precision, recall = score.precision(position), score.recall(position)
    assert precision is not None
    assert recall is not None
    assert precision >= min_precision
    assert recall >= min_recall


def test_overall_accuracy(score: Score) -> None:
    assert score.accuracy >= 0.92
