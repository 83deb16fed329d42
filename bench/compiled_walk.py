"""What the element walk costs in Python and in C, on the pages of a build folder.

Extraction reads a parsed page by walking its elements (``linkflow/extract/walk.py``), and
every node it visits becomes a Python object. This measures the walk alone, both ways, on
the same parsed pages:

- **Python**: ``LexborNode.traverse`` over every node, reading each element's tag, class
  and id and each text node's text;
- **C**: ``bench/compiled_walk.c``, which reads the same from lexbor's structs, starting
  from the address selectolax gives a node (``mem_id``), and makes no object per node;
- **parse**: selectolax parsing the pages and doing nothing else (the CPU target's floor).

Both walks must count the same elements, class and id bytes, text bytes and links on every
page, or the script stops. The C walk is built with the system's C compiler against the
headers of the lexbor that the installed selectolax bundles, read from selectolax's own
source release (downloaded once from the package index, its SHA-256 checked, into the
cache folder).

    python bench/compiled_walk.py /usr/share/doc/postgresql-doc-15/html
    python bench/compiled_walk.py /usr/share/doc/rust-doc/html --pages 3000
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import selectolax
from selectolax.lexbor import LexborHTMLParser

HERE = Path(__file__).resolve().parent
Counts = tuple[int, int, int, int]


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read()
    except OSError as exc:  # URLError and timeouts are OSErrors
        message = f"{url}: cannot be fetched ({exc}); use --index for another index"
        raise SystemExit(message) from None
    return data


def lexbor_headers(cache: Path, index: str) -> Path:
    """The folder holding ``lexbor/...`` headers of the installed selectolax's lexbor."""
    version = selectolax.__version__
    root = cache / f"selectolax-{version}-lexbor"
    if root.is_dir():
        return root
    page = _fetch(f"{index.rstrip('/')}/selectolax/", 60).decode(errors="replace")
    name = re.escape(f"selectolax-{version}.tar.gz")
    found = re.search(rf'href="([^"#]*{name})#sha256=([0-9a-f]{{64}})"', page)
    if found is None:
        raise SystemExit(f"{index}: no source release of selectolax {version}")
    url, digest = found.groups()
    data = _fetch(url, 300)
    if hashlib.sha256(data).hexdigest() != digest:
        raise SystemExit(f"{url}: SHA-256 differs from the index's; not used")
    # Extracted beside the final folder, renamed when whole: a stopped run leaves no
    # half-filled folder for the next one to take.
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    marker = "/lexbor/source/"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile() and marker in member.name and member.name.endswith(".h"):
                relative = Path(member.name.split(marker, 1)[1])
                if relative.is_absolute() or ".." in relative.parts:
                    continue  # nothing is written outside the cache folder
                source = tar.extractfile(member)
                if source is not None:
                    target = partial / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read())
    if not (partial / "lexbor" / "core" / "lexbor.h").exists():
        raise SystemExit(f"{url}: holds no lexbor headers")
    partial.rename(root)
    return root


def build(cache: Path, headers: Path) -> ModuleType:
    """``bench/compiled_walk.c`` compiled and imported."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("no C compiler (Debian: apt-get install gcc)")
    out = cache / f"compiled_walk{sysconfig.get_config_var('EXT_SUFFIX')}"
    include = sysconfig.get_paths()["include"]
    built = subprocess.run(
        [compiler, "-O2", "-shared", "-fPIC", f"-I{include}", f"-I{headers}",
         "-o", str(out), str(HERE / "compiled_walk.c")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if built.returncode != 0:
        first = next(iter(built.stderr.splitlines()), "no message")
        raise SystemExit(f"{HERE / 'compiled_walk.c'}: does not compile: {first}")
    spec = importlib.util.spec_from_file_location("compiled_walk", out)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{out}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_walk(tree: LexborHTMLParser) -> Counts:
    """What the C walk counts, read through selectolax's Python objects."""
    elements = attr_bytes = text_bytes = links = 0
    root = tree.root
    for node in root.traverse(include_text=True) if root is not None else ():
        if node.is_element_node:
            elements += 1
            attrs = node.attributes
            attr_bytes += len((attrs.get("class") or "").encode())
            attr_bytes += len((attrs.get("id") or "").encode())
            links += node.tag == "a"
        elif node.is_text_node:
            text_bytes += len((node.text_content or "").encode())
    return elements, attr_bytes, text_bytes, links


def best_of(rounds: int, work: Callable[[], Any]) -> float:
    """The least CPU seconds ``work`` took in ``rounds`` runs."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a build folder of HTML pages")
    parser.add_argument("--pages", type=int, default=2000, help="at most this many pages")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs; the best is kept")
    parser.add_argument("--index", default="https://pypi.org/simple", help="package index")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "linkflow-bench"
    )
    args = parser.parse_args(argv)
    pages = (f for f in args.folder.rglob("*") if f.suffix in (".html", ".htm") and f.is_file())
    files = sorted(pages)[: args.pages]
    if not files:
        raise SystemExit(f"{args.folder}: no HTML pages")
    args.cache.mkdir(parents=True, exist_ok=True)
    compiled = build(args.cache, lexbor_headers(args.cache, args.index))
    bodies = [f.read_bytes() for f in files]
    trees = [LexborHTMLParser(body) for body in bodies]

    def c_walk(tree: LexborHTMLParser) -> Counts:
        root = tree.root
        counts: Counts = compiled.walk(root.mem_id) if root is not None else (0, 0, 0, 0)
        return counts

    counts: list[Counts] = []
    for path, tree in zip(files, trees, strict=True):
        if (expected := python_walk(tree)) != (got := c_walk(tree)):
            raise SystemExit(f"{path}: Python walk counts {expected}, C walk {got}")
        counts.append(got)
    totals = [sum(column) for column in zip(*counts, strict=True)]
    print(
        f"{len(trees):,} pages of {args.folder}: the same counts both ways on every page "
        f"({totals[0]:,} elements, {totals[3]:,} links, {totals[2]:,} bytes of text)"
    )
    per_page = 1e6 / len(trees)
    py = best_of(args.rounds, lambda: [python_walk(t) for t in trees]) * per_page
    c = best_of(args.rounds, lambda: [c_walk(t) for t in trees]) * per_page
    parse = best_of(args.rounds, lambda: [LexborHTMLParser(b) for b in bodies]) * per_page
    print(f"  Python walk {py:8.1f} us a page ({py / parse:.2f}x the parse)")
    print(f"  C walk      {c:8.1f} us a page ({c / parse:.2f}x the parse), {py / c:.1f}x faster")
    print(f"  parse       {parse:8.1f} us a page (selectolax {selectolax.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
