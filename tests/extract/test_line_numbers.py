"""A code listing's line-number gutter is not main text; the code beside it is."""

from __future__ import annotations

import pytest

from linkflow.extract import parse_page
from linkflow.extract.text import CODE_CLOSE, CODE_OPEN, is_line_numbers

GUTTERS = ["1 2 3", "1 2 3 4 5 6 7 8 9 10 11", " ".join(map(str, range(1, 5001)))]


@pytest.mark.parametrize("text", GUTTERS)
def test_consecutive_numbers_are_a_gutter(text: str) -> None:
    assert is_line_numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1 2",  # too short to tell
        "1 2 4",
        "1 2 3 4 6",
        "0 1 2 3 4",  # a drawing of a heap's positions, not a gutter
        "41 42 43 44",  # a gutter that starts elsewhere is too rare to tell from other numbers
        "1 2 3 4 5 1",
        "3 2 1",
        "1 2 3 apples",
        "Chapter 1 2 3",
        "01 02 03",
        "1.0 2.0 3.0",
        "\u0661 \u0662 \u0663",  # Arabic-Indic digits: not a code gutter
        "2024 2025 2026 were good years",
    ],
)
def test_other_text_is_not_a_gutter(text: str) -> None:
    assert not is_line_numbers(text)


RUSTDOC = b"""<html><head><title>mod.rs</title></head><body>
<nav class="sidebar"><a href="/std/">std</a></nav>
<main><div class="example-wrap"><pre class="line-numbers"><span id="1">1</span>
<span id="2">2</span>
<span id="3">3</span>
<span id="4">4</span>
</pre><pre class="rust"><code>fn main() {
    println!("hello");
}
</code></pre></div>
<p>See <a href="/std/macro.println.html">println</a> for more.</p></main>
</body></html>"""

SPHINX = b"""<html><head><title>Example</title></head><body>
<div class="body" role="main"><h1>Example</h1><p>The program reads one line.</p>
<table class="highlighttable"><tr><td class="linenos"><div class="linenodiv"><pre>1
2
3</pre></div></td><td class="code"><div class="highlight"><pre>import sys
line = sys.stdin.readline()
print(line)</pre></div></td></tr></table>
<p>It prints it back.</p></div></body></html>"""


def test_a_rustdoc_source_view_keeps_its_code_and_drops_its_gutter() -> None:
    facts = parse_page(RUSTDOC, "https://doc.test/src/main.rs.html")
    assert facts.main_text == (
        f'{CODE_OPEN}fn main() {{ println!("hello"); }}{CODE_CLOSE}\nSee println for more.'
    )
    assert facts.word_count == 9  # fn main() { println!("hello"); } See println for more.
    assert [(lk.url, lk.position) for lk in facts.links] == [
        ("https://doc.test/std/", "nav"),
        ("https://doc.test/std/macro.println.html", "content"),
    ]


def test_a_sphinx_linenos_table_keeps_its_code_and_drops_its_gutter() -> None:
    facts = parse_page(SPHINX, "https://doc.test/example.html")
    assert "1 2 3" not in facts.main_text
    assert facts.main_text.split("\n") == [
        "Example",
        "The program reads one line.",
        f"{CODE_OPEN}import sys line = sys.stdin.readline() print(line){CODE_CLOSE}",
        "It prints it back.",
    ]
