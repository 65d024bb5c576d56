"""What every part of ``[tool.shipway]`` is built from: strict models and the value types
they share (durations, ports, names, paths)."""

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


PythonVersion = Annotated[str, StringConstraints(pattern=r"^3\.\d{1,2}$")]


_DURATION = re.compile(r"^(?P<number>\d+(\.\d+)?)\s*(?P<unit>ms|s|m|h|d)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> object:
    """'500ms', '30s', '2m', '1h', '30d' or a number, as seconds; anything else is left to fail."""
    if isinstance(value, str) and (match := _DURATION.match(value.strip())):
        return float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    return value


Seconds = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]
Port = Annotated[int, Field(ge=1, le=65535)]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
SecretRef = Annotated[str, StringConstraints(pattern=r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")]
# A distribution name as PEP 508 allows it: letters, digits and . _ - inside.
DistributionName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
]
EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}$")]


RelativePath = Annotated[str, StringConstraints(min_length=1)]


def inside_project(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError("must be a relative path inside the project (no '..')")
    return value


K = TypeVar("K", bound=str)


def over_defaults(value: object, defaults: Mapping[K, Mapping[str, object]]) -> object:
    """Configured profiles over ``defaults`` (a ``mode="before"`` validator's body): a
    configured profile changes only the keys it names, unnamed ones keep theirs, an unknown
    name is an error."""
    if not isinstance(value, dict):
        return value
    unknown = sorted(str(name) for name in value if name not in defaults)
    if unknown:
        raise ValueError(f"unknown profile {', '.join(unknown)}")
    merged: dict[object, object] = {name: dict(d) for name, d in defaults.items()}
    for name, overrides in value.items():
        base = defaults[name]
        merged[name] = {**base, **overrides} if isinstance(overrides, dict) else overrides
    return merged
