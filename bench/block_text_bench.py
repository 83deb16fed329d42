"""The leaf blocks' texts read both ways, on the pages of a build folder: in Python
(selectolax copies each block's text out, the code marks inserted into the tree) and by
the C extension (``linkflow/extract/_lexbor.c``), each on a tree of its own, parsed and
walked as extraction does. Both must give the same texts on every page, or the script
stops; it prints the time a page of each.

    python bench/block_text_bench.py /usr/share/doc/postgresql-doc-15/html
    python bench/block_text_bench.py /usr/share/doc/python3.11/html --pages 300
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from linkflow.extract.block_text import COMPILED, block_texts, python_block_texts
from linkflow.extract.charset import decode_document
from linkflow.extract.walk import walk


def leaves_and_codes(body: bytes) -> tuple[Any, list[Any], list[Any]]:
    """The parsed tree, its leaf blocks and its code elements, as extraction finds them."""
    text, encoding = decode_document(body, "text/html")
    tree = LexborHTMLParser(text)
    nodes = walk(tree, body, text, encoding)
    blocks = [node for node, _, is_link in nodes.main if not is_link]
    ids = {block.mem_id for block in blocks}
    holders = set()  # each block's nearest block ancestor holds a block
    for block in blocks:
        parent = block.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is not None:
            holders.add(parent.mem_id)
    return tree, [b for b in blocks if b.mem_id not in holders], nodes.codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pages", type=int, default=0, help="the first N pages by path")
    args = parser.parse_args()
    if not COMPILED:
        raise SystemExit("the C extension is not built or was refused: run `make install`")
    files = sorted(args.folder.rglob("*.html"))
    if args.pages:
        files = files[: args.pages]
    if not files:
        raise SystemExit(f"{args.folder}: no HTML files")
    seconds = {"python": 0.0, "compiled": 0.0}
    for path in files:
        body = path.read_bytes()
        texts = {}
        for way, read in (("python", python_block_texts), ("compiled", block_texts)):
            _tree, leaves, codes = leaves_and_codes(body)
            start = time.perf_counter()
            found, plain = read(leaves, codes)
            seconds[way] += time.perf_counter() - start
            # each tree has addresses of its own: the texts without marks by leaf
            texts[way] = (found, [plain.get(leaf.mem_id) for leaf in leaves])
        if texts["python"] != texts["compiled"]:
            raise SystemExit(f"{path}: the two readings differ")
    n = len(files)
    python, compiled = seconds["python"] / n, seconds["compiled"] / n
    print(
        f"{n} pages, the same texts both ways: Python {python * 1e6:.0f} µs a page, "
        f"compiled {compiled * 1e6:.0f} µs ({compiled / python:.2f}x)"
    )


if __name__ == "__main__":
    main()
