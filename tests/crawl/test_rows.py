"""The crawl's row types against the columns the journal writes and the tables of the store.

A page row and a batch's link columns are typed (:mod:`linkflow.crawl.rows`), the journal
writes them by column lists, and the store declares the tables in ``schema.sql``: these
tests keep the three in step, and check that the rows the crawl builds are what their
types say.
"""

from __future__ import annotations

import re
import types
from datetime import datetime
from importlib import resources
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from linkflow.crawl.fetch import Response
from linkflow.crawl.journal_rows import FILES
from linkflow.crawl.page import build_result
from linkflow.crawl.rows import (
    LINK_COLUMNS,
    PAGE_COLUMNS,
    LinkColumn,
    LinkColumns,
    PageColumn,
    PageRow,
    new_link_columns,
)
from linkflow.models import PageFacts
from linkflow.settings import CrawlSettings

PAGE_URL_KEYS = ("url", "redirect_url", "canonical_url")
"""The URL keys of a page row, written as the ids ``url_id``, ``redirect_url_id`` ..."""

ALWAYS = {
    "url", "internal", "depth", "status", "content_type", "fetched_at", "response_ms",
    "bytes", "x_robots_tag", "error", "indexable",
}  # fmt: skip
"""The keys every response fills, by the contract of ``build_result``."""

PARSED = {
    "canonical_url", "meta_robots", "title", "meta_description", "h1", "lang", "word_count",
    "content_hash", "other_scheme_links", "schema_types",
}  # fmt: skip
"""The keys only a parsed HTML page fills."""

NOT_BY_CRAWL = {
    "pages": {"crawl_id"},  # the load adds the crawl's id
    "links": {"crawl_id", "template_share", "sitewide"},  # ... and the template pass these
}

PYTHON_TYPE = {
    "VARCHAR": str,
    "BOOLEAN": bool,
    "SMALLINT": int,
    "INTEGER": int,
    "BIGINT": int,
    "DOUBLE": float,
    "TIMESTAMP": datetime,
}
"""The Python type of a value of each DuckDB type."""


def _schema_table(name: str) -> dict[str, str]:
    """Column → type of table ``name`` as ``schema.sql`` declares it, in order."""
    schema = resources.files("linkflow.store").joinpath("schema.sql").read_text()
    body = re.search(rf"CREATE TABLE IF NOT EXISTS {name} \((.*?)\n\);", schema, re.S)
    assert body is not None, name
    columns: dict[str, str] = {}
    for line in body.group(1).splitlines():
        line = line.split("--", 1)[0].strip()
        if line:
            column, kind = line.split()[:2]
            columns[column] = kind.rstrip(",")
    return columns


def _plain(hint: Any) -> tuple[type, bool]:
    """(type, whether ``None`` is allowed) of a ``T`` or ``T | None`` hint."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        assert len(args) == 1, hint
        return args[0], True
    return hint, False


def test_page_row_keys_are_the_page_columns_and_its_urls() -> None:
    assert len(set(PAGE_COLUMNS)) == len(PAGE_COLUMNS)
    assert set(PageRow.__annotations__) == {*PAGE_URL_KEYS, *PAGE_COLUMNS}
    assert get_args(PageColumn) == PAGE_COLUMNS
    assert PageRow.__required_keys__ == ALWAYS
    assert PageRow.__optional_keys__ == PARSED | {"redirect_url"}


def test_link_columns_keys_are_the_link_columns_and_their_urls() -> None:
    assert len(set(LINK_COLUMNS)) == len(LINK_COLUMNS)
    assert set(LinkColumns.__annotations__) == {"src", "dst", *LINK_COLUMNS}
    assert get_args(LinkColumn) == LINK_COLUMNS
    empty = new_link_columns()
    assert set(empty) == {"src", "dst", *LINK_COLUMNS}
    assert all(column == [] for column in empty.values())
    assert len({id(column) for column in empty.values()}) == len(empty)  # no shared list


def test_the_journal_files_write_the_row_keys_in_order() -> None:
    assert list(FILES["pages"]) == [f"{k}_id" for k in PAGE_URL_KEYS] + list(PAGE_COLUMNS)
    assert list(FILES["links"]) == ["src_id", "dst_id", *LINK_COLUMNS]


@pytest.mark.parametrize("table", ["pages", "links"])
def test_the_journal_files_match_the_tables_of_the_schema(table: str) -> None:
    declared = _schema_table(table)
    written = FILES[table]
    assert {c: declared.get(c) for c in written} == written  # same names, same types
    assert set(declared) - set(written) == NOT_BY_CRAWL[table]


def test_page_row_value_types_match_the_pages_table() -> None:
    hints = get_type_hints(PageRow)
    declared = _schema_table("pages")
    nullable = set()
    for key, hint in hints.items():
        kind, optional = _plain(hint)
        column = f"{key}_id" if key in PAGE_URL_KEYS else key
        assert kind is (str if key in PAGE_URL_KEYS else PYTHON_TYPE[declared[column]]), key
        if optional:
            nullable.add(key)
    # NOT NULL columns (url_id) and values every page has are never None.
    assert nullable == {
        "depth", "status", "content_type", "x_robots_tag", "error", "redirect_url",
        "canonical_url", "meta_robots", "title", "meta_description", "h1", "lang",
        "content_hash", "schema_types",
    }  # fmt: skip


def test_link_column_value_types_match_the_links_table() -> None:
    declared = _schema_table("links")
    nullable = set()
    for key, hint in get_type_hints(LinkColumns).items():
        assert get_origin(hint) is list, key
        kind, optional = _plain(get_args(hint)[0])
        column = f"{key}_id" if key in ("src", "dst") else key
        assert kind is (str if key in ("src", "dst") else PYTHON_TYPE[declared[column]]), key
        if optional:
            nullable.add(key)
    assert nullable == {"alt", "rel", "target", "fragment", "dom_path", "context"}


def _check(row: PageRow) -> None:
    """Every value of ``row`` is of the type its key declares."""
    hints = get_type_hints(PageRow)
    for key, value in row.items():
        kind, optional = _plain(hints[key])
        assert isinstance(value, kind) or (optional and value is None), (key, value)


def _result(resp: Response, parsed: PageFacts | str | None = None) -> PageRow:
    def to_public(raw: str | None, base: str) -> str | None:
        return raw if raw and raw.startswith("https://") else None

    result = build_result(
        resp, "https://example.com/a", 1, 0,
        settings=CrawlSettings(), to_public=to_public, parsed=parsed,
    )  # fmt: skip
    return result.row


def test_a_parsed_page_fills_every_key_but_the_redirect() -> None:
    resp = Response(url="https://example.com/a", status=200, raw_bytes=10, elapsed_ms=1.5)
    resp.headers["content-type"] = "text/html"
    row = _result(resp, PageFacts(title="A", canonical="https://example.com/a", word_count=3))
    assert set(row) == ALWAYS | PARSED
    _check(row)
    assert (row["title"], row["word_count"], row["other_scheme_links"]) == ("A", 3, 0)
    assert row["canonical_url"] == "https://example.com/a"
    assert row["indexable"] is True


def test_a_redirect_fills_the_redirect_and_no_parsed_key() -> None:
    resp = Response(url="https://example.com/a", status=301)
    resp.headers["location"] = "https://example.com/b"
    row = _result(resp)
    assert set(row) == ALWAYS | {"redirect_url"}
    _check(row)
    assert row["redirect_url"] == "https://example.com/b"

    resp.headers["location"] = "mailto:someone@example.com"
    row = _result(resp)
    assert row["redirect_url"] is None
    assert row["error"] == "redirect to an invalid or non-http Location"
    _check(row)


def test_a_failed_fetch_or_parse_fills_only_the_keys_every_response_has() -> None:
    failed = _result(Response(url="https://example.com/a", error="connection refused"))
    assert set(failed) == ALWAYS
    _check(failed)
    assert (failed["status"], failed["error"], failed["indexable"]) == (
        None,
        "connection refused",
        False,
    )
    unparsed = _result(Response(url="https://example.com/a", status=200), "could not parse: X")
    assert set(unparsed) == ALWAYS
    assert unparsed["error"] == "could not parse: X"
    _check(unparsed)
