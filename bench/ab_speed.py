"""Two versions of linkflow on the same site, run in turns: which is faster, by how much?

On a machine whose speed drifts (a shared host, a busy neighbour), one run of each version
tells little: two runs of the same code differ by 10-20 %. This runs the same command with
the linkflow found on ``PYTHONPATH`` ("new") and with an older copy (``--base DIR``, the
directory holding its ``linkflow`` package, e.g. made with
``git archive <commit> linkflow | tar -x -C DIR``) in alternating order, ``--rounds`` times
each, and reports the median and the best of each, for the wall time and the CPU time of
the whole process tree (parse workers included), and their ratio.

    python bench/ab_speed.py --base DIR http://127.0.0.1:8103/             # bare crawls
    python bench/ab_speed.py --base DIR http://127.0.0.1:8103/ --audit     # whole audits
    python bench/ab_speed.py --base DIR https://example.com --folder PATH   # a build folder
    python bench/ab_speed.py --base DIR http://127.0.0.1:8103/ --audit -- --max-pages 1000

Arguments after ``--`` go to the command as they are (``linkflow audit``'s options, or
``python -m linkflow.crawl``'s).

A crawl is ``python -m linkflow.crawl`` into a fresh store; an audit is
``python -m linkflow audit --quiet`` into a fresh folder. Both versions run with the same
interpreter; each version's modules are byte-compiled first, so neither pays compilation.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command(args: argparse.Namespace, where: Path, extra: list[str]) -> list[str]:
    if args.audit:
        target = str(args.folder) if args.folder else args.seed
        cmd = [sys.executable, "-m", "linkflow", "audit", target, "--audit", str(where), "--quiet"]
        return cmd + (["--base-url", args.seed] if args.folder else []) + extra
    cmd = [sys.executable, "-m", "linkflow.crawl", str(where / "crawl.duckdb"), args.seed]
    return cmd + (["--folder", str(args.folder)] if args.folder else []) + extra


def _run(tree: Path, cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its waited-for descendants)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, env=env, cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seed", help="the site's URL (with --folder: its public base URL)")
    parser.add_argument("--base", type=Path, required=True, help="directory of the older linkflow")
    parser.add_argument("--folder", type=Path, help="crawl this build folder")
    parser.add_argument("--audit", action="store_true", help="time whole audits, not crawls")
    parser.add_argument("--rounds", type=int, default=5)
    args, rest = parser.parse_known_args()
    extra = [a for a in rest if a != "--"]
    trees = {"base": args.base.resolve(), "new": ROOT}
    for tree in trees.values():
        if not (tree / "linkflow").is_dir():
            parser.error(f"{tree}: no linkflow package there")
        compileall.compile_dir(tree / "linkflow", quiet=1)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for n in range(args.rounds):
        order = list(trees) if n % 2 == 0 else list(reversed(trees))
        for name in order:
            where = Path(tempfile.mkdtemp(prefix="linkflow-ab-"))
            try:
                times[name].append(_run(trees[name], _command(args, where, extra)))
            finally:
                shutil.rmtree(where, ignore_errors=True)
            wall, cpu = times[name][-1]
            print(f"round {n + 1} {name:4}  wall {wall:7.2f} s  cpu {cpu:7.2f} s", flush=True)
    what = "audit" if args.audit else "crawl"
    given = f" ({' '.join(extra)})" if extra else ""
    print(f"\n{what} of {args.seed}{given}, {args.rounds} rounds each, in turns")
    stats = {}
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        stats[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"  {name:4}  wall median {stats[name][0]:7.2f} s (best {min(walls):.2f})"
            f"  cpu median {stats[name][1]:7.2f} s (best {min(cpus):.2f})"
        )
    (bw, bc), (nw, nc) = stats["base"], stats["new"]
    print(f"  new/base: wall {nw / bw:.2f}x, cpu {nc / bc:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
