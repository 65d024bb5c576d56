"""Each stage's inputs (decisions/stages/inputs.py)."""

from pathlib import Path

from shipway.config.model import Tiers
from shipway.decisions.stages import inputs as stage_inputs
from shipway.decisions.stages.report_paths import ReportPaths

REPORTS = ReportPaths(Path("reports"))


def test_each_test_tier_reads_everything_but_the_other_tiers_tests() -> None:
    tiers = Tiers()
    unit = stage_inputs.unit_tests(tiers, REPORTS, "tests-3.12")
    integration = stage_inputs.integration_tests(tiers, REPORTS, "integration")
    assert unit.sources == integration.sources == ("**",)
    assert unit.exclude == ("tests/integration", "tests/e2e")
    assert integration.exclude == ("tests/unit",)
    assert unit.outputs == (
        "reports/junit-tests-3.12.xml",
        "reports/coverage/.coverage.tests-3.12",
    )


def test_coverage_reads_the_test_sessions_data_and_keeps_its_reports() -> None:
    inputs = stage_inputs.coverage(REPORTS, ["tests-3.12", "integration"])
    assert inputs.artifacts == (
        "reports/coverage/.coverage.tests-3.12",
        "reports/coverage/.coverage.integration",
    )
    assert "reports/verdicts/coverage.json" in inputs.outputs
    assert "uv.lock" in inputs.sources


def test_lint_and_typecheck_read_the_checked_paths_and_the_pipeline_files() -> None:
    for inputs in (stage_inputs.lint(["src"]), stage_inputs.typecheck(["src"])):
        assert {"src", "pyproject.toml", "uv.lock", "noxfile.py"} <= set(inputs.sources)
    assert ".github" in stage_inputs.lint(["src"]).sources
    assert ".github" not in stage_inputs.typecheck(["src"]).sources
