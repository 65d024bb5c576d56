"""The report directory the commands and report path tests use."""

from pathlib import Path

from shipway.decisions.stages.report_paths import ReportPaths

REPORTS = ReportPaths(Path("/p/reports"))
