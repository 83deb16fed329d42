"""Run every benchmark in quick mode and print its ratios: `make bench`.

Each benchmark script in this folder measures linkflow side by side with a peer tool in the
same run and prints the figures and ratios. Pass `--full` for the sizes named in the issues
(this takes a long time and several GB of memory).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

QUICK = {
    "crawl_bench.py": ["--pages", "2000"],
    "graph_bench.py": ["--pages", "100000"],
    "import_bench.py": ["--rows", "100000"],
}


def main() -> int:
    full = "--full" in sys.argv[1:]
    failed = 0
    for script, quick_args in QUICK.items():
        path = HERE / script
        if not path.exists():
            print(f"-- {script}: missing, skipped")
            continue
        args = [] if full else quick_args
        print(f"== {script} {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, str(path), *args], check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
