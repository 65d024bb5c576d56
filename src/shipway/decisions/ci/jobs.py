"""The aggregate CI verdict: green only when every job it needs succeeded.

GitHub's ``needs`` context (``toJSON(needs)``) maps each job to its ``result``: success,
failure, cancelled or skipped. A skipped job did not check anything, so it is not a pass.
"""

import json
from dataclasses import dataclass

from shipway.errors import ShipwayError

NO_RESULTS = "no job results: set NEEDS to ${{ toJSON(needs) }} in the step's env: and list needs:"
ICONS = {"success": "✅", "failure": "❌", "cancelled": "⏹️", "skipped": "⏭️"}


@dataclass(frozen=True)
class JobResult:
    job: str
    result: str

    @property
    def passed(self) -> bool:
        return self.result == "success"


def parse_needs(text: str) -> list[JobResult]:
    """Job results from ``toJSON(needs)``; nothing to judge is an error, never a pass."""
    if not text.strip():
        raise ShipwayError(NO_RESULTS)
    try:
        needs = json.loads(text)
    except json.JSONDecodeError as error:
        raise ShipwayError(f"the jobs' results are not JSON ({error})") from None
    if not isinstance(needs, dict) or not needs:
        raise ShipwayError(NO_RESULTS)
    return [
        JobResult(job, str(value.get("result", "unknown")) if isinstance(value, dict) else "?")
        for job, value in needs.items()
    ]


def verdict_line(results: list[JobResult]) -> str:
    failed = [f"{r.job} ({r.result})" for r in results if not r.passed]
    passed = len(results) - len(failed)
    if not failed:
        return f"ci: PASS — {passed}/{len(results)} jobs succeeded"
    return f"ci: FAIL — {passed}/{len(results)} jobs succeeded; not green: {', '.join(failed)}"


def jobs_markdown(results: list[JobResult]) -> str:
    lines = ["| job | result |", "|---|---|"]
    lines += [f"| {r.job} | {ICONS.get(r.result, '❓')} {r.result} |" for r in results]
    return f"### {verdict_line(results)}\n\n" + "\n".join(lines) + "\n\n"
