import pytest

from shipway.decisions.release.manifest import (
    FileKind,
    Manifest,
    ManifestFile,
    commit_conflict,
    kind_of,
    push_conflict,
    sha256_of,
    verification_problems,
)
from shipway.errors import ShipwayError

WHEEL = ManifestFile(path="svc-1.0-py3-none-any.whl", kind=FileKind.WHEEL, sha256="a" * 64, size=3)


REQS = ManifestFile(path="requirements.txt", kind=FileKind.REQUIREMENTS, sha256="b" * 64, size=1)


def manifest(*files: ManifestFile) -> Manifest:
    return Manifest(
        name="svc",
        version="1.0",
        git_sha="f" * 40,
        dirty=False,
        build_time="2026-11-22T00:00:00+00:00",
        source_date_epoch=1,
        requires_python=">=3.11",
        files=files,
    )


def test_manifest_round_trips_and_finds_files_by_kind() -> None:
    original = manifest(WHEEL, REQS)
    assert Manifest.parse(original.to_json(), "m") == original
    assert original.file(FileKind.WHEEL) == WHEEL
    assert original.file(FileKind.SBOM) is None


@pytest.mark.parametrize("path", ["../etc/passwd", "sub/dir.whl", "/abs.whl", ""])
def test_manifest_paths_must_be_plain_names(path: str) -> None:
    text = manifest(WHEEL).to_json().replace(WHEEL.path, path)
    with pytest.raises(ShipwayError, match=r"m is not a valid manifest \(files\.0\.path"):
        Manifest.parse(text, "m")


def test_invalid_manifest_documents() -> None:
    with pytest.raises(ShipwayError, match="not a valid manifest"):
        Manifest.parse("{}", "m")
    with pytest.raises(ShipwayError, match="not a valid manifest"):
        Manifest.parse("not json", "m")


def test_verification_names_missing_and_changed_files() -> None:
    problems = verification_problems(manifest(WHEEL, REQS), {WHEEL.path: "c" * 64})
    assert problems == [
        f"{WHEEL.path}: sha256 cccccccccccc… does not match the manifest's aaaaaaaaaaaa…",
        "requirements.txt: missing",
    ]
    assert verification_problems(manifest(WHEEL), {WHEEL.path: "a" * 64}) == []


def test_push_conflicts() -> None:
    stored = manifest(WHEEL, REQS)
    assert push_conflict(stored, manifest(WHEEL, REQS)) is None
    changed = WHEEL.model_copy(update={"sha256": "c" * 64})
    assert (
        push_conflict(stored, manifest(changed, REQS))
        == f"{WHEEL.path} differs from what the store holds"
    )
    assert (
        push_conflict(manifest(WHEEL), stored) == "requirements.txt is not in what the store holds"
    )
    assert (
        push_conflict(stored, manifest(WHEEL))
        == "requirements.txt is in the store but not in this build"
    )


def test_file_kinds() -> None:
    assert kind_of("a-1.0-py3-none-any.whl") is FileKind.WHEEL
    assert kind_of("a-1.0.tar.gz") is FileKind.SDIST
    assert kind_of("a-1.0.app.tar.gz") is FileKind.APPLICATION
    assert kind_of("image.oci.tar") is FileKind.IMAGE
    assert kind_of("manifest.json") is None
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # pragma: allowlist secret
    assert sha256_of(b"") == empty


def test_the_same_version_from_another_commit_is_a_conflict_naming_both_commits() -> None:
    stored = manifest(WHEEL, REQS)
    assert commit_conflict(stored, manifest(WHEEL, REQS)) is None
    rebuilt = manifest(WHEEL, REQS).model_copy(update={"git_sha": "e" * 40})
    assert commit_conflict(stored, rebuilt) == (
        "svc 1.0 is already in the store, built from commit ffffffffffff; this build is from "
        "commit eeeeeeeeeeee. A pushed version never changes: give this commit a new version "
        "(raise it where the build backend reads it, or tag a new release)"
    )
