"""Resolve secret references at deploy time. Values are returned, never shown or stored."""

import os
from collections.abc import Mapping
from pathlib import Path

from shipway.errors import ShipwayError


def resolve(
    refs: Mapping[str, str], root: Path, environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    values = {}
    for name, ref in refs.items():
        kind, _, target = ref.partition(":")
        if kind == "env":
            if target not in environ:
                raise ShipwayError(f"secret {name} refers to {ref}, but ${target} is not set")
            values[name] = environ[target]
        else:
            path = root / Path(target).expanduser()
            try:
                values[name] = path.read_text(encoding="utf-8").rstrip("\n")
            except OSError as error:
                raise ShipwayError(
                    f"secret {name} refers to {ref}, which cannot be read ({error.strerror})"
                ) from None
    return values
