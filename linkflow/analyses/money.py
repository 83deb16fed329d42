"""Money pages: the pages a site earns from, as the user names them or as linkflow guesses.

Users name them with glob patterns on the path or the full URL (``analyse.money``, e.g.
``/services/*``), from a file (``analyse.money_file``: one pattern a line, ``#`` comments),
and optionally give each pattern a revenue weight: ``pattern = weight`` anywhere a pattern
is accepted, or in ``analyse.money_weights``. A page matched by several patterns takes the
largest weight; a pattern without one weighs 1.

Without any pattern (or when none matches a page of the graph), :func:`guess_money`
proposes candidates from the URL, the title and H1, and the main navigation
(:data:`SECTION_WORDS`, :data:`TOKEN_WORDS`, :data:`TITLE_WORDS`) and the schema.org types
the page declares (:mod:`linkflow.analyses.money_types`); the verdict says so and shows how
to set them.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa

from linkflow.analyses.flow_leaks import classify_paths
from linkflow.analyses.money_types import is_editorial_type, is_money_type
from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = [
    "GUESS_THRESHOLD",
    "SECTION_WORDS",
    "STRUCTURED_POINTS",
    "TITLE_WORDS",
    "TOKEN_WORDS",
    "MoneyGuess",
    "MoneyPages",
    "guess_money",
    "match_weights",
    "parse_entry",
    "prepare_money",
    "read_money_file",
    "score_money",
    "suggest_patterns",
]

SECTION_WORDS: Final = frozenset({
    "services", "service", "products", "product", "shop", "store", "pricing", "prices",
    "price", "plans", "contact", "contact-us", "booking", "bookings", "book", "book-now",
    "quote", "get-a-quote", "request-a-quote", "free-quote", "appointment", "appointments",
    "order", "buy", "hire", "demo", "trial", "solutions", "leistungen", "dienstleistungen",
    "produkte", "preise", "kontakt", "produits", "tarifs", "prix", "servicios", "productos",
    "precios", "contacto", "servizi", "prodotti", "prezzi", "contatti", "diensten",
    "producten", "prijzen",
})  # fmt: skip
"""A path segment that is one of these names a money section (or a money page)."""
TOKEN_WORDS: Final = frozenset({
    "services", "service", "products", "product", "pricing", "quote", "booking",
    "appointment", "contact",
})  # fmt: skip
"""A word of a path segment (split at - _ .) strong enough on its own."""
TITLE_WORDS: Final = frozenset({
    "services", "service", "pricing", "prices", "price", "quote", "booking", "book",
    "appointment", "contact", "shop", "buy", "order", "hire", "products", "product",
    "estimate", "consultation",
})  # fmt: skip
"""Words of the title or H1 that hint at a money page."""
EDITORIAL: Final = frozenset({
    "blog", "news", "article", "articles", "post", "posts", "magazine", "journal", "guides",
    "resources", "help", "faq", "docs", "wiki", "press", "events", "careers", "jobs",
})  # fmt: skip
"""Sections that hold content, not money pages, whatever their words say."""
GUESS_THRESHOLD: Final = 3
"""Points a page needs to be guessed: section word 2, below that section 1, title 1,
linked from the navigation of at least half the pages 1, a money type in its structured
data :data:`STRUCTURED_POINTS`, an article type minus as many."""
NAV_SHARE: Final = 0.5
STRUCTURED_POINTS: Final = 3
"""A product, offer, service, business, contact or booking type is enough on its own; an
article or post type takes as much away (a post titled "Our services" stays a post)."""
SITEWIDE_SHARE: Final = 0.8
"""A type declared on this share of the pages (and on more than two) describes the site,
not the page (a theme's ``LocalBusiness`` or ``Article`` on every page): it is not a signal."""

_WEIGHT = re.compile(
    r"^(?P<pattern>.*?)(?P<space>\s*)=\s*(?P<weight>[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$"
)
_WORD = re.compile(r"[^\W\d_]+")


def parse_entry(text: str, origin: str = "analyse.money") -> tuple[str, float | None]:
    """``(pattern, weight)`` of one entry: ``pattern`` or ``pattern = weight``.

    ``=`` followed by a number is a weight when spaces surround it or the pattern has no
    ``?`` (so ``/shop?id=3`` stays a pattern; write ``/shop?id=3 = 2`` to weigh it).
    Raises :class:`ConfigError` (naming ``origin``) for an empty pattern or a weight ≤ 0.
    """
    entry = text.strip()
    found = _WEIGHT.match(entry)
    weight: float | None = None
    if found and (found["space"] or "?" not in found["pattern"]):
        entry, weight = found["pattern"].strip(), float(found["weight"])
        if weight <= 0:
            raise ConfigError(f"{origin}: weight of {entry!r} must be positive, got {weight}")
    if not entry:
        raise ConfigError(f"{origin}: empty money page pattern in {text!r}")
    return entry, weight


def read_money_file(path: Path) -> list[tuple[str, float | None]]:
    """The entries of a money file: one pattern a line, ``#`` starts a comment."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: money file not found; give a file with one URL pattern a line"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: money file cannot be read ({exc})") from exc
    out = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if text:
            out.append(parse_entry(text, f"{path}:{number}"))
    return out


def prepare_money(settings: Settings, base: Path | None = None) -> Settings:
    """``settings`` with every money pattern in ``analyse.money`` (plain globs, in order)
    and every weight in ``analyse.money_weights`` (``pattern = weight``).

    Entries come from ``analyse.money``, ``analyse.money_file`` (a relative path is tried
    in the working directory, then in ``base``, the audit folder) and
    ``analyse.money_weights``. Running it again on its output changes nothing.
    """
    an = settings.analyse
    entries = [parse_entry(e) for e in an.money]
    if an.money_file:
        path = Path(an.money_file)
        if not path.is_absolute() and not path.exists() and base is not None:
            path = base / path
        entries += read_money_file(path)
    for text in an.money_weights:
        pattern, weight = parse_entry(text, "analyse.money_weights")
        if weight is None:
            raise ConfigError(
                f"analyse.money_weights: {text!r} has no weight; write 'pattern = weight'"
            )
        entries.append((pattern, weight))
    patterns = list(dict.fromkeys(p for p, _ in entries))
    weights: dict[str, float] = {}
    for pattern, weight in entries:
        if weight is not None:
            weights[pattern] = max(weight, weights.get(pattern, 0.0))
    analyse = dataclasses.replace(
        an,
        money=tuple(patterns),
        money_weights=tuple(f"{p} = {weights[p]:g}" for p in patterns if p in weights),
    )
    return dataclasses.replace(settings, analyse=analyse)


def match_weights(
    store: Store, url_ids: np.ndarray, patterns: tuple[str, ...], weights: tuple[str, ...]
) -> np.ndarray:
    """The money weight of each of ``url_ids`` (0: no pattern matches its path or URL)."""
    given = dict(parse_entry(w, "analyse.money_weights") for w in weights)
    names = list(dict.fromkeys([*patterns, *given]))
    out = np.zeros(url_ids.size)
    if not names or url_ids.size == 0:
        return out
    values = [float(given.get(p) or 1.0) for p in names]
    with store.registered("_lf_money_ids", pa.table({"url_id": pa.array(url_ids, pa.int64())})):
        table = store.query(
            "SELECT i.url_id, max(t.w) AS weight FROM _lf_money_ids i "
            "JOIN urls u ON u.id = i.url_id "
            "JOIN (SELECT unnest($p::VARCHAR[]) AS p, unnest($w::DOUBLE[]) AS w) t "
            "  ON u.path GLOB t.p OR u.url GLOB t.p GROUP BY i.url_id",
            {"p": names, "w": values},
        )
    order = np.argsort(url_ids, kind="stable")
    pos = np.searchsorted(url_ids[order], table["url_id"].to_numpy())
    out[order[pos]] = table["weight"].to_numpy()
    return out


@dataclass(frozen=True, slots=True)
class MoneyPages:
    """The money pages of the graph: ``weights`` per node (0: not a money page), where
    they come from (``declared``, ``guessed`` or ``none``), a note for the verdict and, for
    guessed ones, why each was guessed (by node)."""

    weights: np.ndarray
    source: str
    note: str = ""
    reasons: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    @property
    def mask(self) -> np.ndarray:
        """Which nodes are money pages."""
        out: np.ndarray = self.weights > 0
        return out

    @property
    def count(self) -> int:
        return int(self.mask.sum())


def _editorial(path: str) -> bool:
    return any(s in EDITORIAL for s in path.lower().split("?")[0].split("/"))


def _path_points(path: str) -> tuple[int, str]:
    """Points of the first money segment of ``path`` and that segment ("" for none)."""
    segments = [s for s in path.lower().split("?")[0].split("/") if s]
    for i, seg in enumerate(segments):
        stem = seg.rsplit(".", 1)[0]
        tokens = set(re.split(r"[-_.]", stem))
        if stem in SECTION_WORDS or tokens & TOKEN_WORDS:
            return 2 + (1 if i < len(segments) - 1 else 0), seg
    return 0, ""


def _title_words(*texts: str | None) -> list[str]:
    words = {w.casefold() for t in texts if t for w in _WORD.findall(t)}
    return sorted(words & TITLE_WORDS)


def _type_points(types: list[str]) -> tuple[int, list[str]]:
    """Points of a page's own (not sitewide) schema.org types, and the reasons."""
    money = [t for t in types if is_money_type(t)]
    editorial = [t for t in types if is_editorial_type(t)]
    reasons = []
    if money:
        reasons.append("structured data: " + ", ".join(money))
    if editorial:
        reasons.append("structured data: " + ", ".join(editorial) + " (an article)")
    return STRUCTURED_POINTS * (bool(money) - bool(editorial)), reasons


def _sitewide(declared: list[list[str]]) -> set[str]:
    counts = Counter(t for types in declared for t in types)
    floor = max(SITEWIDE_SHARE * len(declared), 3)
    return {t for t, n in counts.items() if n >= floor}


@dataclass(frozen=True, slots=True)
class MoneyGuess:
    """A guessed money page: its graph node, its points and why (one reason per signal)."""

    node: int
    points: int
    reasons: tuple[str, ...]


def score_money(
    store: Store, crawl_id: int, graph: LinkGraph, low_value: Iterable[str] = ()
) -> list[MoneyGuess]:
    """The pages that look like money pages (see :data:`GUESS_THRESHOLD`), by points then
    node, each with its reasons ("URL: services", "title: pricing", "structured data:
    Service" ...).

    Low-value URLs (tag, date, login, legal ... pages: :mod:`linkflow.analyses.flow_leaks`)
    and editorial sections (:data:`EDITORIAL`) are never guessed; ``low_value`` adds
    classes as ``analyse.low_value`` does.
    """
    if graph.n == 0:
        return []
    facts = store.query(
        "WITH nav AS (SELECT dst_id, count(DISTINCT src_id) AS n FROM links "
        "  WHERE crawl_id = $c AND position IN ('nav', 'header') GROUP BY dst_id) "
        "SELECT p.url_id, u.path, p.title, p.h1, coalesce(nav.n, 0) AS nav, p.schema_types "
        "FROM pages p JOIN urls u ON u.id = p.url_id LEFT JOIN nav ON nav.dst_id = p.url_id "
        "WHERE p.crawl_id = $c",
        {"c": crawl_id},
    )
    nodes = graph.nodes_of(facts["url_id"].to_numpy())
    keep = nodes >= 0
    rows = facts.filter(pa.array(keep)).to_pylist()
    nodes = nodes[keep]
    nav = np.zeros(graph.n)
    # a nav link to a redirect counts for the page it lands on
    assert graph.targets is not None
    dst = graph.targets.node_of(facts["url_id"].to_numpy())
    np.maximum.at(nav, dst[dst >= 0], facts["nav"].to_numpy()[dst >= 0])
    low = classify_paths([r["path"] for r in rows], low_value).codes
    declared = [(r["schema_types"] or "").split() for r in rows]
    sitewide = _sitewide(declared)
    guesses: dict[int, MoneyGuess] = {}
    for node, row, cls, types in zip(nodes.tolist(), rows, low, declared, strict=True):
        if cls >= 0:
            continue
        if _editorial(row["path"]):
            guesses.pop(node, None)
            continue
        score, segment = _path_points(row["path"])
        reasons = [f"URL: {segment}"] if segment else []
        words = _title_words(row["title"], row["h1"])
        if words:
            score += 1
            reasons.append("title: " + ", ".join(words))
        if nav[node] >= NAV_SHARE * graph.n:
            score += 1
            reasons.append("in the navigation of most pages")
        points, said = _type_points([t for t in types if t not in sitewide])
        if score + points >= GUESS_THRESHOLD:
            guesses[node] = MoneyGuess(node, score + points, tuple(reasons + said))
        else:
            guesses.pop(node, None)
    return sorted(guesses.values(), key=lambda g: (-g.points, g.node))


def guess_money(
    store: Store, crawl_id: int, graph: LinkGraph, low_value: Iterable[str] = ()
) -> np.ndarray:
    """The nodes of :func:`score_money`'s guesses, by points then node."""
    guesses = score_money(store, crawl_id, graph, low_value)
    return np.array([g.node for g in guesses], dtype=np.int64)


def suggest_patterns(paths: list[str], limit: int = 4) -> list[str]:
    """Patterns that cover ``paths``: ``/section/*`` for a first segment shared by two or
    more of them, the path itself otherwise (at most ``limit``)."""
    firsts = Counter(p.strip("/").split("/")[0] for p in paths if p.strip("/"))
    out: list[str] = []
    for path in paths:
        first = path.strip("/").split("/")[0]
        pattern = f"/{first}/*" if first and firsts[first] >= 2 else path
        if pattern not in out:
            out.append(pattern)
    return out[:limit]
