"""The one exception tree of linkflow.

Every error a user can cause is a :class:`LinkflowError`. Its message is one line that says
what went wrong, names the file, line or URL, and says what to do. The CLI prints that line
and exits with code 2; ``--verbose`` adds the traceback.

::

    LinkflowError
    ├── ConfigError            bad settings, linkflow.toml, or command-line values
    ├── StoreError             the audit store cannot be opened, read or written
    │   └── SchemaVersionError the audit file was written by a newer linkflow
    ├── CrawlError             the crawl cannot start or continue (bad seed, no folder ...)
    ├── ImportFormatError      an export file cannot be read or its format is unknown
    ├── AnalysisError          an analysis cannot run on the data at hand
    └── ReportError            the report or an export cannot be written
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
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
