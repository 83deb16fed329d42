"""Page facts cross the worker pipe packed as plain values and come back equal, their links
as the journal lines the crawl stores."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from linkflow.extract import parse_page
from linkflow.extract.worker import PAGE_FIELDS, pack, unpack
from linkflow.linkrows import LINK_COLUMNS
from linkflow.models import Link, PageFacts


def test_the_packed_order_names_every_field() -> None:
    # A field added to the models must be added to the packing too, or it would be lost.
    assert [f.name for f in dataclasses.fields(PageFacts)] == list(PAGE_FIELDS)
    assert {f.name for f in dataclasses.fields(Link)} - {"url"} <= set(LINK_COLUMNS)


def test_every_field_survives_the_round_trip() -> None:
    links = [
        Link(
            url="https://a.test/x",
            anchor="An x",
            ordinal=0,
            rel=frozenset({"nofollow", "ugc"}),
            position="content",
            alt="alt text",
            is_image=True,
            fragment="part",
            target="_blank",
            context="See An x here.",
            dom_path="html>body>main>p>a",
        ),
        Link(url="https://a.test/y", anchor="", ordinal=1),
    ]
    facts = PageFacts(
        title="T",
        meta_description="D",
        h1="H",
        lang="en",
        canonical="https://a.test/",
        meta_robots="noindex",
        word_count=7,
        content_hash="ab" * 16,
        main_text="main \ufdd0code\ufdd1",
        links=links,
        hreflang=[("de", "https://a.test/de")],
        other_scheme_links=2,
        schema_types=["Article"],
    )
    back, rows = unpack(pickle.loads(pickle.dumps(pack(facts))))
    assert back == dataclasses.replace(facts, links=[])
    assert rows.urls == ["https://a.test/x", "https://a.test/y"]
    # Strings quoted, None an empty unquoted field, rel tokens sorted, an empty DOM path NULL.
    assert rows.lines == [
        '0,"An x","alt text",True,"nofollow ugc",True,False,True,"_blank","part","content",'
        '"html>body>main>p>a","See An x here."\n',
        '1,"",,False,,False,False,False,,,"other",,\n',
    ]


def test_a_parsed_page_survives_the_round_trip() -> None:
    body = (
        b"<html lang=en><head><title>T</title><link rel=canonical href=/c></head><body>"
        b"<nav><a href=/a rel='next nofollow'>Next</a></nav>"
        b"<main><p>Some words and <a href=/b#x>a link</a>.</p><pre>x = 1</pre></main>"
        b"</body></html>"
    )
    facts = parse_page(body, "https://a.test/p")
    assert len(facts.links) == 2
    back, rows = unpack(pack(facts))
    assert back == dataclasses.replace(facts, links=[])
    assert rows.urls == ["https://a.test/a", "https://a.test/b"]
    assert [line.split(",")[:2] for line in rows.lines] == [["0", '"Next"'], ["1", '"a link"']]


@pytest.mark.parametrize("junk", [(), ("a",) * 12, ("a",) * 14, 5])
def test_a_malformed_answer_is_refused(junk: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        unpack(junk)  # type: ignore[arg-type]
