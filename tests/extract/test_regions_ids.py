"""Ids in the region rules: an id that names a region counts; the many ids that name one
item each give no signal, whatever element carries them."""

from __future__ import annotations

import pytest

from linkflow.extract import parse_page


def _positions(body: str) -> dict[str, str]:
    facts = parse_page(f"<html><body>{body}</body></html>".encode(), "https://a.test/")
    return {link.url.rsplit("/", 1)[1]: link.position for link in facts.links}


def test_ids_naming_a_region_count_and_item_ids_do_not() -> None:
    page = (
        "<div id='sidebar'><a href='/side'>s</a></div>"
        "<div class='sidebar' id='x-1'><a href='/side2'>s</a></div>"
        "<div id='comments'><p><a href='/c'>c</a></p></div>"
        "<div class='box' id='breadcrumb-trail'><a href='/b'>b</a></div>"
        "<main><p id='abs'>Text of the page, long enough to be the main content here. "
        "<a href='/in'>in</a></p><p id='method.push'>More text. <a href='/in2'>in2</a></p>"
        "</main><div id='Site-Footer'><a href='/f'>f</a></div>"
    )
    assert _positions(page) == {
        "side": "sidebar",
        "side2": "sidebar",
        "c": "comment",
        "b": "breadcrumb",
        "in": "content",
        "in2": "content",
        "f": "footer",
    }
    again = _positions(page.replace("id='abs'", "id='abc'").replace("x-1", "x-2"))
    assert again == _positions(page)  # the memo keyed without item ids gives the same


def test_elements_without_attributes_are_classified_by_tag_within_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from linkflow.extract import regions

    monkeypatch.setattr(regions, "_PLAIN", {})
    monkeypatch.setattr(regions, "_MEMO", {})
    monkeypatch.setattr(regions, "_MEMO_SIZE", 8)
    tags = "".join(f"<x-tag{i}><nav><a href='/n{i}'>n</a></nav></x-tag{i}>" for i in range(20))
    footer = "<footer><a href='/f'>f</a></footer>"
    for _ in range(2):  # the second time from the memo
        positions = _positions(tags + footer)
        assert positions == {**{f"n{i}": "nav" for i in range(20)}, "f": "footer"}
        assert 0 < len(regions._PLAIN) <= 8
