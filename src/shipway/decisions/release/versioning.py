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


def refuse_dirty_backend_build(git: GitFacts, allow_dirty: bool) -> None:
    """A version the backend decides cannot say that the tree was dirty: refuse, unless told."""
    if git.dirty and not allow_dirty:
        raise ShipwayError(
            "the working tree has uncommitted changes and the build backend decides the version, "
            "so the version cannot mark them: commit or stash them, or pass --allow-dirty"
        )


def backend_version(git: GitFacts, built: str, where: str) -> BuildVersion:
    """The version the backend gave the wheel; a release tag on HEAD must agree with it.
    ``where`` says where the backend takes it from, for the message."""
    version = _pep440(built, f"the built wheel's version {built!r}")
    tagged = release_tag(git.tags_at_head)
    if tagged is not None and version != tagged:
        raise ShipwayError(
            f"HEAD is tagged v{tagged} but the build backend made version {built} ({where}): "
            f"set the version to {tagged} there and move the tag, or tag v{version} instead"
        )
    return BuildVersion(str(version), tagged is not None, git.dirty)


def check_built_version(planned: str, built: str, how: str) -> None:
    """A computed version must be the one the wheel got: otherwise the backend ignored it."""
    if _pep440(built, f"the built wheel's version {built!r}") != Version(planned):
        raise ShipwayError(
            f"the wheel was built as version {built}, not {planned}, the version shipway gave "
            f"it ({how}): the build backend takes its version from somewhere else (a literal "
            "in setup.py, a version file); make that the only source, or remove the other"
        )


def _pep440(text: str, what: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise ShipwayError(f"{what} is not a PEP 440 version") from None
