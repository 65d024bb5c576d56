"""What a built wheel says about itself: its METADATA file (core metadata, RFC 822 headers)."""

import re
from dataclasses import dataclass
from email.parser import HeaderParser

from shipway.errors import ShipwayError

_METADATA = re.compile(r"^[^/]+\.dist-info/METADATA$")


@dataclass(frozen=True)
class WheelMetadata:
    name: str
    version: str
    requires_python: str | None


def metadata_path(names: list[str]) -> str | None:
    """The METADATA member among a wheel's file names."""
    return next((name for name in names if _METADATA.match(name)), None)


def parse_metadata(text: str, source: str) -> WheelMetadata:
    headers = HeaderParser().parsestr(text)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise ShipwayError(f"{source}: its METADATA has no Name or no Version")
    return WheelMetadata(name.strip(), version.strip(), _stripped(headers.get("Requires-Python")))


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else None
