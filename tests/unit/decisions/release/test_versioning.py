import pytest

from shipway.decisions.release.versioning import GitFacts, build_version, release_tag
from shipway.errors import ShipwayError

SHA = "1a2b3c4d5e6f" + "0" * 28  # pragma: allowlist secret


def facts(
    tags: tuple[str, ...] = (), last: str | None = None, distance: int = 3, dirty: bool = False
) -> GitFacts:
    return GitFacts(SHA, 1_700_000_000, dirty, tags, last, distance)


def test_tag_on_head_is_the_release_version() -> None:
    version = build_version(facts(tags=("v1.4.2",), last="v1.4.2", distance=0), "0.1.0", False)
    assert (version.version, version.release, version.dirty) == ("1.4.2", True, False)


def test_highest_release_tag_wins_and_other_tags_are_ignored() -> None:
    assert str(release_tag(("latest", "v1.10.0", "v1.9.9", "v2.0"))) == "1.10.0"
    assert release_tag(("nightly",)) is None


def test_dirty_release_needs_allow_dirty_and_is_marked() -> None:
    with pytest.raises(ShipwayError, match="release must be built from a clean tree"):
        build_version(facts(tags=("v1.4.2",), dirty=True), "0.1.0", allow_dirty=False)
    version = build_version(facts(tags=("v1.4.2",), dirty=True), "0.1.0", allow_dirty=True)
    assert (version.version, version.release, version.dirty) == ("1.4.2+dirty", True, True)


def test_commits_after_a_tag_are_a_dev_version_of_the_next_patch() -> None:
    version = build_version(facts(last="v1.4.2", distance=3), "0.1.0", False)
    assert (version.version, version.release) == ("1.4.3.dev3+g1a2b3c4", False)


def test_without_any_tag_the_projects_version_is_the_base() -> None:
    assert build_version(facts(distance=12), "0.3.0", False).version == "0.3.0.dev12+g1a2b3c4"
    assert build_version(facts(distance=1), "2.0.0rc1", False).version == "2.0.0.dev1+g1a2b3c4"


def test_dirty_dev_builds_say_so_without_needing_permission() -> None:
    version = build_version(facts(dirty=True), "0.3.0", allow_dirty=False)
    assert (version.version, version.dirty) == ("0.3.0.dev3+g1a2b3c4.dirty", True)


def test_a_project_version_that_is_not_pep440_is_an_error() -> None:
    with pytest.raises(ShipwayError, match="'banana' is not a PEP 440 version"):
        build_version(facts(), "banana", False)
