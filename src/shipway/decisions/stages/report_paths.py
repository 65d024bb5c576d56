"""Where each stage writes its reports, relative to the project root."""

from dataclasses import dataclass
from pathlib import Path

REPORTS_DIR = "reports"


@dataclass(frozen=True)
class ReportPaths:
    root: Path  # the reports directory, e.g. <project>/reports

    def junit(self, session: str) -> Path:
        return self.root / f"junit-{session}.xml"

    @property
    def coverage_dir(self) -> Path:
        return self.root / "coverage"

    def coverage_data(self, session: str) -> Path:
        return self.coverage_dir / f".coverage.{session}"

    @property
    def coverage_combined(self) -> Path:
        # Not ".coverage": coverage.py's reports would take the sessions' ".coverage.<session>"
        # files for parallel data of it, fold them in and delete them.
        return self.coverage_dir / "combined.coverage"

    @property
    def coverage_xml(self) -> Path:
        return self.root / "coverage.xml"

    @property
    def coverage_json(self) -> Path:
        return self.root / "coverage.json"

    @property
    def coverage_html(self) -> Path:
        return self.root / "htmlcov"

    @property
    def security_dir(self) -> Path:
        return self.root / "security"

    def verdict(self, gate: str) -> Path:
        return self.root / "verdicts" / f"{gate}.json"
