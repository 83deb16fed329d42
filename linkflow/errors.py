"""The one exception tree of linkflow.

Every error a user can cause is a :class:`LinkflowError`. Its message is one line that says
what went wrong, names the file, line or URL, and says what to do. The CLI prints that line
and exits with code 2; ``--verbose`` adds the traceback.

::

    LinkflowError
    ├── ConfigError            bad settings, linkflow.toml, or command-line values
    ├── StoreError             the audit store cannot be opened, read or written
    │   ├── AuditInUseError    another process holds the audit file (a crawl writing it)
    │   └── SchemaVersionError the audit file was written by a newer linkflow
    ├── CrawlError             the crawl cannot start or continue (bad seed, no folder ...)
    ├── ImportFormatError      an export file cannot be read or its format is unknown
    ├── AnalysisError          an analysis cannot run on the data at hand
    └── ReportError            the report or an export cannot be written
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = [
    "AnalysisError",
    "AuditInUseError",
    "ConfigError",
    "CrawlError",
    "ImportFormatError",
    "LinkflowError",
    "ReportError",
    "SchemaVersionError",
    "StoreError",
]


class LinkflowError(Exception):
    """Root of every error linkflow raises on purpose; the message is for the user."""

    exit_code = 2


class ConfigError(LinkflowError):
    """Settings, ``linkflow.toml`` or command-line values are invalid."""


class StoreError(LinkflowError):
    """The audit store cannot be opened, read or written."""


class AuditInUseError(StoreError):
    """Another process holds the audit file: DuckDB lets one process write a file, or any
    number of processes read it, never both at once."""

    @classmethod
    def from_lock(cls, path: Path, detail: str, *, read_only: bool) -> AuditInUseError:
        """The error for a file DuckDB could not lock; ``detail`` is DuckDB's message.

        The holder's process id is read from ``detail`` where DuckDB names it ("another
        process" where it does not). A process opening for reading only is refused only by
        a writer, so the message then says the file is being written.
        """
        found = re.search(r"\(PID (\d+)\)", detail)
        holder = "another process"
        if found:
            holder = f"process {found.group(1)}" + _command_of(int(found.group(1)))
        state = "being written by" if read_only else "in use by"
        return cls(f"{path} is {state} {holder}; wait for it to finish or stop it, then try again")


def _command_of(pid: int) -> str:
    """`` (linkflow crawl)`` when ``pid`` runs linkflow and the system says so (Linux).

    Only the program and its command are shown: the rest of a command line may hold a
    password (``--auth``), and the process may belong to someone else.
    """
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    argv = raw.decode("utf-8", "replace").split("\0")
    for i, arg in enumerate(argv[:3]):
        module = i > 0 and argv[i - 1] == "-m"
        if module and arg.startswith("linkflow."):  # python -m linkflow.crawl
            return f" (python -m {arg})"
        entry = i < 2 and os.path.basename(arg) == "linkflow"  # the script, run by python
        if entry or (module and arg == "linkflow"):
            command = next((a for a in argv[i + 1 :] if not a.startswith("-")), "")
            return f" (linkflow {command})" if re.fullmatch(r"[a-z][a-z-]*", command) else ""
    return ""


class SchemaVersionError(StoreError):
    """The audit file was written by a newer schema than this linkflow understands."""


class CrawlError(LinkflowError):
    """A crawl cannot start or continue."""


class ImportFormatError(LinkflowError):
    """An export file cannot be read, or its format is not one linkflow knows."""


class AnalysisError(LinkflowError):
    """An analysis cannot run on the data in the store."""


class ReportError(LinkflowError):
    """The report or an export cannot be written."""
