"""The compiled reading of block texts gives what the Python reading gives, on written and
generated pages and on the Debian documentation; and it is only used once checked."""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from linkflow.extract import _lexbor, block_text, parse
from linkflow.extract.block_text import python_block_texts

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from block_text_bench import leaves_and_codes  # bench/ is no package: on the path above

OPEN, CLOSE = "\ufdd0", "\ufdd1"
BLOCKS = ("p", "li", "pre", "td", "div", "h2")
CODES = ("pre", "code", "kbd", "samp", "tt")


def _read(html: str, compiled: bool) -> tuple[list[str], dict[int, str]]:
    """The texts of the leaf blocks of ``html`` and, by index, the text without marks of
    those holding marked code, read one way, from a tree of its own (as extraction gets it
    from its walk)."""
    _tree, leaves, codes = leaves_and_codes(html.encode())
    order = {leaf.mem_id: i for i, leaf in enumerate(leaves)}
    if compiled:
        texts, marked = _lexbor.block_texts(
            [leaf.mem_id for leaf in leaves], [c.mem_id for c in codes]
        )
    else:
        texts, marked = python_block_texts(leaves, codes)
    return texts, {order[m]: plain for m, plain in marked.items()}


def test_the_compiled_reader_is_built_and_used() -> None:
    assert block_text.COMPILED, (
        "linkflow/extract/_lexbor.c is not compiled or failed its check: run `make install` "
        "(it needs a C compiler and the Python headers)"
    )


def test_a_written_page() -> None:
    html = (
        "<body><p>One <b>two</b>\n\t three<!-- no -->.</p>"
        "<p>Run <code>make  test</code> or <kbd>Ctrl</kbd>+<kbd>C</kbd><code></code>.</p>"
        "<pre>x = 1\n<code>y</code></pre><ul><li> caf\u00e9\u00a0au\u2003lait </li><li></li></ul>"
        "<div><p>inner</p>tail <tt>t</tt></div><script>no()</script><p>a<br>b</p></body>"
    )
    expected_texts = [
        "One two three.",
        f"Run {OPEN}make test{CLOSE} or {OPEN}Ctrl{CLOSE}+{OPEN}C{CLOSE}.",
        f"{OPEN}x = 1 y{CLOSE}",
        "caf\u00e9 au lait",
        "",
        "inner",
        "a b",
    ]
    # the <div> holds a block: it is no leaf, so its <tt> is in no leaf and not marked
    for compiled in (True, False):
        assert _read(html, compiled) == (
            expected_texts,
            {1: "Run make test or Ctrl+C.", 2: "x = 1 y"},
        )


def test_bytes_that_are_no_utf8_read_as_selectolax_reads_them() -> None:
    """selectolax decodes a text with replacement characters: so does the extension."""
    body = b"<p>a\xff b\xe2\x82 \xc2\xa0c\xed\xa0\x80 d\xf0\x9f\x98</p><p>\xe9t\xe9</p>"
    tree = LexborHTMLParser(body)
    texts = [_lexbor.text(p.mem_id) for p in tree.css("p")]
    assert texts == ["a\ufffd b\ufffd c\ufffd\ufffd\ufffd d\ufffd", "\ufffdt\ufffd"]
    assert texts == [" ".join(p.text(deep=True).split()) for p in tree.css("p")]
    # and with code marks, which the text without them leaves out
    body = b"<p>\xff <code>a\xe2\x82</code> \xc2\xa0b</p>"
    read = []
    for compiled in (True, False):
        tree = LexborHTMLParser(body)
        leaves, codes = tree.css("p"), tree.css("code")
        if compiled:
            found = _lexbor.block_texts([n.mem_id for n in leaves], [n.mem_id for n in codes])
        else:
            found = python_block_texts(leaves, codes)
        read.append((found[0], list(found[1].values())))
    assert read[0] == read[1] == ([f"\ufffd {OPEN}a\ufffd{CLOSE} b"], ["\ufffd a\ufffd b"])


def test_long_texts_grow_the_buffer() -> None:
    words = " ".join(f"w{i}" for i in range(5000))
    html = f"<p>{words} <code>{words}</code></p>"
    texts, marked = _read(html, True)
    assert texts == [f"{words} {OPEN}{words}{CLOSE}"]
    assert (texts, marked) == _read(html, False)


_CHARACTERS = ["a", "\u00e9", "\u20ac", "\U0001f600", ".", " ", "\n", "\t", "\u00a0", "\u2003"]
_CHARACTERS += ["\u2028", "\x85", "\x1c", "\u200b"]  # white space to str.split, and not (ZWSP)
_TEXT = st.text(alphabet=st.sampled_from(_CHARACTERS), max_size=6)


@st.composite
def _content(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "inline", "code", "block", "comment", "br"]))
        if kind == "text" or depth >= 3:
            parts.append(draw(_TEXT).replace("&", "&amp;").replace("<", "&lt;"))
        elif kind == "inline":
            parts.append(f"<span>{draw(_content(depth + 1))}</span>")
        elif kind == "code":
            tag = draw(st.sampled_from(CODES))
            parts.append(f"<{tag}>{draw(_content(depth + 1))}</{tag}>")
        elif kind == "block":
            tag = draw(st.sampled_from(BLOCKS))
            parts.append(f"<{tag}>{draw(_content(depth + 1))}</{tag}>")
        elif kind == "comment":
            parts.append("<!-- c -->")
        else:
            parts.append("<br>")
    return "".join(parts)


def _element_texts(html: str) -> list[tuple[str, str]]:
    """Each element's collapsed text, read by the extension and by selectolax."""
    tree = LexborHTMLParser(html)
    root = tree.root
    assert root is not None
    return [
        (_lexbor.text(node.mem_id), " ".join(node.text(deep=True).split()))
        for node in root.traverse()
    ]


@settings(max_examples=300, deadline=None)
@given(_content())
def test_generated_pages_read_the_same_both_ways(content: str) -> None:
    html = f"<html><body><div>{content}</div></body></html>"
    assert _read(html, True) == _read(html, False)
    for compiled, python in _element_texts(html):
        assert compiled == python


def test_the_check_refuses_a_reader_that_misreads() -> None:
    """A reader that gets one field wrong (another lexbor layout) or one text wrong is not
    used."""

    def fields_off(address: int) -> tuple[Any, ...]:
        tag, parent, first, next_, kind, length = _lexbor.fields(address)
        return (tag, first, parent, next_, kind, length)  # parent and first child swapped

    def length_off(address: int) -> tuple[Any, ...]:
        *head, length = _lexbor.fields(address)
        return (*head, length + 8 if length >= 0 else length)  # text data elsewhere

    def texts_off(leaves: Any, codes: Any) -> tuple[list[str], list[int]]:
        texts, marked = _lexbor.block_texts(leaves, codes)
        return [t.upper() for t in texts], marked

    def text_off(address: int) -> str:
        return _lexbor.text(address).strip("e")

    good = types.SimpleNamespace(
        configure=_lexbor.configure,
        fields=_lexbor.fields,
        block_texts=_lexbor.block_texts,
        text=_lexbor.text,
    )
    assert block_text._checked(good) == (_lexbor.block_texts, _lexbor.text)
    wrongs = (
        ("fields", fields_off),
        ("fields", length_off),
        ("block_texts", texts_off),
        ("text", text_off),
    )
    for name, wrong in wrongs:
        assert block_text._checked(types.SimpleNamespace(**{**vars(good), name: wrong})) is None


def test_bad_addresses_are_errors_not_crashes() -> None:
    with pytest.raises(ValueError, match="address 0"):
        _lexbor.block_texts([0], None)
    with pytest.raises(TypeError):
        _lexbor.block_texts(["x"], None)
    with pytest.raises(TypeError):
        _lexbor.block_texts(5, None)
    with pytest.raises(ValueError, match="address 0"):
        _lexbor.text(0)


@pytest.mark.realsite
@pytest.mark.parametrize(
    "root", ["/usr/share/doc/python3.11/html", "/usr/share/doc/postgresql-doc-15/html"]
)
def test_the_documentation_reads_the_same_both_ways(root: str) -> None:
    """Every 5th page of the Debian documentation: the same texts and marks either way."""
    files = sorted(Path(root).rglob("*.html"))
    if not files:
        pytest.fail(f"{root}: not installed; run scripts/system-deps.sh")
    leaves_read = 0
    for path in files[::5]:
        html = path.read_text(encoding="utf-8", errors="replace")
        compiled = _read(html, True)
        assert compiled == _read(html, False), path
        leaves_read += len(compiled[0])
        assert all(c == p for c, p in _element_texts(html)), path
    assert leaves_read > 10_000


@pytest.mark.realsite
@pytest.mark.parametrize(
    "root", ["/usr/share/doc/python3.11/html", "/usr/share/doc/postgresql-doc-15/html"]
)
def test_pages_extract_the_same_without_the_extension(
    root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 10th page of the Debian documentation, extracted whole with the extension and
    without it (the reading an install without a C compiler has): the same page facts."""
    files = sorted(Path(root).rglob("*.html"))[::10]
    if not files:
        pytest.fail(f"{root}: not installed; run scripts/system-deps.sh")
    pages = [(path.read_bytes(), f"https://docs.test/{path.name}") for path in files]
    compiled = [dataclasses.asdict(parse.parse_page(body, url)) for body, url in pages]
    monkeypatch.setattr(block_text, "_COMPILED", None)
    monkeypatch.setattr(parse, "node_text", block_text._python_text)
    monkeypatch.setattr(parse, "_COMPILED_WALK", False)
    python = [dataclasses.asdict(parse.parse_page(body, url)) for body, url in pages]
    assert sum(len(facts["links"]) for facts in compiled) > 1_000
    for path, with_it, without in zip(files, compiled, python, strict=True):
        assert with_it == without, path
