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


class Artifacts(StrictModel):
    store: str = Field(
        default=".shipway/artifacts",
        description="directory of the artifact store, relative to pyproject.toml or absolute",
    )
    publish_url: str | None = Field(
        default=None,
        description="upload URL of a PyPI-compatible index that `inv push` also publishes to",
    )
    index_url: str | None = Field(
        default=None,
        description="simple-API URL of that index, to skip files it has and to fetch from it",
    )
    signing_key: str | None = Field(
        default=None, description="SSH private key that signs manifests (ssh-keygen -Y sign)"
    )
    allowed_signers: str | None = Field(
        default=None, description="allowed_signers file that verifies manifest signatures"
    )
    signer: str = Field(
        default="shipway", min_length=1, description="principal of the signer in allowed_signers"
    )
    require_signature: bool = Field(
        default=False, description="refuse artifacts without a valid manifest signature"
    )
    dockerfile: str = Field(
        default="deploy/Dockerfile", description="Dockerfile of the service's image"
    )
    platforms: list[str] = Field(
        default=["linux/amd64", "linux/arm64"],
        min_length=1,
        description="platforms of the container image, e.g. 'linux/amd64'",
    )

    @field_validator("publish_url", "index_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("http://", "https://")):
            return value
        raise ValueError("not an http(s) URL")

    @field_validator("platforms")
    @classmethod
    def _os_arch(cls, platforms: list[str]) -> list[str]:
        bad = [p for p in platforms if p.count("/") not in (1, 2) or " " in p]
        if bad:
            raise ValueError(f"{', '.join(bad)} not in the form os/arch[/variant]")
        return platforms


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
    artifacts: Artifacts = Artifacts()

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
