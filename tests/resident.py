"""How much of a file a process holds in memory, read from Linux's /proc (tests only)."""

from __future__ import annotations


def resident_mb(path: str) -> int:
    """Resident MB of this process's mappings of the file ``path``."""
    total, current = 0, None
    with open("/proc/self/smaps", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                current = fields[5] if len(fields) > 5 else None
            elif fields[0] == "Rss:" and current == path:
                total += int(fields[1])
    return total >> 10
