"""What each checking stage reads and writes: the inputs the stage cache keys it on.

Paths are relative to the project root; a source that does not exist simply matches nothing.
When in doubt a stage reads more, never less: a test may open any file of the project, so
the test tiers depend on the whole tree except the other tier's tests.
"""

from collections.abc import Sequence

from shipway.config.model import Tiers
from shipway.decisions.stages.cache import StageInputs
from shipway.decisions.stages.report_paths import ReportPaths

# Every stage reads the configuration, the lock it installs from and its own definition.
PIPELINE = ("pyproject.toml", "uv.lock", "noxfile.py")
LINT_CONFIG = ("ruff.toml", ".ruff.toml", ".importlinter", "setup.cfg", ".github")
TYPECHECK_CONFIG = ("mypy.ini", ".mypy.ini", "setup.cfg")
COVERAGE_CONFIG = (".coveragerc", "setup.cfg", "tox.ini")
WHOLE_TREE = "**"


def lint(checked: Sequence[str]) -> StageInputs:
    return StageInputs(sources=(*PIPELINE, *LINT_CONFIG, *checked))


def typecheck(checked: Sequence[str]) -> StageInputs:
    return StageInputs(sources=(*PIPELINE, *TYPECHECK_CONFIG, *checked))


def unit_tests(tests: Tiers, reports: ReportPaths, session: str) -> StageInputs:
    return tier_inputs(tests.integration, reports, session)


def integration_tests(tests: Tiers, reports: ReportPaths, session: str) -> StageInputs:
    return tier_inputs(tests.unit, reports, session)


def tier_inputs(other_tier: Sequence[str], reports: ReportPaths, session: str) -> StageInputs:
    """A test session reads the whole tree but the other tier's tests; later stages read its
    JUnit report and coverage data."""
    return StageInputs(
        sources=(WHOLE_TREE,),
        exclude=tuple(other_tier),
        outputs=(str(reports.junit(session)), str(reports.coverage_data(session))),
    )


def coverage(reports: ReportPaths, runs: Sequence[str]) -> StageInputs:
    """The data files of the test runs it combines, and the reports it writes."""
    return StageInputs(
        sources=(*PIPELINE, *COVERAGE_CONFIG),
        artifacts=tuple(str(reports.coverage_data(run)) for run in runs),
        outputs=(
            str(reports.coverage_xml),
            str(reports.coverage_json),
            str(reports.verdict("coverage")),
        ),
    )
