"""Schema versions of the audit store.

``schema.sql`` creates the current schema in a new file. An older file is brought up to
date by running ``MIGRATIONS[v]`` for every version ``v`` above its own, in order; each step
is one SQL script run inside the opening transaction.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

MIGRATIONS: dict[int, str] = {
    # 2: "ALTER TABLE pages ADD COLUMN ...;",
}
