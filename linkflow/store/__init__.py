"""The audit store: the only package that speaks SQL.

Other stages open a :class:`Store` and call its methods or the functions of this package's
modules; they receive Arrow tables or plain values.
"""

from linkflow.store.db import RESULT_TABLES, TABLES, Store

__all__ = ["RESULT_TABLES", "TABLES", "Store"]
