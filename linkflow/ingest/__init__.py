"""Import backlink, traffic and authority exports (research/data-formats.md).

:func:`detect` recognises an export from its bytes and header; :func:`import_file` stores it
in one transaction. docs/formats.md lists every format, its columns and the authority scale.
"""

from linkflow.ingest.detect import DetectedFormat, detect
from linkflow.ingest.importer import ImportResult, import_file

__all__ = ["DetectedFormat", "ImportResult", "detect", "import_file"]
