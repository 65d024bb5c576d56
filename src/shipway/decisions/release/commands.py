"""Commands of the build and push stages, as argv lists: uv, ssh-keygen, container engines."""

from collections.abc import Mapping, Sequence
from pathlib import Path

from shipway.decisions import Argv
from shipway.decisions.release.image import Engine

SIGNATURE_NAMESPACE = "shipway-manifest"  # ssh-keygen -n: a signature for nothing else


def set_version(project_dir: Path, version: str) -> Argv:
    """Write the build's version into a copy of the service's pyproject.toml."""
    return ["uv", "version", "--project", str(project_dir), "--frozen", "--quiet", version]


def build_distributions(project_dir: Path, out_dir: Path) -> Argv:
    """sdist, then the wheel built from that sdist (which proves the sdist is complete).
    Not quiet: when the backend fails, its own output says why."""
    return [
        "uv",
        "build",
        "--no-create-gitignore",
        str(project_dir),
        "--out-dir",
        str(out_dir),
    ]


def sign(key: Path, manifest: Path) -> Argv:
    """Writes ``<manifest>.sig`` next to the manifest."""
    return [
        "ssh-keygen",
        "-q",
        "-Y",
        "sign",
        "-f",
        str(key),
        "-n",
        SIGNATURE_NAMESPACE,
        str(manifest),
    ]


def verify_signature(allowed_signers: Path, signer: str, signature: Path) -> Argv:
    """Reads the signed manifest on stdin."""
    return [
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        str(allowed_signers),
        "-I",
        signer,
        "-n",
        SIGNATURE_NAMESPACE,
        "-s",
        str(signature),
    ]


def publish(publish_url: str, check_url: str | None, files: Sequence[Path]) -> Argv:
    """Upload distributions; with a check URL, files the index already has are skipped."""
    check = ["--check-url", check_url] if check_url else []
    return ["uv", "publish", "--publish-url", publish_url, *check, *map(str, files)]


def image_build(
    engine: Engine,
    dockerfile: Path,
    context: Path,
    tag: str,
    platforms: Sequence[str],
    build_args: Mapping[str, str],
    archive: Path,
) -> list[Argv]:
    """Build a multi-platform image from ``context`` and write it as an OCI archive."""
    args = [arg for k, v in sorted(build_args.items()) for arg in ("--build-arg", f"{k}={v}")]
    platform = ",".join(platforms)
    if engine is Engine.DOCKER:
        output = f"type=oci,dest={archive}"
        return [
            [
                "docker",
                "buildx",
                "build",
                "--platform",
                platform,
                "-f",
                str(dockerfile),
                *args,
                "-t",
                tag,
                "--output",
                output,
                str(context),
            ]
        ]
    tool = engine.value
    return [
        [
            tool,
            "build",
            "--platform",
            platform,
            "-f",
            str(dockerfile),
            *args,
            "--manifest",
            tag,
            str(context),
        ],
        [tool, "manifest", "push", "--all", tag, f"oci-archive:{archive}"],
    ]


def export_requirements(service_dir: Path, output: Path) -> Argv:
    """The service's locked runtime requirements, with hashes, without workspace projects."""
    return [
        "uv",
        "export",
        "--project",
        str(service_dir),
        "--locked",
        "--no-dev",
        "--no-emit-workspace",
        "--format",
        "requirements-txt",
        "--no-header",
        "--quiet",
        "--output-file",
        str(output),
    ]


def lock_requirements(requirements: Path, output: Path) -> Argv:
    """Pinned requirements locked with hashes: every dependency, for every platform and Python
    (``--universal``), from the uv cache when offline (``UV_OFFLINE=1``)."""
    return [
        "uv",
        "pip",
        "compile",
        "--quiet",
        "--generate-hashes",
        "--universal",
        "--no-header",
        "--no-annotate",
        str(requirements),
        "--output-file",
        str(output),
    ]


def image_inspect(reference: str) -> Argv:
    """An image's raw manifest (its digest is the sha256 of these bytes); fails when the
    reference names no image. Credentials: skopeo's own login, never an argument."""
    return ["skopeo", "inspect", "--raw", reference]


def image_copy(source: str, destination: str) -> Argv:
    """Copy every platform's image and the list itself, byte for byte: skopeo fails rather
    than change a digest (say, by recompressing a layer), so the registry's tag names the
    very image the build's manifest records."""
    return ["skopeo", "copy", "--all", "--preserve-digests", source, destination]
