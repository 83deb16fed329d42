"""The ``linkflow`` command line: one click group, one command per stage.

Every command works on an audit folder (``--audit DIR``, default ``./linkflow-audit``).
A :class:`~linkflow.errors.LinkflowError` becomes one line on stderr and exit code 2;
``--verbose`` adds the traceback. Ctrl-C exits with code 130 after the stage has stored
what it had.
"""

from linkflow.cli import authority as _authority  # registers `linkflow authority`
from linkflow.cli import commands as _commands  # registers the commands on the group
from linkflow.cli.base import cli, main

__all__ = ["cli", "main"]

del _authority, _commands
