"""Code marks go into the tree before the texts are read, each block read once: texts
without marks stay exactly as they were, and a page that writes the marks' characters
itself keeps its text as written."""

from __future__ import annotations

from linkflow.extract import parse_page
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
