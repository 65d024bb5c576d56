"""``python -m shipway.effects.ci.workflows [FILE ...]``: the thin-workflow rule, as a tool.

Checks the given workflows (default: ``.github/workflows/*.yml`` and ``*.yaml``) with
``shipway.decisions.ci.workflows`` and prints one ``file:line: problem`` per problem.
Exit status 0 when every run line calls nox or inv and every action is pinned, 1 otherwise.
"""

import sys
from collections.abc import Sequence
from pathlib import Path

from shipway.decisions.ci.workflows import ALLOWED_RUN, Problem, check_workflow

WORKFLOWS = Path(".github") / "workflows"


def main(arguments: Sequence[str] = ()) -> int:
    found = [path.relative_to(Path.cwd()) for path in workflow_files(Path.cwd())]
    paths = [Path(a) for a in arguments] or found
    if not paths:
        print(f"workflow check: no workflows found under {WORKFLOWS}/", file=sys.stderr)
        return 1
    problems: list[Problem] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), 1, f"cannot be read: {error}"))
            continue
        problems += check_workflow(str(path), text)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"workflow check: {len(problems)} problem(s) in {len(paths)} workflow(s)")
        return 1
    print(f"workflow check: {len(paths)} workflow(s) call only {ALLOWED_RUN}; actions pinned")
    return 0


def workflow_files(root: Path) -> list[Path]:
    folder = root / WORKFLOWS
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
