"""CI glue: `inv ci-matrix` (test jobs from `nox --list --json`) and `inv ci-verdict`."""

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from shipway.config import Project
from shipway.decisions.ci.jobs import jobs_markdown, parse_needs, verdict_line
from shipway.decisions.ci.matrix import (
    Matrix,
    github_output,
    nox_list_argv,
    parse_listing,
    session_matrix,
)
from shipway.effects.ci.step_summary import append_step_summary
from shipway.effects.command import ToolRunner
from shipway.effects.console import console
from shipway.errors import ShipwayError


def ci_matrix(
    project: Project,
    selector: str,
    environ: Mapping[str, str] = os.environ,
    name: str = "matrix",
) -> Matrix:
    """Print the matrix as JSON on stdout; append ``<name>=…`` to ``$GITHUB_OUTPUT`` if set."""
    noxfile = project.root / "noxfile.py"
    listed = ToolRunner(project.root).run(nox_list_argv(sys.executable, noxfile), quiet=True)
    if listed.returncode != 0:
        raise ShipwayError(
            f"`nox --list --json` failed (exit status {listed.returncode}): {listed.last_line}"
        )
    matrix = session_matrix(parse_listing(listed.stdout), selector)
    print(json.dumps(matrix, indent=2))
    if output := environ.get("GITHUB_OUTPUT"):
        with Path(output).open("a", encoding="utf-8") as outputs:
            outputs.write(github_output(name, matrix))
    return matrix


def ci_verdict(environ: Mapping[str, str] = os.environ) -> None:
    """Fail unless every job in ``$NEEDS`` (``toJSON(needs)``) succeeded; summary for CI."""
    results = parse_needs(environ.get("NEEDS", ""))
    append_step_summary(jobs_markdown(results), environ)
    line = verdict_line(results)
    if not all(r.passed for r in results):
        raise ShipwayError(line)
    console.print(line)
