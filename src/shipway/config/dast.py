"""``[tool.shipway.dast]``: what `nox -s dast` scans, how long, with which credentials, and the
gate its findings go through (the security stage's: ``fail_on``, an allowlist that expires)."""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from shipway.config.fields import EnvironmentName, StrictModel, over_defaults, parse_duration
from shipway.config.security import AllowedFinding, Severity

DastProfileName = Literal["quick", "full"]
Seconds = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]

# Where a service usually publishes its OpenAPI schema, tried in this order.
SCHEMA_PATHS = (
    "/openapi.json",
    "/openapi.yaml",
    "/swagger.json",
    "/api/openapi.json",
    "/docs/openapi.json",
    "/v3/api-docs",
)
WAPITI_MODULES = ["http_headers", "cookieflags", "xss", "sql", "exec", "file", "redirect", "csrf"]


class DastProfile(StrictModel):
    max_examples: int = Field(
        ge=1, le=10_000, description="schemathesis: generated cases per API operation"
    )
    api_time: Seconds | None = Field(
        default=None,
        description="schemathesis: fuzz again and again for this long (--max-time); none: "
        "one pass of max_examples per operation",
    )
    scan_time: Seconds = Field(description="wapiti: time budget of the whole crawl and attack")
    attack_time: Seconds = Field(description="wapiti: time budget of each attack module")
    depth: int = Field(ge=1, le=50, description="wapiti: crawl depth from the start page")
    max_links_per_page: int = Field(ge=1, description="wapiti: links followed from one page")
    modules: list[str] = Field(
        min_length=1, description="wapiti attack modules (`wapiti --list-modules`)"
    )


# `quick` keeps the reference service's stage well under three minutes; `full` is for a
# deliberate look, e.g. nightly.
DEFAULT_PROFILES: dict[DastProfileName, dict[str, object]] = {
    "quick": {
        "max_examples": 25,
        "api_time": None,
        "scan_time": 90,
        "attack_time": 20,
        "depth": 3,
        "max_links_per_page": 50,
        "modules": WAPITI_MODULES,
    },
    "full": {
        "max_examples": 200,
        "api_time": 300,
        "scan_time": 1800,
        "attack_time": 300,
        "depth": 10,
        "max_links_per_page": 200,
        "modules": [*WAPITI_MODULES, "ssrf", "crlf", "permanentxss", "backup", "htaccess"],
    },
}


class DastAuth(StrictModel):
    header: str = Field(
        min_length=1,
        pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
        description="name of the header every scan request carries, e.g. Authorization",
    )
    value: str = Field(
        pattern=r"^(env|file):.+",
        description="its value, as a reference: env:NAME or file:PATH (never the value itself)",
    )


class Dast(StrictModel):
    environment: EnvironmentName = Field(
        default="staging", description="environment scanned without --environment or --host"
    )
    openapi: str | None = Field(
        default=None,
        description="the OpenAPI schema: a URL path ('/openapi.json') or http(s) URL; none: "
        "looked for at the usual paths (/openapi.json, /swagger.json, ...)",
    )
    start: str = Field(
        default="/", pattern=r"^/", description="URL path the crawling scan starts from"
    )
    auth: DastAuth | None = Field(
        default=None, description="a header sent with every request: header, value (a reference)"
    )
    fail_on: Severity = Field(
        default="high", description="lowest severity that fails: critical, high, medium or low"
    )
    allow: list[AllowedFinding] = Field(
        default=[],
        description="accepted findings: id (ST101, 'SQL Injection', ...), reason, expires, "
        "optional path ('POST /api/*')",
    )
    exclude_checks: list[str] = Field(
        default=[], description="schemathesis checks not run (`st run --help`: --exclude-checks)"
    )
    profile: DastProfileName = Field(
        default="quick", description="profile without --profile: quick or full"
    )
    profiles: dict[DastProfileName, DastProfile] = Field(
        default_factory=lambda: _default_profiles(),
        description="quick or full, each: max_examples, api_time, scan_time, attack_time, "
        "depth, max_links_per_page, modules",
    )
    reports: str = Field(default="reports/dast", description="directory of the stage's reports")

    @field_validator("openapi")
    @classmethod
    def _path_or_url(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("/", "http://", "https://")):
            return value
        raise ValueError("not a URL path starting with '/' or an http(s) URL")

    @field_validator("profiles", mode="before")
    @classmethod
    def _over_defaults(cls, value: object) -> object:
        """A configured profile changes only the keys it names."""
        return over_defaults(value, DEFAULT_PROFILES)


def _default_profiles() -> dict[DastProfileName, DastProfile]:
    return {name: DastProfile.model_validate(d) for name, d in DEFAULT_PROFILES.items()}
