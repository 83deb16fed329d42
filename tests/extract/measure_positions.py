"""Per-class precision and recall of link positions on the hand-labelled golden pages.

Run ``python -m tests.extract.measure_positions`` to print the table kept in
``docs/positions.md``. Each ``golden/<template>/labels.json`` maps a page file to its URL and
the expected position of every returned link, by ordinal (with the link's URL as a check).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from linkflow.extract import parse_page
from linkflow.models import POSITIONS

GOLDEN = Path(__file__).parent / "golden"
SETS = {
    "tuned on (the classifier was developed against these)": {
        "wordpress", "bootstrap", "shop", "docs",
    },
    "first held out, then tuned on after the first measurement": {"news", "sphinx"},
    "held out (written after the classifier was frozen)": {
        "ghost", "tailwind", "forum", "woo", "drupal", "wix",
    },
}  # fmt: skip


@dataclass
class Score:
    """Counts of (expected, predicted) position pairs over all golden links."""

    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    mismatched_urls: list[str] = field(default_factory=list)

    def precision(self, cls: str) -> float | None:
        predicted = sum(n for (_, p), n in self.pairs.items() if p == cls)
        return self.pairs[(cls, cls)] / predicted if predicted else None

    def recall(self, cls: str) -> float | None:
        expected = sum(n for (e, _), n in self.pairs.items() if e == cls)
        return self.pairs[(cls, cls)] / expected if expected else None

    def support(self, cls: str) -> int:
        return sum(n for (e, _), n in self.pairs.items() if e == cls)

    @property
    def accuracy(self) -> float:
        total = sum(self.pairs.values())
        return sum(n for (e, p), n in self.pairs.items() if e == p) / total if total else 0.0


def golden_pages() -> list[tuple[Path, str, list[dict[str, object]]]]:
    """Every labelled page: (HTML file, page URL, labels in ordinal order)."""
    pages = []
    for labels_file in sorted(GOLDEN.glob("*/labels.json")):
        for name, entry in json.loads(labels_file.read_text(encoding="utf-8")).items():
            pages.append((labels_file.parent / name, entry["url"], entry["links"]))
    return pages


def measure(templates: set[str] | None = None) -> Score:
    """Classify every golden page and count (expected, predicted) pairs."""
    score = Score()
    for path, url, labels in golden_pages():
        if templates is not None and path.parent.name not in templates:
            continue
        links = parse_page(path.read_bytes(), url).links
        if [link.url for link in links] != [label["url"] for label in labels]:
            score.mismatched_urls.append(str(path.relative_to(GOLDEN)))
            continue
        for link, label in zip(links, labels, strict=True):
            score.pairs[(str(label["position"]), link.position)] += 1
    return score


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(score: Score) -> str:
    """A Markdown table: class, support, precision, recall."""
    lines = ["| position | links | precision | recall |", "|---|---:|---:|---:|"]
    for cls in POSITIONS:
        predicted = any(p == cls for (_, p) in score.pairs)
        if score.support(cls) or predicted:
            lines.append(
                f"| {cls} | {score.support(cls)} | {_fmt(score.precision(cls))} "
                f"| {_fmt(score.recall(cls))} |"
            )
    total = sum(score.pairs.values())
    lines.append(f"| **all** | {total} | accuracy {score.accuracy:.2f} | |")
    return "\n".join(lines)


def confusions(score: Score) -> str:
    """The wrong (expected → predicted) pairs, most frequent first."""
    wrong = [(n, e, p) for (e, p), n in score.pairs.items() if e != p]
    return "\n".join(f"{n:3d}  {e} → {p}" for n, e, p in sorted(wrong, reverse=True))


if __name__ == "__main__":
    result = measure()
    print(table(result))
    print()
    for name, templates in SETS.items():
        part = measure(templates)
        links = sum(part.pairs.values())
        print(
            f"{', '.join(sorted(templates))}: {links} links, accuracy {part.accuracy:.2f} ({name})"
        )
    print("\nConfusions (expected → predicted):\n" + (confusions(result) or "none"))
    if result.mismatched_urls:
        print("\nPages whose link URLs differ from labels.json:", result.mismatched_urls)
