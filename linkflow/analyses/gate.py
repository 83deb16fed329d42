"""The CI gate behind ``linkflow check TARGET --fail-on broken,orphans,...``.

A gate name stands for one or more finding kinds; every finding kind is also a gate name of
its own. The gate fails when the crawl has at least one finding of a named kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from linkflow.analyses.findings_text import INTERNAL_KINDS
from linkflow.analyses.persist import read_findings
from linkflow.errors import ConfigError
from linkflow.store import Store

__all__ = ["GATE_KINDS", "GateResult", "gate", "gate_kinds"]

_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "broken": ("broken-link",),
    "orphans": ("orphan-page",),
    "redirect-chains": ("redirect-chain", "redirect-loop"),
    "redirects": ("link-to-redirect", "redirect-chain", "redirect-loop"),
    "generic-anchors": ("generic-anchor",),
    "anchors": ("generic-anchor", "empty-anchor", "naked-url-anchor", "image-link-no-alt"),
    "deep": ("deep-page", "unreachable-page"),
    "dead-ends": ("dead-end",),
    "nofollow": ("nofollow-only",),
    "noindex": ("link-to-noindex",),
    "canonicals": ("link-to-canonicalised",),
    "money": ("weak-money-page",),
    "overlinking": ("overlinking",),
}

GATE_KINDS: Final[dict[str, tuple[str, ...]]] = {
    **_GROUPS,
    **{kind: (kind,) for kind in INTERNAL_KINDS},
}
"""Gate name → the finding kinds it fails on."""


@dataclass(frozen=True, slots=True)
class GateResult:
    """``failed`` when ``rows`` (the matching findings, most severe first) is not empty."""

    failed: bool
    rows: list[dict[str, Any]] = field(default_factory=list)


def gate_kinds(fail_on: Sequence[str]) -> list[str]:
    """The finding kinds named by the gate names ``fail_on`` (checked before any crawl).

    Raises :class:`ConfigError` naming the known gate names when one is unknown.
    """
    kinds: list[str] = []
    for name in fail_on:
        key = name.strip().lower()
        if key not in GATE_KINDS:
            known = ", ".join(sorted(GATE_KINDS))
            raise ConfigError(f"--fail-on: unknown problem {name!r}; known: {known}")
        kinds.extend(k for k in GATE_KINDS[key] if k not in kinds)
    return kinds


def gate(store: Store, crawl_id: int, fail_on: Sequence[str]) -> GateResult:
    """Evaluate the gate names ``fail_on`` against the findings of ``crawl_id``.

    Raises :class:`ConfigError` naming the known gate names when one is unknown.
    """
    kinds = gate_kinds(fail_on)
    if not kinds:
        return GateResult(False, [])
    rows = read_findings(store, crawl_id, kinds)
    return GateResult(bool(rows), rows)
