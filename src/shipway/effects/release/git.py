"""Facts about the repository's HEAD, read with git."""

from pathlib import Path

from shipway.decisions.release.versioning import GitFacts
from shipway.effects.command import ToolRunner
from shipway.errors import ShipwayError

RELEASE_TAGS = "v[0-9]*.[0-9]*.[0-9]*"


def git_facts(runner: ToolRunner) -> GitFacts:
    head = runner.run(["git", "rev-parse", "--verify", "HEAD"], quiet=True)
    if head.returncode != 0:
        raise ShipwayError(
            "builds need a git repository with at least one commit: the version and every "
            f"timestamp come from HEAD ({head.stderr.strip() or 'git rev-parse failed'})"
        )
    sha = head.stdout.strip()
    commit_time = int(git(runner, "log", "-1", "--format=%ct", sha))
    status = git(runner, "status", "--porcelain", "--untracked-files=normal")
    tags = tuple(git(runner, "tag", "--points-at", sha).split())
    described = runner.run(
        ["git", "describe", "--tags", "--abbrev=0", "--match", RELEASE_TAGS, sha], quiet=True
    )
    last_tag = described.stdout.strip() if described.returncode == 0 else None
    span = f"{last_tag}..{sha}" if last_tag else sha
    distance = int(git(runner, "rev-list", "--count", span))
    return GitFacts(sha, commit_time, bool(status.strip()), tags, last_tag, distance)


def tracked_files(runner: ToolRunner, directory: Path) -> list[str]:
    """Files under ``directory`` that git tracks or would track (not ignored), relative to it."""
    listed = git(
        runner, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(directory)
    )
    root = Path(git(runner, "rev-parse", "--show-toplevel").strip())
    return [
        str((root / name).relative_to(directory.resolve()))
        for name in listed.split("\0")
        if name and (root / name).is_file()
    ]


def git(runner: ToolRunner, *arguments: str) -> str:
    done = runner.run(["git", *arguments], quiet=True)
    if done.returncode != 0:
        raise ShipwayError(f"git {' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout
