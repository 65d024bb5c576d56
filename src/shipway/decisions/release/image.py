"""Which container engine builds the service's image: the first usable of docker (with
buildx), podman and buildah, or a message saying why none can; and the image's tag, the one
``inv build --image`` gives it, ``inv push`` pushes and a Kubernetes pod runs."""

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from shipway.errors import ShipwayError

TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def image_tag(version: str) -> str:
    """The image tag of a version: '+' is not allowed in tags, it becomes '-'."""
    tag = version.replace("+", "-")
    if not TAG.match(tag):
        raise ShipwayError(
            f"version {version!r} cannot be an image tag; allowed: letters, digits, '_', '.', "
            "'-' and '+', at most 128 characters, not starting with '.' or '-'"
        )
    return tag


class Engine(enum.StrEnum):
    DOCKER = "docker"
    PODMAN = "podman"
    BUILDAH = "buildah"


@dataclass(frozen=True)
class EngineProbe:
    """What probing one engine found: installed, and able to build (daemon up, buildx there)."""

    engine: Engine
    installed: bool
    usable: bool
    detail: str = ""


def choose_engine(probes: Sequence[EngineProbe]) -> Engine:
    """The first usable engine (docker buildx, podman, buildah); else say why there is none."""
    for probe in probes:
        if probe.usable:
            return probe.engine
    found = [f"{p.engine}: {p.detail}" for p in probes if p.installed]
    why = "; ".join(found) if found else "none of docker, podman, buildah is installed"
    raise ShipwayError(
        f"no container engine can build the image ({why}). Install and start Docker with the "
        "buildx plugin, or podman or buildah; the wheel, sdist and manifest do not need one"
    )
