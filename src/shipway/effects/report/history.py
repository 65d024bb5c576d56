"""When the commits an environment's deploys shipped were made: their committer times, from
git (a commit git does not know, e.g. in a shallow clone, is left out)."""

from collections.abc import Iterable

from shipway.effects.command import ToolRunner


def commit_times(runner: ToolRunner, shas: Iterable[str]) -> dict[str, float]:
    times = {}
    for sha in sorted(set(shas)):
        shown = runner.run(["git", "show", "-s", "--format=%ct", sha, "--"], quiet=True)
        if shown.returncode == 0 and shown.stdout.strip().isdigit():
            times[sha] = float(shown.stdout.strip())
    return times
