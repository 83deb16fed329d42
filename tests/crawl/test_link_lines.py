"""A page's link rows written without the csv module read back as the csv module writes them:
the same line for every link, whatever its text holds (quotes, commas, line breaks, NUL,
lone surrogates)."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.linkrows import LINK_COLUMNS, NULL, csv_lines, link_lines
from linkflow.models import POSITIONS, Link

_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(['"', ",", "\n", "\r", "\0", " ", "a", "é", "\ud800", "'", "\\"]),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
)
_MAYBE = st.none() | _TEXT


@st.composite
def _links(draw: st.DrawFn) -> Link:
    return Link(
        url="https://a.test/x",
        anchor=draw(_TEXT),
        ordinal=draw(st.integers(0, 10**6)),
        rel=draw(st.frozensets(st.sampled_from(["nofollow", "sponsored", "ugc", "next", "me"]))),
        # Every position of the vocabulary, and any other text (written the general way).
        position=draw(st.sampled_from(POSITIONS) | _TEXT),
        alt=draw(_MAYBE),
        is_image=draw(st.booleans()),
        fragment=draw(_MAYBE),
        target=draw(_MAYBE),
        context=draw(_MAYBE),
        dom_path=draw(st.just("") | _TEXT),
    )


def _by_csv_module(links: list[Link]) -> list[str]:
    """The rows as the csv module writes them (the journal's dialect), column by column."""

    def cell(value: object) -> object:
        return NULL if value is None else value

    columns = {
        "ordinal": [lk.ordinal for lk in links],
        "anchor": [cell(lk.anchor) for lk in links],
        "alt": [cell(lk.alt) for lk in links],
        "is_image": [lk.is_image for lk in links],
        "rel": [" ".join(sorted(lk.rel)) if lk.rel else NULL for lk in links],
        "rel_nofollow": ["nofollow" in lk.rel for lk in links],
        "rel_sponsored": ["sponsored" in lk.rel for lk in links],
        "rel_ugc": ["ugc" in lk.rel for lk in links],
        "target": [cell(lk.target) for lk in links],
        "fragment": [cell(lk.fragment) for lk in links],
        "position": [lk.position for lk in links],
        "dom_path": [lk.dom_path or NULL for lk in links],
        "context": [cell(lk.context) for lk in links],
    }
    assert tuple(columns) == LINK_COLUMNS
    return csv_lines(list(columns.values()))  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.lists(_links(), max_size=6))
def test_link_lines_are_the_csv_modules(links: list[Link]) -> None:
    assert link_lines(links) == _by_csv_module(links)


def test_a_row_reads_back_field_by_field() -> None:
    link = Link(
        url="https://a.test/x", anchor='say "hi", then\nleave', ordinal=3,
        rel=frozenset({"ugc", "nofollow"}), position="content", alt=None, is_image=True,
        fragment="top", target=None, context="", dom_path="",
    )  # fmt: skip
    (line,) = link_lines([link])
    (row,) = list(csv.reader(io.StringIO(line)))
    assert row == [
        "3", 'say "hi", then\nleave', "", "True", "nofollow ugc", "True", "False", "True",
        "", "top", "content", "", "",
    ]  # fmt: skip
    # NULL is an empty field, the empty string a quoted one: DuckDB tells them apart
    assert line.endswith(',"content",,""\n')
