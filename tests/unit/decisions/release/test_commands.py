from pathlib import Path

from shipway.decisions.release import commands
from shipway.decisions.release.image import Engine


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


def test_export_requirements_is_locked_hashed_and_without_workspace_projects() -> None:
    argv = commands.export_requirements(Path("svc"), Path("/o/requirements.txt"))
    assert argv[:4] == ["uv", "export", "--project", "svc"]
    assert {"--locked", "--no-dev", "--no-emit-workspace"} <= set(argv)
    assert "--no-hashes" not in argv
    assert argv[-2:] == ["--output-file", "/o/requirements.txt"]


def test_pinned_requirements_are_locked_with_hashes_for_every_platform() -> None:
    argv = commands.lock_requirements(Path("/s/requirements.txt"), Path("/o/requirements.txt"))
    assert argv[:3] == ["uv", "pip", "compile"]
    assert {"--generate-hashes", "--universal", "--no-header", "--no-annotate"} <= set(argv)
    assert argv[-3:] == ["/s/requirements.txt", "--output-file", "/o/requirements.txt"]


def test_image_push_command_lines_never_carry_credentials() -> None:
    assert commands.image_inspect("docker://ghcr.io/acme/svc:1.0") == [
        "skopeo",
        "inspect",
        "--raw",
        "docker://ghcr.io/acme/svc:1.0",
    ]
    copy = commands.image_copy("oci-archive:dist/svc/1.0/image.oci.tar", "docker://r/svc:1.0")
    assert copy == [
        "skopeo",
        "copy",
        "--all",
        "--preserve-digests",
        "oci-archive:dist/svc/1.0/image.oci.tar",
        "docker://r/svc:1.0",
    ]
    assert not any("cred" in arg or "password" in arg for arg in copy)
