import pytest

from shipway.decisions.release.versioning import (
    GitFacts,
    backend_version,
    build_version,
    check_built_version,
    refuse_dirty_backend_build,
    release_tag,
)
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


def test_a_version_the_backend_decides_is_a_release_when_the_tag_agrees() -> None:
    version = backend_version(facts(tags=("v2.1.0",)), "2.1.0", "flit")
    assert (version.version, version.release, version.dirty) == ("2.1.0", True, False)
    assert backend_version(facts(), "2.1.0.post1", "flit").release is False


def test_a_release_tag_that_disagrees_with_the_backend_is_refused() -> None:
    with pytest.raises(
        ShipwayError,
        match=r"HEAD is tagged v2\.2\.0 but the build backend made version 2\.1\.0 \(flit's "
        r"__version__\): set the version to 2\.2\.0 there and move the tag, or tag v2\.1\.0",
    ):
        backend_version(facts(tags=("v2.2.0",)), "2.1.0", "flit's __version__")


def test_a_dirty_tree_with_a_backend_version_needs_allow_dirty() -> None:
    with pytest.raises(ShipwayError, match="pass --allow-dirty"):
        refuse_dirty_backend_build(facts(dirty=True), allow_dirty=False)
    refuse_dirty_backend_build(facts(dirty=True), allow_dirty=True)
    refuse_dirty_backend_build(facts(), allow_dirty=False)


def test_a_computed_version_the_backend_ignored_is_refused() -> None:
    check_built_version("1.0.1.dev3+gabc", "1.0.1.dev3+gabc", "static")
    check_built_version("1.0", "1.0.0", "equal as PEP 440 versions")
    with pytest.raises(ShipwayError, match=r"built as version 0\.9, not 1\.0\.1, the version"):
        check_built_version("1.0.1", "0.9", "static")
    with pytest.raises(ShipwayError, match="not a PEP 440 version"):
        check_built_version("1.0.1", "banana", "static")
