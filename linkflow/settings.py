"""Settings: one frozen dataclass per stage, and one table that documents them all.

Each field carries its help text in ``metadata["help"]``; :data:`SETTINGS` is derived from
the fields, so the CLI help, ``docs/settings.md`` and ``linkflow.toml`` validation all read
the same table.

Precedence: command-line flags, then ``linkflow.toml`` in the audit folder, then
``linkflow.toml`` in the working directory, then the defaults below. A key that is not in the
table is an error that names it.
"""

from __future__ import annotations

import dataclasses
import difflib
import textwrap
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkflow.errors import ConfigError

__all__ = [
    "SETTINGS",
    "AnalyseSettings",
    "CrawlSettings",
    "ExtractSettings",
    "GraphSettings",
    "IngestSettings",
    "RecommendSettings",
    "ReportSettings",
    "Setting",
    "Settings",
    "load_settings",
    "select_settings",
    "settings_toml",
    "toml_value",
]

DEFAULT_USER_AGENT = "linkflow/0.1 (+https://github.com/linkflow/linkflow)"
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "gclid", "fbclid", "msclkid", "dclid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl",
    "hsa_acc", "hsa_cam", "hsa_grp", "hsa_ad", "hsa_src", "hsa_tgt", "hsa_kw", "hsa_mt",
    "hsa_net", "hsa_ver", "ref_src",
)  # fmt: skip


def _opt(default: Any, help: str) -> Any:
    """A settings field: its default and the one-sentence help shown in CLI and docs."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, kw_only=True, slots=True)
class CrawlSettings:
    """How the HTTP crawler and the static-folder reader find pages."""

    max_pages: int = _opt(100_000, "Stop after this many pages have been fetched.")
    max_depth: int = _opt(50, "Do not follow links from pages deeper than this many clicks.")
    concurrency: int = _opt(
        16,
        "Requests in flight at once, over all hosts (a site's subdomains, external checks); "
        "one host never gets more than per_host_concurrency of them.",
    )
    per_host_concurrency: int = _opt(
        5,
        "Requests in flight at once to one host. 5 is Screaming Frog's default: polite on a "
        "site you do not run; raise it for your own servers.",
    )
    rps: float = _opt(0.0, "Requests per second to one host; 0 means no limit.")
    user_agent: str = _opt(DEFAULT_USER_AGENT, "User-Agent header; also the robots.txt agent.")
    timeout: float = _opt(30.0, "Seconds a whole request may take, body included.")
    connect_timeout: float = _opt(10.0, "Seconds to wait for a connection.")
    retries: int = _opt(2, "Retries for 429, 503 and network errors, with backoff.")
    max_body_bytes: int = _opt(10_000_000, "Stop reading a response body past this many bytes.")
    max_decompressed_bytes: int = _opt(
        50_000_000, "Stop decompressing a response past this many bytes (gzip bombs)."
    )
    max_redirects: int = _opt(10, "Longest redirect chain followed before it counts as a loop.")
    max_url_length: int = _opt(2048, "Ignore links whose URL is longer than this.")
    obey_robots: bool = _opt(True, "Obey robots.txt (turn off only for your own staging site).")
    subdomains: bool = _opt(False, "Treat subdomains of the seed's domain as internal.")
    scope: tuple[str, ...] = _opt((), "Extra URL prefixes treated as internal.")
    include: tuple[str, ...] = _opt((), "Only follow URLs matching one of these regexes.")
    exclude: tuple[str, ...] = _opt((), "Never follow URLs matching one of these regexes.")
    headers: tuple[str, ...] = _opt((), "Extra request headers, each 'Name: value'.")
    auth: str = _opt("", "HTTP basic auth as 'user:password'.")
    sitemap_seed: bool = _opt(False, "Also seed the crawl with every URL in the sitemaps.")
    check_external: bool = _opt(False, "Check the status of external link targets.")
    check_known: bool = _opt(
        True,
        "After imports, fetch the site's URLs they name (backlink targets, pages with traffic, "
        "sitemap URLs) that no link reached, without following their links.",
    )
    base_url: str = _opt(
        "",
        "Public origin of the site when crawling a copy (staging, localhost, a build folder).",
    )
    strip_params: tuple[str, ...] = _opt(TRACKING_PARAMS, "Query parameters removed from URLs.")
    parse_workers: int = _opt(
        0,
        "Processes that parse pages while the crawl fetches; 0 is one per CPU core, at most "
        "4. Each holds the page it parses (about 20 times its size), so fewer keep memory "
        "lower, more parse faster.",
    )
    store_memory: str = _opt(
        "64MB",
        "DuckDB's memory cap while the crawl is stored (its journal loaded, templates found): "
        "more is faster, less keeps the crawl's peak memory lower. Very long pages get what "
        "they need above it.",
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class ExtractSettings:
    """What is kept from each HTML page."""

    keep_main_text: bool = _opt(True, "Store the main text of pages (used for suggestions).")
    context_chars: int = _opt(240, "Characters of the sentence kept around each content link.")
    sitewide_share: float = _opt(0.9, "A link on at least this share of pages is sitewide.")
    template_share: float = _opt(
        0.5, "A link on at least this share of a template's pages is boilerplate."
    )
    template_min_pages: int = _opt(
        10, "Templates (URL-path clusters) with fewer pages are not used to find boilerplate."
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class GraphSettings:
    """How the link graph is built and PageRank is solved."""

    weights: str = _opt("position", "'position' for position weights, 'uniform' for all 1.0.")
    weight_content: float = _opt(1.0, "Weight of a link in the main content.")
    weight_nav: float = _opt(0.5, "Weight of a navigation-menu link.")
    weight_header: float = _opt(0.5, "Weight of a link in the page header.")
    weight_breadcrumb: float = _opt(0.5, "Weight of a breadcrumb link.")
    weight_related: float = _opt(0.6, "Weight of a related-content link.")
    weight_sidebar: float = _opt(0.3, "Weight of a sidebar link.")
    weight_pagination: float = _opt(0.3, "Weight of a pagination link.")
    weight_footer: float = _opt(0.2, "Weight of a footer link.")
    weight_comment: float = _opt(0.1, "Weight of a link in user comments.")
    weight_other: float = _opt(0.5, "Weight of a link in no recognised position.")
    image_multiplier: float = _opt(0.8, "Multiplier for a link whose anchor is an image.")
    nofollow: str = _opt("drop", "'drop' nofollow/sponsored/ugc links, or 'evaporate' them.")
    duplicates: str = _opt("max", "Several links i→j: 'max', 'sum' or 'first' weight.")
    damping: float = _opt(0.85, "PageRank damping factor α.")
    tolerance: float = _opt(0.01, "Guaranteed relative error bound on every page's score.")
    max_iterations: int = _opt(1000, "Iteration cap of the PageRank solver.")


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyseSettings:
    """Thresholds of the internal and external findings, money pages and authority flow."""

    money: tuple[str, ...] = _opt(
        (),
        "URL patterns of the money pages (services, products...), each optionally "
        "'pattern = weight' (a revenue weight; 1 when absent).",
    )
    money_file: str = _opt(
        "", "File of money page patterns, one a line ('pattern' or 'pattern = weight')."
    )
    money_weights: tuple[str, ...] = _opt(
        (), "Revenue weights of money pages, each 'pattern = weight' (the largest one counts)."
    )
    deep_threshold: int = _opt(3, "Pages deeper than this many clicks are reported as deep.")
    overlinking_threshold: int = _opt(250, "Pages with more internal links than this.")
    min_content_inlinks: int = _opt(3, "Important pages should have at least this many.")
    brand_terms: tuple[str, ...] = _opt((), "Brand words for anchor classification.")
    generic_anchors: tuple[str, ...] = _opt((), "Extra anchors to treat as generic.")
    backlink_beta: float = _opt(0.85, "Share of teleport mass seeded by backlink authority.")
    low_value: tuple[str, ...] = _opt(
        (),
        "Extra low-value URL classes for the leak shares, each 'class = regex' on the path "
        "and query (tried before the built-in tag, date, login, legal ... classes).",
    )
    flow_money_pages: int = _opt(
        20, "Money pages (most flow first) whose top source pages are listed in flow_paths."
    )
    flow_sources: int = _opt(10, "Top source pages listed for each money page in flow_paths.")
    trapped_pages: int = _opt(
        5, "Trapping pages whose best link to a money page is computed (one solve each)."
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class IngestSettings:
    """How backlink and traffic exports are read."""

    column_map: tuple[str, ...] = _opt((), "Generic CSV columns, each 'canonical=Header Name'.")
    domain_cap: int = _opt(3, "Only the best this-many links of one referring domain count.")
    spam_tlds: tuple[str, ...] = _opt((), "TLDs whose referring domains are flagged as spam.")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecommendSettings:
    """How link suggestions and fix lists are chosen (docs/model.md, "Recommendations")."""

    max_suggestions: int = _opt(50, "How many internal links to recommend.")
    max_new_per_source: int = _opt(3, "New links suggested on one source page at most.")
    max_new_per_target: int = _opt(10, "New links suggested to one target page at most.")
    keywords: tuple[str, ...] = _opt(
        (),
        "Phrases a page should be linked with, each 'pattern = phrase, phrase' (a glob on "
        "the path or URL, e.g. '/services/lawn-care = lawn care, lawn mowing').",
    )
    max_targets: int = _opt(
        300, "Target pages considered: money pages first, then orphans and under-linked pages."
    )
    min_relevance: float = _opt(
        0.03,
        "Smallest relevance (0-1, BM25 of the target's phrases in the source's text, relative "
        "to the target's own text) of a suggested link.",
    )
    min_sentence_words: int = _opt(6, "A sentence to hold a new link has at least this many words.")
    max_sentence_words: int = _opt(40, "A sentence to hold a new link has at most this many words.")
    exact_anchor_share: float = _opt(
        0.3,
        "When this share of a target's descriptive anchors already match one of its phrases "
        "exactly, other phrases or partial matches are proposed as anchors.",
    )
    batch: int = _opt(
        10, "Links accepted per round of the optimiser before the flow is solved again."
    )
    polish_seconds: float = _opt(
        30.0, "Time the optimiser may spend swapping chosen links for better ones."
    )
    max_fixes: int = _opt(200, "Rows of each kind of fix list at most.")


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportSettings:
    """What the report shows."""

    top_n: int = _opt(50, "Rows shown in each table of the HTML report.")
    title: str = _opt("", "Report title; the site's host when empty.")
    exports: bool = _opt(
        True, "Write every table as CSV in exports/ next to the report, linked from it."
    )


_SECTIONS: dict[str, type[Any]] = {
    "crawl": CrawlSettings,
    "extract": ExtractSettings,
    "graph": GraphSettings,
    "analyse": AnalyseSettings,
    "ingest": IngestSettings,
    "recommend": RecommendSettings,
    "report": ReportSettings,
}


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of the settings table: ``section.name``, default and help text."""

    section: str
    name: str
    default: Any
    help: str

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(section, f.name, f.default, f.metadata["help"])
    for section, cls in _SECTIONS.items()
    for f in dataclasses.fields(cls)
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """All stages' settings together."""

    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    graph: GraphSettings = field(default_factory=GraphSettings)
    analyse: AnalyseSettings = field(default_factory=AnalyseSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    recommend: RecommendSettings = field(default_factory=RecommendSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

    def replace(self, **overrides: Any) -> Settings:
        """Return a copy with ``section.name`` keys (or ``section__name``) overridden."""
        return _apply(self, {k.replace("__", "."): v for k, v in overrides.items()}, "override")


def _coerce(value: Any, default: Any, key: str, origin: str) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, str):
        if isinstance(value, str):
            return value
    elif isinstance(default, tuple):
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
    expected = "list of strings" if isinstance(default, tuple) else type(default).__name__
    raise ConfigError(f"{origin}: setting {key} must be a {expected}, got {value!r}")


def _unknown(name: str, known: Iterable[str], origin: str = "") -> ConfigError:
    """The error for a setting ``name`` that does not exist, with the closest known name."""
    where = f"{origin}: " if origin else ""
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ConfigError(
        f"{where}unknown setting {name!r}; {hint}`linkflow settings` lists the known ones"
    )


def _apply(base: Settings, flat: Mapping[str, Any], origin: str) -> Settings:
    known = {s.key: s for s in SETTINGS}
    changes: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        if key not in known:
            raise _unknown(key, known, origin)
        setting = known[key]
        changes.setdefault(setting.section, {})[setting.name] = _coerce(
            value, setting.default, key, origin
        )
    sections = {name: getattr(base, name) for name in _SECTIONS}
    for section, values in changes.items():
        sections[section] = dataclasses.replace(sections[section], **values)
    return Settings(**sections)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    flat: dict[str, Any] = {}
    for section, values in data.items():
        if not isinstance(values, dict):
            owners = [s.section for s in SETTINGS if s.name == section]
            if owners:  # a setting written above every [section] header
                raise ConfigError(f"{path}: {section!r} must go under its section: [{owners[0]}]")
            raise ConfigError(f"{path}: {section!r} must be a [section] table, e.g. [crawl]")
        for name, value in values.items():
            flat[f"{section}.{name}"] = value
    return flat


def load_settings(
    *,
    audit_dir: Path | None = None,
    cwd: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from defaults, ``linkflow.toml`` files and ``overrides``.

    ``overrides`` maps ``section.name`` to a value (from command-line flags); a value of
    ``None`` means "not given" and is skipped.
    """
    settings = Settings()
    candidates = [(cwd or Path.cwd()) / "linkflow.toml"]
    if audit_dir is not None:
        candidates.append(audit_dir / "linkflow.toml")
    seen: set[Path] = set()
    for path in candidates:
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        settings = _apply(settings, _read_toml(path), str(path))
    if overrides:
        given = {k: v for k, v in overrides.items() if v is not None and v != ()}
        settings = _apply(settings, given, "command line")
    return settings


# ---------------------------------------------------------------------- as TOML
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", **{chr(c): f"\\u{c:04X}" for c in [*range(32), 127]}}
"""What a TOML basic string cannot hold as itself: quote, backslash, control characters."""


def toml_value(value: Any) -> str:
    """``value`` (a setting's type: bool, int, float, str or tuple of str) as TOML.

    What this returns can be pasted into ``linkflow.toml`` and reads back as ``value``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # Python's repr of a float (1e-05, inf, nan) is valid TOML too
    if isinstance(value, str):
        return '"' + "".join(_TOML_ESCAPES.get(ch, ch) for ch in value) + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_line(name: str, value: Any, width: int = 88) -> str:
    line = f"{name} = {toml_value(value)}"
    if len(line) <= width or not isinstance(value, tuple) or not value:
        return line
    items = "".join(f"    {toml_value(v)},\n" for v in value)  # one per line, as people write
    return f"{name} = [\n{items}]"


def select_settings(names: Iterable[str] = ()) -> list[Setting]:
    """The settings named ``section.name`` or ``section`` (all of them when none are named),
    in the table's order. An unknown name is a :class:`ConfigError` naming the closest one."""
    wanted = list(names)
    sections = set(_SECTIONS)
    keys = {s.key for s in SETTINGS}
    for name in wanted:
        if name not in keys and name not in sections:
            raise _unknown(name, [*_SECTIONS, *sorted(keys)])
    return [s for s in SETTINGS if not wanted or s.key in wanted or s.section in wanted]


def settings_toml(settings: Iterable[Setting] = SETTINGS) -> str:
    """``settings`` with their defaults as a ``linkflow.toml`` file, each with its help as
    a comment: valid TOML, so any part of it can be pasted into a settings file."""
    out: list[str] = []
    section = ""
    for s in settings:
        if s.section != section:
            section = s.section
            out.extend(["", f"[{section}]"] if out else [f"[{section}]"])
        out.extend(textwrap.wrap(s.help, 86, initial_indent="# ", subsequent_indent="# "))
        out.append(_toml_line(s.name, s.default))
    return "\n".join(out) + "\n"
