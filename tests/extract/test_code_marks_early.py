"""Code marks go into the tree before the texts are read, each block read once: texts
without marks stay exactly as they were, and a page that writes the marks' characters
itself keeps its text as written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.extract import parse_page
from linkflow.extract.text import mark_code, unmark_collapsed
from linkflow.settings import ExtractSettings

KEEP = ExtractSettings(keep_main_text=True)
OPEN, CLOSE = "\ufdd0", "\ufdd1"


def _page(main: str) -> bytes:
    return (
        "<html><body><nav><ul><li><a href='/a'><code>menu()</code> item</a></li></ul></nav>"
        f"<main><h1>Guide</h1>{main}</main>"
        "<footer><p>Run <code>make</code> at the end</p></footer></body></html>"
    ).encode()


def test_code_in_main_blocks_is_marked_and_nothing_else_changes() -> None:
    body = _page("<p>Call <a href='/f'><code>f()</code></a> then <kbd>q</kbd>.</p><pre>x = 1</pre>")
    facts = parse_page(body, "https://a.test/", settings=KEEP)
    call = f"Call {OPEN}f(){CLOSE} then {OPEN}q{CLOSE}."
    assert facts.main_text == f"Guide\n{call}\n{OPEN}x = 1{CLOSE}"
    assert [(link.anchor, link.context) for link in facts.links] == [
        ("menu() item", None),
        ("f()", "Call f() then q."),
    ]
    assert facts.word_count == 8
    assert facts.h1 == "Guide"


def test_a_page_writing_the_marks_itself_keeps_its_text() -> None:
    for written in ("&#xFDD0;", "&#64977;", OPEN):
        body = _page(f"<p>A {written} sign and <code>code</code></p>")
        facts = parse_page(body, "https://a.test/", settings=KEEP)
        sign = OPEN if written in ("&#xFDD0;", OPEN) else CLOSE
        assert facts.main_text == f"Guide\nA {sign} sign and code"


def _tidy_by_passes(marked: str) -> str:
    """The reference: tidying passes until one changes nothing (mark_code's contract)."""
    text = " ".join(marked.split())
    if OPEN not in text:
        return text
    while True:
        tidy = text.replace(OPEN + " ", " " + OPEN).replace(" " + CLOSE, CLOSE + " ")
        tidy = " ".join(tidy.replace(OPEN + CLOSE, "").replace(CLOSE + OPEN, "").split())
        if tidy == text:
            return text
        text = tidy


@settings(max_examples=500, deadline=None)
@given(marked=st.text(alphabet=[OPEN, CLOSE, " ", "\n", "a", "b"], max_size=30))
def test_mark_code_stops_once_tidy(marked: str) -> None:
    tidy = mark_code(marked)
    assert tidy == _tidy_by_passes(marked)


def test_mark_code_examples() -> None:
    assert mark_code(f"a {OPEN} x {CLOSE} b") == f"a {OPEN}x{CLOSE} b"
    assert mark_code(f"a{OPEN}{CLOSE}b {OPEN}c{CLOSE}{OPEN}d{CLOSE}") == f"ab {OPEN}cd{CLOSE}"
    assert mark_code("no code  here") == "no code here"


@settings(max_examples=500, deadline=None)
@given(marked=st.text(alphabet=[OPEN, CLOSE, " ", "\n", "\xa0", "a", "b"], max_size=30))
def test_unmarking_the_collapsed_text_is_collapsing_the_unmarked_one(marked: str) -> None:
    collapsed = " ".join(marked.split())
    reference = " ".join(marked.replace(OPEN, "").replace(CLOSE, "").split())
    assert unmark_collapsed(collapsed) == reference
    assert mark_code(collapsed, collapsed=True) == mark_code(marked)


def test_unmark_collapsed_examples() -> None:
    assert unmark_collapsed(f"a {OPEN}x{CLOSE} b") == "a x b"
    assert unmark_collapsed(f"a {OPEN} {CLOSE} b") == "a b"  # a span of spaces only
    assert unmark_collapsed(f"{OPEN} a {CLOSE}") == "a"
    assert unmark_collapsed("plain words") == "plain words"
