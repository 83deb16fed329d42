"""The verdict: two explained scores, the weaker side, ranked actions with their effects,
and plain statements when the data cannot support a score."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from linkflow import Verdict
from linkflow.analyses.verdict_scores import EXTERNAL, INTERNAL, Scale
from linkflow.audit import Audit
from linkflow.cli import cli

SITES = Path(__file__).parents[1] / "sites"
BLOG = SITES / "trapped-blog"


def _audit(
    where: Path, site: Path = BLOG, *, backlinks: bool = True, extra: dict[str, Any] | None = None
) -> Audit:
    overrides = {"crawl.base_url": "https://site.test/", **(extra or {})}
    audit = Audit(where, overrides=overrides)
    audit.crawl(str(site / "site"))
    if backlinks:
        audit.import_exports([BLOG / "backlinks.csv"])
    return audit.check_known_urls().analyse()


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Audit, Verdict]]:
    audit = _audit(tmp_path_factory.mktemp("v") / "audit", extra={"analyse.money": ["/services/*"]})
    verdict = audit.state.analyses[-1]
    assert isinstance(verdict, Verdict)
    yield audit, verdict
    audit.close()


def test_both_sides_are_scored_and_explained(judged: tuple[Audit, Verdict]) -> None:
    _, verdict = judged
    for side, scales in ((verdict.internal, INTERNAL), (verdict.external, EXTERNAL)):
        assert side.score is not None
        assert 0 <= side.score <= 100
        names = [c.name for c in side.components]
        assert names == [n for n in scales if n in names]
        weighted = sum(c.score * c.weight for c in side.components)
        assert side.score == pytest.approx(weighted / sum(c.weight for c in side.components))
        for c in side.components:
            assert c.text in side.explanation
            assert "scores 0" in c.text
            assert "scores 100" in c.text
    assert "gap" not in [c.name for c in verdict.external.components]  # no competitor import
    lower = min((verdict.internal, verdict.external), key=lambda s: s.score or 0)
    assert verdict.weaker == lower.side
    assert [verdict.internal.weaker, verdict.external.weaker].count(True) == 1
    assert verdict.notes == ()


def test_actions_are_ranked_with_their_effects(judged: tuple[Audit, Verdict]) -> None:
    _, verdict = judged
    assert 3 <= len(verdict.actions) <= 5
    assert [a.rank for a in verdict.actions] == list(range(1, len(verdict.actions) + 1))
    sides = [a.side for a in verdict.actions]
    assert sides == sorted(sides, key=lambda s: s != verdict.weaker)  # weaker side first
    link = next(a for a in verdict.actions if a.url == "https://site.test/blog/guide.html")
    assert link.action == "add a content link"
    assert link.target_url == "https://site.test/services/"
    assert link.gain is not None
    assert link.gain > 0
    assert link.effect.startswith("money pages' share of authority ")
    assert "→" in link.effect
    redirect = next(a for a in verdict.actions if a.url == "https://site.test/services/old.html")
    assert redirect.target_url == "https://site.test/services/"
    assert redirect.gain is not None
    assert redirect.gain > 0
    assert "404" in redirect.why


def test_the_stored_verdict_reads_back_as_built(judged: tuple[Audit, Verdict]) -> None:
    audit, verdict = judged
    again = audit.verdict()
    assert again == verdict
    assert again.flow is not None
    assert again.flow.money_pages == 3


def test_the_cli_prints_the_verdict_and_its_actions(judged: tuple[Audit, Verdict]) -> None:
    audit, verdict = judged
    audit.close()  # one process opens a file once; the command opens it again
    result = CliRunner().invoke(cli, ["verdict", "--audit", str(audit.path)])
    assert result.exit_code == 0, result.output
    assert verdict.headline() in result.output
    for action in verdict.actions:
        assert f"{action.rank}. {action.action}" in result.output
        assert action.effect in result.output


def test_without_backlinks_external_authority_is_not_scored(tmp_path: Path) -> None:
    with _audit(tmp_path / "a", backlinks=False, extra={"analyse.money": ["/services/*"]}) as a:
        verdict = a.verdict()
    assert verdict.external.score is None
    assert verdict.weaker is None
    assert verdict.headline().startswith("Not enough data to compare")
    assert any("no backlinks imported" in n for n in verdict.notes)
    assert "trapped" not in [c.name for c in verdict.internal.components]


def test_guessed_money_pages_are_said_with_how_to_set_them(tmp_path: Path) -> None:
    with _audit(tmp_path / "a") as a:
        verdict = a.verdict()
    note = next(n for n in verdict.internal.notes if "guessed" in n)
    assert "--money '/services/*'" in note
    assert "linkflow.toml" in note
    # each page shown says why it was guessed
    assert "/services/lawn.html (URL: services)," in note  # below /services/: 3 points


def test_no_money_pages_and_a_capped_crawl_are_said(tmp_path: Path) -> None:
    with _audit(tmp_path / "a", SITES / "orphans-deep", backlinks=False,
                extra={"crawl.max_pages": 3}) as a:  # fmt: skip
        verdict = a.verdict()
    assert any("no money pages known" in n for n in verdict.internal.notes)
    assert any("crawl.max_pages = 3" in n for n in verdict.notes)
    assert "reach" not in [c.name for c in verdict.internal.components]


def test_verdict_before_analysis_is_one_clear_line(tmp_path: Path) -> None:
    with Audit(tmp_path / "a", overrides={"crawl.base_url": "https://site.test/"}) as a:
        a.crawl(str(BLOG / "site"))
    result = CliRunner().invoke(cli, ["verdict", "--audit", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "no verdict for crawl 1 yet; run `linkflow analyse` first" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("scale", "value", "points"),
    [
        (Scale("x", 0.25, 0.75, 1.0), 0.5, 50.0),
        (Scale("x", 0.25, 0.75, 1.0), 0.9, 100.0),
        (Scale("x", 0.10, 0.0, 1.0), 0.2, 0.0),
        (Scale("x", 4.0, 1.0, 1.0, "clicks"), 2.5, 50.0),
        (Scale("x", 0.0, 50.0, 1.0, "domains", log=True), 50.0, 100.0),
    ],
)
def test_scales_map_reference_points_to_0_and_100(
    scale: Scale, value: float, points: float
) -> None:
    assert scale.score(value) == pytest.approx(points)


def test_a_verdict_is_a_frozen_dataclass(judged: tuple[Audit, Verdict]) -> None:
    _, verdict = judged
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.crawl_id = 2  # type: ignore[misc]


def test_a_competitor_import_adds_the_link_gap(tmp_path: Path) -> None:
    extra = {"analyse.money": ["/services/*"]}
    audit = Audit(tmp_path / "a", overrides={"crawl.base_url": "https://site.test/", **extra})
    with audit:
        audit.crawl(str(BLOG / "site"))
        audit.import_exports([BLOG / "backlinks.csv"])
        audit.import_exports([BLOG / "competitor.csv"], site="rival")
        verdict = audit.check_known_urls().analyse().verdict()
    gap = next(c for c in verdict.external.components if c.name == "gap")
    assert gap.value == pytest.approx(1 / 7)  # garden-pros.example, of 1 + 6 domains
    earn = [a for a in verdict.actions if a.action.startswith("earn links")]
    assert not earn or earn[0].target_url == "garden-pros.example"
