"""Detection from header and bytes: every fixture, renamed files, unknown and binary files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linkflow.errors import ImportFormatError
from linkflow.ingest import detect
from tests.ingest.conftest import EXPORTS, export

# name: provider, report, kind, encoding, delimiter, header line (0-based)
EXPECTED = {
    "ahrefs_backlinks.csv": ("ahrefs", "backlinks", "backlinks", "utf-16-le", "\t", 0),
    "ahrefs_backlinks_utf8.csv": ("ahrefs", "backlinks", "backlinks", "utf-8", ",", 0),
    "ahrefs_backlinks_legacy.csv": ("ahrefs", "backlinks-legacy", "backlinks", "utf-8", ",", 0),
    "ahrefs_refdomains.csv": ("ahrefs", "refdomains", "backlinks", "utf-16-le", "\t", 0),
    "ahrefs_best_by_links.csv": ("ahrefs", "best-by-links", "backlinks", "utf-8", ",", 0),
    "ahrefs_top_pages.csv": ("ahrefs", "top-pages", "traffic", "utf-16-le", "\t", 0),
    "semrush_backlinks.csv": ("semrush", "backlinks", "backlinks", "utf-8", ",", 0),
    "semrush_backlinks_12_semicolon.csv": ("semrush", "backlinks", "backlinks", "utf-8", ";", 0),
    "semrush_refdomains.csv": ("semrush", "refdomains", "backlinks", "utf-8", ",", 0),
    "majestic_backlinks.csv": ("majestic", "backlinks", "backlinks", "utf-8", ",", 0),
    "majestic_api.csv.gz": ("majestic", "backlinks-api", "backlinks", "utf-8", ",", 0),
    "moz_links.csv": ("moz", "backlinks", "backlinks", "utf-8", ",", 0),
    "gsc_latest_links.csv": ("gsc", "latest-links", "backlinks", "utf-8", ",", 0),
    "gsc_sample_links.csv": ("gsc", "sample-links", "backlinks", "utf-8", ",", 0),
    "gsc_top_linking_sites.csv": ("gsc", "top-linking-sites", "backlinks", "utf-8", ",", 0),
    "gsc_top_target_pages.csv": ("gsc", "top-target-pages", "backlinks", "utf-8", ",", 0),
    "gsc_internal_links.csv": ("gsc", "internal-links", "backlinks", "utf-8", ",", 0),
    "gsc_pages.csv": ("gsc", "pages", "traffic", "utf-8", ",", 0),
    "gsc_queries.csv": ("gsc", "queries", "traffic", "utf-8", ",", 0),
    "gsc_performance.zip": ("gsc", "pages", "traffic", "utf-8", ",", 0),
    "looker_pages.csv": ("gsc", "looker-pages", "traffic", "utf-8", ",", 0),
    "bing_backlinks.csv": ("bing", "backlinks", "backlinks", "utf-8", ",", 0),
    "ga4_report.csv": ("ga4", "report", "traffic", "utf-8", ",", 9),
    "ga4_exploration.csv": ("ga4", "exploration", "traffic", "utf-8", ",", 6),
    "cc_domain_ranks.txt.gz": ("commoncrawl", "ranks", "authority", "utf-8", "\t", 0),
    "tranco.csv": ("tranco", "list", "authority", "utf-8", ",", -1),
    "domcop.csv": ("domcop", "open-pagerank", "authority", "utf-8", ",", 0),
    "majestic_million.csv": ("majestic", "million", "authority", "utf-8", ",", 0),
}


def test_every_fixture_has_an_expectation() -> None:
    names = {p.name for p in EXPORTS.iterdir() if p.suffix != ".py"} - {"generic_backlinks.csv"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detects_each_format(name: str) -> None:
    fmt = detect(export(name))
    got = (fmt.provider, fmt.report, fmt.kind, fmt.encoding, fmt.delimiter, fmt.header_line)
    assert got == EXPECTED[name]


@pytest.mark.parametrize("name", ["ahrefs_backlinks.csv", "gsc_latest_links.csv", "tranco.csv"])
def test_detection_ignores_the_file_name(tmp_path: Path, name: str) -> None:
    renamed = tmp_path / "semrush-backlinks (1).csv"
    shutil.copy(export(name), renamed)
    assert detect(renamed).provider == EXPECTED[name][0]


def test_header_names_are_normalised_before_matching(tmp_path: Path) -> None:
    # NBSP, odd case, extra spaces and a trailing space (Ahrefs' "Traffic ")
    path = tmp_path / "x.csv"
    path.write_text(
        "\ufeff Referring\u00a0PAGE  url ,Target URL ,Domain Rating\nhttps://a.org/,"
        "https://www.example.com/,5\n",
        encoding="utf-8",
    )
    fmt = detect(path)
    assert (fmt.provider, fmt.report, fmt.encoding) == ("ahrefs", "backlinks", "utf-8")


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(export("ahrefs_backlinks.csv").read_bytes()[2:])
    fmt = detect(path)
    assert (fmt.provider, fmt.encoding) == ("ahrefs", "utf-16-le")


def test_cp1252_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("Source url,Target url,Anchor text\nhttps://a.org/caf\xe9,https://www.example.com/,"
                     "caf\xe9\n".encode("cp1252"))  # fmt: skip
    fmt = detect(path)
    assert (fmt.provider, fmt.encoding) == ("bing", "cp1252")


def test_unknown_format_lists_known_formats_and_column_map(tmp_path: Path) -> None:
    path = tmp_path / "mystery.csv"
    path.write_text("alpha,beta,gamma\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        detect(path)
    message = str(info.value)
    assert "mystery.csv" in message
    assert "ahrefs backlinks" in message
    assert "column-map" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\x03" * 100, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4],
)
def test_binary_or_empty_files_are_format_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError):
        detect(path)


def test_column_map_detects_any_csv() -> None:
    fmt = detect(
        export("generic_backlinks.csv"),
        column_map=("source_url=Linking URL", "target_url=My page"),
    )
    assert (fmt.provider, fmt.kind, fmt.delimiter) == ("generic", "backlinks", ";")


def test_column_map_with_missing_header_says_which(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no header line holds"):
        detect(export("generic_backlinks.csv"), column_map=("source_url=Nope",))


def test_every_format_is_documented() -> None:
    from linkflow.ingest.formats import FORMATS, TRANCO

    doc = (EXPORTS.parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    for spec in (*FORMATS, TRANCO):
        assert f"| {spec.provider} | {spec.report} |" in doc, spec.name
