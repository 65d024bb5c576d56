from pathlib import Path

import pytest

from shipway.decisions import release_commands as commands
from shipway.decisions.manifest import (
    FileKind,
    Manifest,
    ManifestFile,
    kind_of,
    push_conflict,
    sha256_of,
    verification_problems,
)
from shipway.decisions.release_commands import Engine, EngineProbe, choose_engine
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
    assert kind_of("image.oci.tar") is FileKind.IMAGE
    assert kind_of("manifest.json") is None
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # pragma: allowlist secret
    assert sha256_of(b"") == empty


def test_build_and_signing_commands() -> None:
    assert commands.set_version(Path("/s"), "1.0") == [
        "uv",
        "version",
        "--project",
        "/s",
        "--frozen",
        "--quiet",
        "1.0",
    ]
    assert commands.build_distributions(Path("/s"), Path("/o"))[-3:] == ["/s", "--out-dir", "/o"]
    assert commands.sign(Path("/k"), Path("/m.json")) == [
        "ssh-keygen",
        "-q",
        "-Y",
        "sign",
        "-f",
        "/k",
        "-n",
        "shipway-manifest",
        "/m.json",
    ]
    verify = commands.verify_signature(Path("/a"), "me@x", Path("/m.json.sig"))
    assert verify[:3] == ["ssh-keygen", "-Y", "verify"]
    assert verify[verify.index("-I") + 1] == "me@x"
    assert commands.publish("http://i/", None, [Path("/w.whl")]) == [
        "uv",
        "publish",
        "--publish-url",
        "http://i/",
        "/w.whl",
    ]
    assert "--check-url" in commands.publish("http://i/", "http://i/simple/", [])


def test_image_command_lines_per_engine() -> None:
    args = (
        Path("deploy/Dockerfile"),
        Path("dist/svc/1.0"),
        "svc:1.0",
        ["linux/amd64", "linux/arm64"],
        {"VERSION": "1.0"},
        Path("dist/svc/1.0/image.oci.tar"),
    )
    [docker] = commands.image_build(Engine.DOCKER, *args)
    assert docker == [
        "docker",
        "buildx",
        "build",
        "--platform",
        "linux/amd64,linux/arm64",
        "-f",
        "deploy/Dockerfile",
        "--build-arg",
        "VERSION=1.0",
        "-t",
        "svc:1.0",
        "--output",
        "type=oci,dest=dist/svc/1.0/image.oci.tar",
        "dist/svc/1.0",
    ]
    build, push = commands.image_build(Engine.PODMAN, *args)
    assert build[:4] == ["podman", "build", "--platform", "linux/amd64,linux/arm64"]
    assert build[-3:] == ["--manifest", "svc:1.0", "dist/svc/1.0"]
    assert push == [
        "podman",
        "manifest",
        "push",
        "--all",
        "svc:1.0",
        "oci-archive:dist/svc/1.0/image.oci.tar",
    ]
    assert commands.image_build(Engine.BUILDAH, *args)[0][0] == "buildah"


def test_engine_choice_prefers_the_first_usable_and_explains_otherwise() -> None:
    docker_down = EngineProbe(Engine.DOCKER, True, False, "its daemon is not reachable")
    podman = EngineProbe(Engine.PODMAN, True, True)
    assert choose_engine([docker_down, podman]) is Engine.PODMAN
    with pytest.raises(
        ShipwayError, match=r"\(docker: its daemon is not reachable\)\. Install and start"
    ):
        choose_engine([docker_down, EngineProbe(Engine.PODMAN, False, False)])
    with pytest.raises(ShipwayError, match="none of docker, podman, buildah is installed"):
        choose_engine([EngineProbe(e, False, False) for e in Engine])
