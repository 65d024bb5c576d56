"""The shape of ``[tool.shipway]``. Unknown keys are errors: a typo must not silently do nothing."""

import datetime
import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

PythonVersion = Annotated[str, StringConstraints(pattern=r"^3\.\d{1,2}$")]
AppReference = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerfGates(StrictModel):
    p95_ms: float = Field(
        default=500, gt=0, description="highest 95th-percentile response time, in ms (> 0)"
    )
    error_rate: float = Field(
        default=0.01, ge=0, le=1, description="highest fraction of failed requests (0-1)"
    )
    min_rps: float = Field(
        default=0, ge=0, description="lowest request rate, requests per second (>= 0)"
    )
    max_regression: float = Field(
        default=0.20,
        ge=0,
        description="largest change for the worse against the baseline, as a fraction (>= 0)",
    )
    regression_floor_ms: float = Field(
        default=5,
        ge=0,
        description="p95 increases up to this many ms are noise, never a regression (>= 0)",
    )


class Gates(StrictModel):
    coverage: float = Field(
        default=90, ge=0, le=100, description="minimum total coverage, in percent (0-100)"
    )
    perf: PerfGates = PerfGates()


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


_DURATION = re.compile(r"^(?P<number>\d+(\.\d+)?)\s*(?P<unit>ms|s|m|h)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(value: object) -> object:
    """'500ms', '30s', '2m', '1h' or a number, as seconds; anything else is left to fail."""
    if isinstance(value, str) and (match := _DURATION.match(value.strip())):
        return float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    return value


Seconds = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]
Port = Annotated[int, Field(ge=1, le=65535)]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
SecretRef = Annotated[str, StringConstraints(pattern=r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")]
EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}$")]


class SmokeCheck(StrictModel):
    path: str = Field(default="/health/detailed", pattern=r"^/", description="path to GET")
    status: int = Field(default=200, ge=100, le=599, description="expected HTTP status")
    expect_version: bool = Field(
        default=True, description="the JSON body's 'version' must be the version being deployed"
    )


class Hooks(StrictModel):
    pre_deploy: list[str] = Field(
        default=[], description="commands run before traffic moves; a failure aborts the deploy"
    )
    post_deploy: list[str] = Field(
        default=[], description="commands run after the old release stops"
    )


class CanaryStep(StrictModel):
    weight: int = Field(ge=1, le=99, description="percent of traffic the new release gets")
    pause: Seconds = Field(default=30.0, description="how long the step holds, under analysis")


DEFAULT_STEPS = [CanaryStep(weight=5), CanaryStep(weight=25), CanaryStep(weight=50)]


class Analysis(StrictModel):
    """Rules a new release must keep while it takes traffic; see decisions/deploy/analysis.py."""

    error_rate: float = Field(
        default=0.05, ge=0, le=1, description="highest share of 5xx answers in a window (0-1)"
    )
    p95_ms: float | None = Field(
        default=2000, gt=0, description="highest p95 latency in a window, ms (none: no rule)"
    )
    p99_ms: float | None = Field(
        default=None, gt=0, description="highest p99 latency in a window, ms (none: no rule)"
    )
    window: Seconds = Field(default=60.0, gt=0, description="span each measurement covers")
    interval: Seconds = Field(default=10.0, gt=0, description="time between measurements")
    min_requests: int = Field(
        default=20, ge=1, description="fewer requests in a window make it inconclusive"
    )
    health_failures: int = Field(
        default=3, ge=1, description="consecutive failed health checks (1 s apart) that fail"
    )
    failure_limit: int = Field(
        default=0, ge=0, description="failed measurements tolerated; one more rolls back"
    )
    consecutive_error_limit: int = Field(
        default=4, ge=0, description="metric-source errors in a row tolerated; one more fails"
    )
    inconclusive: Literal["pause", "fail"] = Field(
        default="pause", description="what too little data does: 'pause' (hold) or 'fail'"
    )
    max_pause: Seconds = Field(
        default=600.0, description="how long an inconclusive pause may hold before it fails"
    )
    compare_to_stable: bool = Field(
        default=True,
        description="a breach the stable release shows too is inconclusive, not the new one's",
    )


class Environment(StrictModel):
    target: Literal["local"] = Field(
        default="local", description="'local' (one host, no containers)"
    )
    host: str = Field(default="127.0.0.1", description="address the router listens on")
    port: Port = Field(description="port the router listens on: the environment's URL")
    admin_port: Port | None = Field(default=None, description="router admin port (default port+1)")
    release_ports: tuple[Port, Port] | None = Field(
        default=None, description="loopback ports of the two release slots (default port+2, +3)"
    )
    workers: int = Field(default=2, ge=1, le=64, description="worker processes per release")
    settings: dict[EnvVarName, str] = Field(default={}, description="environment of the service")
    secrets: dict[EnvVarName, SecretRef] = Field(
        default={}, description="variables resolved at deploy time from env:NAME or file:PATH"
    )
    strategy: Literal["blue-green", "canary"] = Field(
        default="blue-green", description="'blue-green' or 'canary'"
    )
    steps: list[CanaryStep] = Field(
        default=DEFAULT_STEPS,
        min_length=1,
        description="canary weights (1-99, rising) and pauses; promotion to 100 % follows",
    )
    analysis: Analysis = Field(
        default=Analysis(), description="rules checked during canary steps and after promotion"
    )
    approval: bool = Field(default=False, description="ask before deploying (--yes in scripts)")
    ready_timeout: Seconds = Field(
        default=30.0, description="how long a release may take to be ready"
    )
    scale_down_delay: Seconds = Field(
        default=30.0, description="how long the old release stays warm after the switch"
    )
    smoke: list[SmokeCheck] = Field(
        default=[SmokeCheck()], description="checks of the new release before traffic moves"
    )
    hooks: Hooks = Hooks()
    notify: str | None = Field(
        default=None, description="Slack-compatible webhook URL, or env:NAME / file:PATH holding it"
    )
    keep_releases: int = Field(default=3, ge=2, le=100, description="installed releases to keep")
    state_dir: str | None = Field(
        default=None,
        description="where releases, state and logs live (default .shipway/state/<env>)",
    )
    python: str | None = Field(
        default=None, description="interpreter for release environments (default: shipway's own)"
    )

    @field_validator("notify")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("http://", "https://", "env:", "file:")):
            return value
        raise ValueError("not an http(s) URL, env:NAME or file:PATH")

    @field_validator("steps")
    @classmethod
    def _rising(cls, steps: list[CanaryStep]) -> list[CanaryStep]:
        weights = [step.weight for step in steps]
        if weights != sorted(set(weights)):
            raise ValueError(f"weights must rise step by step, got {weights}")
        return steps

    @model_validator(mode="after")
    def _distinct_ports(self) -> "Environment":
        if len(set(self.ports)) != len(self.ports):
            raise ValueError(f"ports must all differ, got {', '.join(map(str, self.ports))}")
        return self

    @property
    def router_admin_port(self) -> int:
        return self.admin_port or self.port + 1

    @property
    def slot_ports(self) -> tuple[int, int]:
        return self.release_ports or (self.port + 2, self.port + 3)

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, self.router_admin_port, *self.slot_ports)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


ProfileName = Literal["load", "stress", "spike", "soak"]
PositiveSeconds = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]


class LoadProfile(StrictModel):
    users: int = Field(ge=1, le=100_000, description="simulated users (Locust --users)")
    spawn_rate: float = Field(gt=0, description="users started per second (Locust --spawn-rate)")
    duration: PositiveSeconds = Field(description="how long the load runs: '20s', '5m', '1h'")
    processes: int | Literal["auto"] = Field(
        default="auto",
        description="Locust worker processes, >= 1, or 'auto' (one per two cores, at least 1)",
    )

    @field_validator("processes")
    @classmethod
    def _at_least_one(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1 (or 'auto')")
        return value


# What each profile means when pyproject.toml does not say otherwise: `load` is short enough
# for every CI run; the others are for a deliberate look at the service's limits.
DEFAULT_PROFILES: dict[ProfileName, dict[str, object]] = {
    "load": {"users": 20, "spawn_rate": 10, "duration": 20},
    "stress": {"users": 200, "spawn_rate": 20, "duration": 60},
    "spike": {"users": 300, "spawn_rate": 300, "duration": 30},
    "soak": {"users": 30, "spawn_rate": 5, "duration": 1800},
}


class Perf(StrictModel):
    environment: EnvironmentName = Field(
        default="perf", description="environment `nox -s perf` deploys to and stops afterwards"
    )
    profile: ProfileName = Field(
        default="load", description="profile without --profile: load, stress, spike or soak"
    )
    profiles: dict[ProfileName, LoadProfile] = Field(
        default_factory=lambda: _default_profiles(),
        description="load, stress, spike or soak, each: users, spawn_rate, duration, processes",
    )
    locustfile: str = Field(
        default="locust/locustfile.py", description="the Locust file, relative to pyproject.toml"
    )
    baseline: str = Field(
        default="benchmarks/perf-baseline.json",
        description="stored baseline the run compares itself with (--update-baseline writes it)",
    )
    reports: str = Field(default="reports/perf", description="directory of the stage's reports")
    state_dir: str = Field(
        default=".shipway/perf",
        description="run history (runs.jsonl) and the running load generator's pid",
    )

    @field_validator("profiles", mode="before")
    @classmethod
    def _over_defaults(cls, value: object) -> object:
        """A configured profile changes only the keys it names; unnamed profiles keep theirs."""
        if not isinstance(value, dict):
            return value
        unknown = sorted(str(name) for name in value if name not in DEFAULT_PROFILES)
        if unknown:
            raise ValueError(f"unknown profile {', '.join(unknown)}")
        merged: dict[object, object] = {name: dict(d) for name, d in DEFAULT_PROFILES.items()}
        for name, overrides in value.items():
            base = DEFAULT_PROFILES[name]
            merged[name] = {**base, **overrides} if isinstance(overrides, dict) else overrides
        return merged


def _default_profiles() -> dict[ProfileName, LoadProfile]:
    return {
        name: LoadProfile.model_validate(settings) for name, settings in DEFAULT_PROFILES.items()
    }


RelativePath = Annotated[str, StringConstraints(min_length=1)]


def _inside_project(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError("must be a relative path inside the project (no '..')")
    return value


class Tiers(StrictModel):
    """The test tiers: unit tests on every interpreter, integration tests once."""

    unit: list[RelativePath] = Field(
        default=["tests/unit"],
        description="test paths run on every Python of `python` (tests-X.Y sessions)",
    )
    integration: list[RelativePath] = Field(
        default=["tests/integration", "tests/e2e"],
        description="test paths run once, on integration_python (the integration session)",
    )
    integration_python: PythonVersion | None = Field(
        default=None, description="Python of the integration session (default: newest of python)"
    )
    workers: int | Literal["auto"] = Field(
        default="auto",
        description="pytest-xdist processes of the integration session: >= 1, or 'auto'",
    )

    @field_validator("unit", "integration")
    @classmethod
    def _paths_inside_project(cls, paths: list[str]) -> list[str]:
        return [_inside_project(path) for path in paths]

    @field_validator("workers")
    @classmethod
    def _at_least_one_worker(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1 (or 'auto')")
        return value

    @model_validator(mode="after")
    def _tiers_do_not_overlap(self) -> "Tiers":
        for unit in self.unit:
            for integration in self.integration:
                a, b = PurePosixPath(unit), PurePosixPath(integration)
                if a.is_relative_to(b) or b.is_relative_to(a):
                    raise ValueError(
                        f"unit path {unit!r} and integration path {integration!r} overlap: "
                        "each test belongs to one tier (integration = [] for none)"
                    )
        return self


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
    environments: dict[EnvironmentName, Environment] = Field(
        default={}, description="deploy targets by name: dev, staging, prod, ..."
    )
    perf: Perf = Perf()
    tests: Tiers = Tiers()

    @property
    def integration_python(self) -> str:
        """The configured one, else the newest Python of the matrix."""
        newest = max(self.python, key=lambda version: tuple(map(int, version.split("."))))
        return self.tests.integration_python or newest

    @model_validator(mode="after")
    def _environments_do_not_share_ports(self) -> "ShipwayConfig":
        owner: dict[int, str] = {}
        for name, environment in self.environments.items():
            for port in environment.ports:
                if port in owner:
                    raise ValueError(f"environments {owner[port]} and {name} both use port {port}")
                owner[port] = name
        return self

    @field_validator("service")
    @classmethod
    def _relative_inside_project(cls, value: str) -> str:
        return _inside_project(value)

    @field_validator("python")
    @classmethod
    def _unique(cls, versions: list[str]) -> list[str]:
        duplicates = sorted({v for v in versions if versions.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once")
        return versions
