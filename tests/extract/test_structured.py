"""Schema.org types of a page: JSON-LD ``@type`` (single, list, ``@graph``, nested), microdata
``itemtype``, broken JSON skipped, untrusted values bounded."""

from __future__ import annotations

import json

import pytest

from linkflow.extract import parse_page
from linkflow.extract.structured import MAX_TYPE_CHARS, MAX_TYPES, type_name

URL = "https://example.com/page/"


def _ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _types(head: str = "", body: str = "<p>Some text.</p>") -> list[str]:
    html = f"<!doctype html><html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return parse_page(html.encode(), URL).schema_types


def test_a_page_without_structured_data_declares_nothing() -> None:
    assert _types() == []
    assert _types('<script>var x = {"@type": "Product"};</script>') == []  # not JSON-LD


def test_json_ld_single_object() -> None:
    assert _types(_ld({"@context": "https://schema.org", "@type": "Service", "name": "x"})) == [
        "Service"
    ]


def test_json_ld_graph_list_types_and_nested_objects() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": ["WebPage", "ContactPage"], "potentialAction": {"@type": "ReserveAction"}},
            {"@type": "HomeAndConstructionBusiness", "address": {"@type": "PostalAddress"}},
        ],
    }
    assert _types(_ld(data)) == [
        "ContactPage",
        "HomeAndConstructionBusiness",
        "PostalAddress",
        "ReserveAction",
        "WebPage",
    ]


def test_a_top_level_array_and_several_blocks_are_merged_distinct_and_sorted() -> None:
    head = _ld([{"@type": "Product"}, {"@type": "Offer"}]) + _ld({"@type": "Product"})
    head += '<script type="Application/LD+JSON; charset=utf-8">{"@type": "BreadcrumbList"}</script>'
    assert _types(head) == ["BreadcrumbList", "Offer", "Product"]


def test_broken_json_is_skipped_and_the_rest_kept() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "Product",</script>'
        '<script type="application/ld+json"></script>'
        '<script type="application/ld+json">' + "[" * 100_000 + "</script>"
        + _ld({"@type": "Service"})
    )  # fmt: skip
    assert _types(head) == ["Service"]


def test_raw_newlines_in_json_ld_strings_are_accepted() -> None:
    head = '<script type="application/ld+json">{"@type": "Product", "name": "a\nb"}</script>'
    assert _types(head) == ["Product"]


def test_microdata_itemtype_keeps_the_last_path_segment() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/Product">'
        '<span itemprop="offers" itemscope itemtype="http://schema.org/Offer/">9 EUR</span>'
        '<p itemscope itemtype="https://schema.org/Person https://schema.org/Patient">x</p></div>'
    )
    assert _types(body=body) == ["Offer", "Patient", "Person", "Product"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Product", "Product"),
        ("schema:Product", "Product"),
        ("https://schema.org/Product", "Product"),
        ("http://schema.org/Product/", "Product"),
        ("http://example.org/vocab#Widget", "Widget"),
        ("Product Offer", None),
        ("<b>Product</b>", None),
        ("", None),
        ("9Lives", None),
        ("A" * MAX_TYPE_CHARS, "A" * MAX_TYPE_CHARS),
        ("A" * (MAX_TYPE_CHARS + 1), None),
    ],
)
def test_type_names_are_plain_names(value: str, expected: str | None) -> None:
    assert type_name(value) == expected


def test_untrusted_types_are_dropped_and_bounded() -> None:
    many = [{"@type": f"Type{i:03d}"} for i in range(50)]
    head = _ld({"@type": ["Product", "<b>x</b>", "A" * 65, 7, None]}) + _ld(many)
    got = _types(head)
    assert len(got) == MAX_TYPES
    # The first types found are kept: the page's own object, then the first of the list.
    assert got == sorted(["Product", *(f"Type{i:03d}" for i in range(MAX_TYPES - 1))])
    assert all(len(t) <= MAX_TYPE_CHARS and t.isalnum() for t in got)


def test_scripts_still_do_not_reach_the_text() -> None:
    facts = parse_page(
        ("<html><head>" + _ld({"@type": "Service", "name": "Hidden"}) + "</head>"
         "<body><main><p>Visible words here.</p></main></body></html>").encode(),
        URL,
    )  # fmt: skip
    assert facts.schema_types == ["Service"]
    assert facts.word_count == 3
