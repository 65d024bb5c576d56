"""The version a build gets, from git facts: a release on a ``vX.Y.Z`` tag, else a dev version.

- HEAD tagged ``v1.4.2``: ``1.4.2`` (``1.4.2+dirty`` from a dirty tree, only with allow_dirty).
- Three commits after ``v1.4.2``: ``1.4.3.dev3+g1a2b3c4`` (the next patch, PEP 440 dev).
- No tag yet: the project's own version as the base, with the commit count as N.
- Uncommitted changes add ``.dirty`` to a dev version's local part.
"""

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from shipway.errors import ShipwayError

_TAG = re.compile(r"^v(?P<version>\d+\.\d+\.\d+)$")


@dataclass(frozen=True)
class GitFacts:
    sha: str  # full commit sha of HEAD
    commit_time: int  # seconds since the epoch: the build's SOURCE_DATE_EPOCH
    dirty: bool  # uncommitted changes to tracked files
    tags_at_head: tuple[str, ...]
    last_tag: str | None  # newest release tag reachable from HEAD
    distance: int  # commits since last_tag (or since the root when there is none)


@dataclass(frozen=True)
class BuildVersion:
    version: str
    release: bool
    dirty: bool


def release_tag(tags: tuple[str, ...]) -> Version | None:
    """The highest ``vX.Y.Z`` among tags, as a version."""
    versions = [Version(m["version"]) for t in tags if (m := _TAG.match(t))]
    return max(versions) if versions else None


def build_version(git: GitFacts, project_version: str, allow_dirty: bool) -> BuildVersion:
    tagged = release_tag(git.tags_at_head)
    if tagged is not None:
        if git.dirty and not allow_dirty:
            raise ShipwayError(
                f"HEAD is tagged v{tagged} but the working tree has uncommitted changes: a "
                "release must be built from a clean tree (commit or stash them, or pass "
                "--allow-dirty to build a version marked +dirty)"
            )
        return BuildVersion(f"{tagged}+dirty" if git.dirty else str(tagged), True, git.dirty)
    base = _next_patch(release_tag((git.last_tag,)) if git.last_tag else None, project_version)
    local = f"g{git.sha[:7]}" + (".dirty" if git.dirty else "")
    return BuildVersion(f"{base}.dev{git.distance}+{local}", False, git.dirty)


def _next_patch(last_release: Version | None, project_version: str) -> str:
    if last_release is not None:
        major, minor, patch = last_release.release[:3]
        return f"{major}.{minor}.{patch + 1}"
    try:
        return Version(project_version).base_version
    except InvalidVersion:
        raise ShipwayError(
            f"the service's version {project_version!r} is not a PEP 440 version"
        ) from None
