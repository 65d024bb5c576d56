"""A build's manifest: what was built, from which commit, and the sha256 of every file.

Deploys trust nothing but this: a fetched file is installed only when its checksum matches.
"""

import enum
import hashlib
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from shipway.errors import ShipwayError

MANIFEST = "manifest.json"
APPLICATION_SUFFIX = ".app.tar.gz"
SIGNATURE = "manifest.json.sig"
IMAGE_ARCHIVE = "image.oci.tar"  # inv build --image: the OCI archive inv push copies
# Files sit next to their manifest: a plain name, never a path that could point elsewhere.
FileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class FileKind(enum.StrEnum):
    WHEEL = "wheel"
    SDIST = "sdist"
    APPLICATION = "application"  # an application's source tree, <name>-<version>.app.tar.gz
    REQUIREMENTS = "requirements"
    SERVER = "server"  # shipway's gunicorn and uvicorn-worker, less what the service locks
    SBOM = "sbom"
    IMAGE = "image"


class ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: FileName
    kind: FileKind
    sha256: Sha256
    size: int


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1
    name: str
    version: str
    git_sha: str
    dirty: bool
    build_time: str  # when it was built, UTC, ISO 8601
    source_date_epoch: int  # the commit time every timestamp in the artifacts is set to
    requires_python: str | None
    files: tuple[ManifestFile, ...]

    def file(self, kind: FileKind) -> ManifestFile | None:
        return next((f for f in self.files if f.kind is kind), None)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    @classmethod
    def parse(cls, text: str, source: str) -> "Manifest":
        try:
            return cls.model_validate_json(text)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "document"
            raise ShipwayError(
                f"{source} is not a valid manifest ({where}: {first['msg']})"
            ) from None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kind_of(name: str) -> FileKind | None:
    """The kind of a file a build directory may hold; None for anything else."""
    if name.endswith(".whl"):
        return FileKind.WHEEL
    if name.endswith(APPLICATION_SUFFIX):
        return FileKind.APPLICATION
    if name.endswith(".tar.gz"):
        return FileKind.SDIST
    return {
        "requirements.txt": FileKind.REQUIREMENTS,
        "server-requirements.txt": FileKind.SERVER,
        "sbom.cdx.json": FileKind.SBOM,
        IMAGE_ARCHIVE: FileKind.IMAGE,
    }.get(name)


def verification_problems(manifest: Manifest, actual: Mapping[str, str | None]) -> list[str]:
    """Each file of the manifest that is missing or whose sha256 differs, by name."""
    problems = []
    for entry in manifest.files:
        found = actual.get(entry.path)
        if found is None:
            problems.append(f"{entry.path}: missing")
        elif found != entry.sha256:
            problems.append(
                f"{entry.path}: sha256 {found[:12]}… does not match the manifest's "
                f"{entry.sha256[:12]}…"
            )
    return problems


def commit_conflict(existing: Manifest, new: Manifest) -> str | None:
    """Why ``new`` may not join the store beside ``existing``, the same version from another
    commit; None when both come from one commit."""
    if existing.git_sha == new.git_sha:
        return None
    return (
        f"{new.name} {new.version} is already in the store, built from commit "
        f"{existing.git_sha[:12]}; this build is from commit {new.git_sha[:12]}. A pushed version "
        "never changes: give this commit a new version (raise it where the build backend reads "
        "it, or tag a new release)"
    )


def push_conflict(existing: Manifest, new: Manifest) -> str | None:
    """Why ``new`` may not replace ``existing`` under the same version; None if they are equal."""
    old = {f.path: f.sha256 for f in existing.files}
    for entry in new.files:
        if old.get(entry.path) != entry.sha256:
            state = "is not in" if entry.path not in old else "differs from"
            return f"{entry.path} {state} what the store holds"
    extra = sorted(set(old) - {f.path for f in new.files})
    return f"{extra[0]} is in the store but not in this build" if extra else None
