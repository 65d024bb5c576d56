"""Artifact stores: a directory where pushed versions are immutable, and a PyPI-style index.

Nothing is installed from a store before every file is checked against the build's manifest
(and the manifest's signature, when there is or must be one).
"""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shipway.config import Project
from shipway.decisions.release.commands import verify_signature
from shipway.decisions.release.manifest import (
    MANIFEST,
    SIGNATURE,
    Manifest,
    commit_conflict,
    push_conflict,
    sha256_of,
    verification_problems,
)
from shipway.effects.command import ToolRunner
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class SignaturePolicy:
    allowed_signers: Path | None
    signer: str
    required: bool


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ShipwayError(f"{path}: no manifest there (is this a build directory?)") from None
    return Manifest.parse(text, str(path))


def verify_directory(directory: Path, policy: SignaturePolicy, runner: ToolRunner) -> Manifest:
    """The directory's manifest, if its signature and every file's sha256 check out."""
    manifest = read_manifest(directory)
    check_signature(directory, manifest, policy, runner)
    actual = {
        f.path: sha256_of((directory / f.path).read_bytes())
        if (directory / f.path).is_file()
        else None
        for f in manifest.files
    }
    problems = verification_problems(manifest, actual)
    if problems:
        raise ShipwayError(
            f"refusing {manifest.name} {manifest.version} from {directory}: " + "; ".join(problems)
        )
    return manifest


def check_signature(
    directory: Path, manifest: Manifest, policy: SignaturePolicy, runner: ToolRunner
) -> None:
    signature = directory / SIGNATURE
    what = f"{manifest.name} {manifest.version}"
    if not signature.is_file():
        if policy.required:
            raise ShipwayError(
                f"refusing {what}: its manifest is not signed and signatures are required"
            )
        return
    if policy.allowed_signers is None:
        if policy.required:
            raise ShipwayError(
                f"refusing {what}: signatures are required but no allowed_signers file is "
                "configured ([tool.shipway.artifacts] allowed_signers)"
            )
        return
    done = runner.run(
        verify_signature(policy.allowed_signers, policy.signer, signature),
        stdin=(directory / MANIFEST).read_text(encoding="utf-8"),
        quiet=True,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ShipwayError(
            f"refusing {what}: the manifest's signature does not verify for signer "
            f"{policy.signer!r} against {policy.allowed_signers} ({detail[0]})"
        )


class DirectoryStore:
    """``<root>/<name>/<version>/``: the build's files, its manifest and signature; read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def location(self, name: str, version: str) -> Path:
        return self.root / name / version

    def push(self, build: Path, manifest: Manifest) -> str:
        """Copy a verified build in; refuse different bytes under a version already there."""
        target = self.location(manifest.name, manifest.version)
        if target.exists():
            stored = read_manifest(target)
            if other_commit := commit_conflict(stored, manifest):
                raise ShipwayError(other_commit)
            conflict = push_conflict(stored, manifest)
            if conflict:
                raise ShipwayError(
                    f"{manifest.name} {manifest.version} is already in the store at {target} with "
                    f"different content ({conflict}); a pushed version never changes: build a "
                    "new version (commit, or tag a new release)"
                )
            return f"{manifest.name} {manifest.version} is already in the store, identical"
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = Path(
            tempfile.mkdtemp(prefix=f".incoming-{manifest.version}-", dir=target.parent)
        )
        try:
            for name in [*(f.path for f in manifest.files), MANIFEST, SIGNATURE]:
                if (build / name).is_file():
                    shutil.copyfile(build / name, incoming / name)
                    (incoming / name).chmod(0o444)
            incoming.chmod(0o555)
            incoming.rename(target)  # atomic: readers see all of the version or none of it
        except OSError:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        return f"pushed {manifest.name} {manifest.version} to {target}"

    def fetch(
        self,
        name: str,
        version: str,
        destination: Path,
        policy: SignaturePolicy,
        runner: ToolRunner,
    ) -> Manifest:
        """Copy a version out of the store and verify the copy: what is checked is what is used."""
        source = self.location(name, version)
        if not (source / MANIFEST).is_file():
            available = ", ".join(self.versions(name)) or "none"
            raise ShipwayError(
                f"{name} {version} is not in the store {self.root} (versions: {available})"
            )
        destination.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            shutil.copyfile(item, destination / item.name)
        try:
            return verify_directory(destination, policy, runner)
        except ShipwayError:
            shutil.rmtree(destination, ignore_errors=True)
            raise

    def versions(self, name: str) -> list[str]:
        folder = self.root / name
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / MANIFEST).is_file())


def signature_policy(project: Project, *, required: bool | None = None) -> SignaturePolicy:
    artifacts = project.config.artifacts
    return SignaturePolicy(
        allowed_signers=project.path(artifacts.allowed_signers)
        if artifacts.allowed_signers
        else None,
        signer=artifacts.signer,
        required=artifacts.require_signature if required is None else required,
    )
