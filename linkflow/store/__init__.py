"""The audit store: plumbing only.

:class:`Store` holds the connection to one DuckDB file, its schema and migrations,
transactions, the URL dictionary and generic Arrow readers and writers; ``export`` writes a
table out. It knows no stage's rules: each stage keeps its own SQL beside its code and runs it
through the store's narrow API. No module outside this package touches the connection.
"""

from linkflow.store.db import RESULT_TABLES, TABLES, Store

__all__ = ["RESULT_TABLES", "TABLES", "Store"]
