"""The report stage: the self-contained HTML report and the table exports.

Presentation only: it reads what earlier stages stored and never computes an analysis.
"""

from linkflow.report.exports import FORMATS, export_all, export_table
from linkflow.report.html import render_report, write_report

__all__ = ["FORMATS", "export_all", "export_table", "render_report", "write_report"]
