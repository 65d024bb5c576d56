"""Where ``inv push`` pushes a build's image, and whether it may: the image repositories of the
Kubernetes environments, at the tag their pods run (``image_tag(version)``), copied from the
build's OCI archive by skopeo.

A pushed tag never changes, as a version in the artifact store never does: each destination
is inspected first; a tag the registry lacks is copied, a tag holding this very image (same
manifest digest) is left alone, and a tag holding another image is refused before anything is
pushed anywhere. Credentials are never on a command line: skopeo uses the login it already has
(``skopeo login``, ``$REGISTRY_AUTH_FILE``, ``~/.docker/config.json``).
"""

import enum
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.release.image import image_tag
from shipway.errors import ShipwayError

TOOL = "skopeo"
INSTALL = "install skopeo (Debian/Ubuntu: `apt install skopeo`; Fedora: `dnf install skopeo`)"
# What skopeo says when the reference is valid but names no image yet: a registry's
# MANIFEST_UNKNOWN / NAME_UNKNOWN, or an OCI layout without that tag (or not yet written).
ABSENT_MARKERS = (
    "manifest unknown",
    "name unknown",
    "repository name not known to registry",
    "no descriptor found for reference",
    "index.json: no such file or directory",
)

# skopeo logs its fatal error as logrus does: time="..." level=fatal msg="..."
FATAL = re.compile(r'level=fatal msg="(?P<msg>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Destination:
    """One image reference (transport included), and the environments that run it."""

    reference: str
    environments: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.reference} ({', '.join(self.environments)})"


class Action(enum.StrEnum):
    COPY = "copy"  # the tag does not exist yet
    KEEP = "keep"  # the tag already holds this image: nothing to push


@dataclass(frozen=True)
class Remote:
    """What inspecting a destination found: its manifest digest, or that it has none, or why
    the registry could not be asked."""

    digest: str | None = None
    absent: bool = False
    error: str = ""


def source_reference(archive: Path) -> str:
    """The build's OCI archive, as skopeo names it (its index.json holds one image or list)."""
    return f"oci-archive:{archive}"


def registry_reference(image: str, version: str) -> str:
    return f"docker://{image}:{image_tag(version)}"


def destinations(
    environments: Mapping[str, KubernetesEnvironment],
    version: str,
    only: str | None = None,
    local: Sequence[str] = (),
) -> list[Destination]:
    """The image references a build of ``version`` is pushed to: every Kubernetes
    environment's repository (one push per repository, however many environments share it),
    or ``only``'s. ``local`` names the local environments, to refuse one by name."""
    if only is not None and only not in environments:
        if only in local:
            why = f"{only} is a local environment: its releases come from the artifact store"
        else:
            why = f"no environment {only} in [tool.shipway.environments]"
        allowed = ", ".join(sorted(environments)) or "none configured"
        raise ShipwayError(
            f"--env {only}: {why}; --env names a Kubernetes environment (target = "
            f'"kubernetes") whose image to push: {allowed}'
        )
    chosen = [only] if only is not None else sorted(environments)
    by_reference: dict[str, list[str]] = {}
    for name in chosen:
        reference = registry_reference(environments[name].image, version)
        by_reference.setdefault(reference, []).append(name)
    return [Destination(ref, tuple(names)) for ref, names in by_reference.items()]


def no_archive(name: str, version: str, wanted_by: Sequence[str]) -> str:
    return (
        f"the build of {name} {version} has no image (no image archive in its manifest), and "
        f"{', '.join(wanted_by)} runs one: build it with `inv build --image`, then `inv push`"
    )


def missing_tool() -> str:
    return f"{TOOL} is not installed (not on PATH); it copies the image to the registry: {INSTALL}"


def digest_of(raw_manifest: bytes) -> str:
    """A manifest's digest: the sha256 of its exact bytes, as a registry computes it."""
    return f"sha256:{hashlib.sha256(raw_manifest).hexdigest()}"


def reason(last_line: str) -> str:
    """skopeo's last line, less its log decoration: the message of a fatal error."""
    found = FATAL.search(last_line)
    if found is None:
        return last_line
    return re.sub(r"\\(.)", r"\1", found["msg"])


def is_absent(message: str) -> bool:
    lowered = message.lower()
    return any(marker in lowered for marker in ABSENT_MARKERS)


def decide(destination: Destination, local_digest: str, remote: Remote) -> Action:
    """Copy to a tag that does not exist, keep one that holds this image; refuse the rest."""
    if remote.error:
        raise ShipwayError(
            f"cannot read {destination.describe()} from its registry: {remote.error}. Check the "
            "address and network, and the login skopeo uses (`skopeo login HOST`, "
            "$REGISTRY_AUTH_FILE or ~/.docker/config.json)"
        )
    if remote.absent:
        return Action.COPY
    if remote.digest == local_digest:
        return Action.KEEP
    raise ShipwayError(
        f"{destination.describe()} already holds another image ({remote.digest}; this build's "
        f"is {local_digest}): a pushed tag never changes. Give this commit a new version (tag "
        "a new release), or remove that tag from the registry if it was pushed by mistake"
    )


def pushed(destination: Destination, local_digest: str, remote: Remote) -> str | None:
    """Why a finished copy is not what was meant (None: the tag holds this build's image)."""
    if remote.digest == local_digest:
        return None
    found = remote.digest or remote.error or "nothing"
    return (
        f"after copying to {destination.describe()} the tag holds {found}, not this build's "
        f"{local_digest}"
    )
