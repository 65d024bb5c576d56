"""``[tool.shipway.security]``: the security stage's gate, allowlist and licenses."""

import datetime
from typing import Literal

from pydantic import Field, field_validator

from shipway.config.fields import StrictModel

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
