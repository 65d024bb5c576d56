"""The shape of ``[tool.shipway]``. Unknown keys are errors: a typo must not silently do nothing."""

import datetime
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

PythonVersion = Annotated[str, StringConstraints(pattern=r"^3\.\d{1,2}$")]
AppReference = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Gates(StrictModel):
    coverage: float = Field(
        default=90, ge=0, le=100, description="minimum total coverage, in percent (0-100)"
    )


Severity = Literal["critical", "high", "medium", "low"]

# Permissive and weak-copyleft-free licenses most teams ship without legal review.
DEFAULT_ALLOWED_LICENSES = [
    "0BSD",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "MIT",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
]


class AllowedFinding(StrictModel):
    id: str = Field(min_length=1, description="rule or advisory id (aliases match too)")
    reason: str = Field(min_length=1, description="why this finding is accepted")
    expires: datetime.date = Field(description="date after which the entry stops suppressing")
    path: str | None = Field(default=None, description="glob the finding's path must match")


class Security(StrictModel):
    fail_on: Severity = Field(
        default="high", description="lowest severity that fails: critical, high, medium or low"
    )
    on_unavailable: Literal["fail", "warn"] = Field(
        default="fail", description="what an audit that could not look does: 'fail' or 'warn'"
    )
    advisory_source: str = Field(
        default="osv",
        description="'osv', 'pypi', or the http(s) URL of an OSV-compatible /v1/query endpoint",
    )
    allowed_licenses: list[str] = Field(
        default=DEFAULT_ALLOWED_LICENSES,
        description="SPDX ids (or exact license names) runtime dependencies may use",
    )
    license_severity: Severity = Field(
        default="high", description="severity of an unknown or disallowed license"
    )
    allow: list[AllowedFinding] = Field(
        default=[], description="accepted findings: id, reason, expires, optional path"
    )

    @field_validator("advisory_source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value in ("osv", "pypi") or value.startswith(("http://", "https://")):
            return value
        raise ValueError("not 'osv', 'pypi' or an http(s) URL")


class ShipwayConfig(StrictModel):
    service: str = Field(
        default=".", description="path of the service project, relative to pyproject.toml"
    )
    app: AppReference | None = Field(
        default=None, description="ASGI entry point of the service, 'module:attribute'"
    )
    python: list[PythonVersion] = Field(
        default=["3.11", "3.12", "3.13"],
        min_length=1,
        description="Python versions of the test matrix, as 'X.Y'",
    )
    gates: Gates = Gates()
    security: Security = Security()

    @field_validator("service")
    @classmethod
    def _relative_inside_project(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a relative path inside the project (no '..')")
        return value

    @field_validator("python")
    @classmethod
    def _unique(cls, versions: list[str]) -> list[str]:
        duplicates = sorted({v for v in versions if versions.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once")
        return versions
