"""A minimal valid OCI image, written by hand (no base image can be pulled here): an image
index of two platforms (as `docker buildx build --platform linux/amd64,linux/arm64` writes),
each an image manifest with a config blob and one gzipped layer, every digest a real sha256.
``archive`` packs the layout as `inv build --image` leaves it: an OCI archive (a tar of the
layout), image.oci.tar."""

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
PLATFORMS = ("amd64", "arm64")


def blob(layout: Path, media_type: str, data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def layer_tar(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("app/VERSION")
        info.size, info.mtime, info.mode = len(content), 0, 0o644
        tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def platform_manifest(layout: Path, architecture: str, content: bytes) -> dict[str, Any]:
    tar = layer_tar(content)
    layer = blob(layout, LAYER, gzip.compress(tar, mtime=0))
    config = {
        "architecture": architecture,
        "os": "linux",
        "config": {"User": "10001", "Cmd": ["gunicorn"]},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{hashlib.sha256(tar).hexdigest()}"]},
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": blob(layout, CONFIG, json.dumps(config).encode()),
        "layers": [layer],
    }
    described = blob(layout, MANIFEST, json.dumps(manifest).encode())
    return {**described, "platform": {"architecture": architecture, "os": "linux"}}


def write_layout(layout: Path, content: bytes) -> str:
    """An OCI layout whose one entry is a two-platform image index; the index's digest."""
    layout.mkdir(parents=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    manifests = [platform_manifest(layout, arch, content) for arch in PLATFORMS]
    index = {"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}
    top = blob(layout, INDEX, json.dumps(index).encode())
    (layout / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [top]})
    )
    return str(top["digest"])


def archive(directory: Path, content: bytes) -> tuple[Path, str]:
    """``directory``/image.oci.tar holding a fresh image of ``content``; and its digest."""
    layout = directory / "layout"
    digest = write_layout(layout, content)
    path = directory / "image.oci.tar"
    with tarfile.open(path, "w") as tar:
        for member in sorted(layout.rglob("*")):
            tar.add(member, arcname=str(member.relative_to(layout)), recursive=False)
    return path, digest
