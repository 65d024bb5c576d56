"""``[tool.shipway.environments.<name>]``: where and how a release is deployed."""

import itertools
import math
from pathlib import PurePosixPath
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, field_validator, model_validator

from shipway.config.fields import (
    EnvVarName,
    Port,
    RelativePath,
    Seconds,
    SecretRef,
    StrictModel,
    parse_duration,
)

# Headers the router or HTTP itself sets: naming the release in one would break answers.
HTTP_OWN_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "date",
        "server",
        "upgrade",
        "keep-alive",
        "te",
        "trailer",
        "location",
        "set-cookie",
        "via",
    }
)
ANY_ANSWER = "/"  # the default ready path: a release that answers at all (below 500) is ready
RELEASE_HEADER = "x-shipway-release"
HEADER_NAME = r"^[a-z0-9!#$%&'*+.^_`|~-]+$"  # an HTTP token (RFC 9110), lowercase


class SmokeCheck(StrictModel):
    path: str = Field(default="/health/detailed", pattern=r"^/", description="path to GET")
    status: int | None = Field(
        default=200, ge=100, le=599, description="expected HTTP status (none: any below 500)"
    )
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


MANUAL = "manual"  # a pause that holds until `inv promote` (or `inv abort`)


def _pause(value: object) -> object:
    """A duration in seconds, or 'manual'; anything else is one clear error, not one per
    member of the union."""
    if value == MANUAL:
        return value
    seconds = parse_duration(value)
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        return float(seconds)
    raise ValueError("not a duration ('500ms', '30s', '2m', '1h') or 'manual'")


Pause = Annotated[float | Literal["manual"], BeforeValidator(_pause)]


class CanaryStep(StrictModel):
    weight: int = Field(ge=1, le=99, description="percent of traffic the new release gets")
    pause: Pause = Field(
        default=30.0,
        description="how long the step holds, under analysis: a duration ('30s', '2m'), or "
        "'manual': until `inv promote`",
    )

    @property
    def manual(self) -> bool:
        return self.pause == MANUAL

    @property
    def seconds(self) -> float:
        """How long the step holds on its own: a manual pause, for ever."""
        return math.inf if isinstance(self.pause, str) else self.pause


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


class Tls(StrictModel):
    """The certificate the router serves HTTPS with. Each is a reference (env:NAME or
    file:PATH, relative to pyproject.toml), read at deploy time and checked before anything
    changes; the key is never shown, and stored only in the router's own 0600 secret file."""

    cert: SecretRef = Field(description="the certificate chain (PEM), server certificate first")
    key: SecretRef = Field(description="the certificate's private key (PEM, unencrypted)")
    ca: SecretRef | None = Field(
        default=None,
        description="CA certificates (PEM) that shipway's probes and the perf stage trust the "
        "router by (default: the certificate chain itself)",
    )


class Delivery(StrictModel):
    """What every environment says of its releases, whatever runs them (this host, or
    Kubernetes with Argo Rollouts): their settings, the strategy, steps and analysis rules,
    the approval and the notifications."""

    settings: dict[EnvVarName, str] = Field(default={}, description="environment of the service")
    strategy: Literal["blue-green", "canary"] = Field(
        default="blue-green", description="'blue-green' or 'canary'"
    )
    steps: list[CanaryStep] = Field(
        default=DEFAULT_STEPS,
        min_length=1,
        description="canary weights (1-99, rising) and pauses; promotion to 100 % follows",
    )
    pause: Literal["manual"] | None = Field(
        default=None,
        description="blue-green: 'manual' holds the deploy before the switch, once the new "
        "release passed its checks, until `inv promote` (none: switch at once)",
    )
    analysis: Analysis = Field(
        default=Analysis(), description="rules checked during canary steps and after promotion"
    )
    approval: bool = Field(default=False, description="ask before deploying (--yes in scripts)")
    ready_path: str = Field(
        default="/",
        pattern=r"^/",
        description="a path starting with '/' where a release is ready: on '/' when it answers "
        "below 500, on another path when it answers 2xx",
    )
    notify: str | None = Field(
        default=None, description="Slack-compatible webhook URL, or env:NAME / file:PATH holding it"
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
    def _manual_pause_fits_the_strategy(self) -> Self:
        if self.pause == MANUAL and self.strategy == "canary":
            raise ValueError(
                'pause = "manual" holds a blue-green deploy before its switch; a canary holds '
                'at a step instead: steps = [{ weight = 20, pause = "manual" }, ...]'
            )
        manual = [i for i, step in enumerate(self.steps) if step.manual]
        if manual and self.strategy == "blue-green":
            raise ValueError(
                f'steps[{manual[0]}].pause = "manual": steps are a canary\'s, and a '
                'blue-green deploy never runs them; allowed: strategy = "canary", or '
                'pause = "manual" to hold a blue-green deploy before its switch'
            )
        return self

    @property
    def holds(self) -> bool:
        """A deploy of this environment may wait for `inv promote` (a manual pause)."""
        return self.pause == MANUAL or (
            self.strategy == "canary" and any(step.manual for step in self.steps)
        )


class Environment(Delivery):
    target: Literal["local"] = Field(
        default="local", description="'local' (one host, no containers)"
    )
    host: str = Field(default="127.0.0.1", description="address the router listens on")
    port: Port = Field(description="port the router listens on: the environment's URL")
    tls: Tls | None = Field(
        default=None,
        description="{ cert, key, ca? }: the router serves HTTPS on port with this certificate",
    )
    http_redirect_port: Port | None = Field(
        default=None,
        description="with tls: a port where the router answers 301 to the https:// URL",
    )
    preview_port: Port | None = Field(
        default=None,
        description="a port of its own where the router answers from the release being "
        "deployed, before it takes traffic (same host, TLS and release header as port)",
    )
    release_ports: tuple[Port, Port] | None = Field(
        default=None, description="loopback ports of the two release slots (default port+2, +3)"
    )
    workers: int = Field(default=2, ge=1, le=64, description="worker processes per release")
    threads: int = Field(
        default=4, ge=1, le=256, description="threads per worker of a WSGI app (ASGI: unused)"
    )
    secrets: dict[EnvVarName, SecretRef] = Field(
        default={}, description="variables resolved at deploy time from env:NAME or file:PATH"
    )

    @field_validator("secrets", mode="before")
    @classmethod
    def _no_kubernetes_secrets(cls, value: object) -> object:
        if isinstance(value, dict):
            for name, ref in value.items():
                if isinstance(ref, str) and ref.startswith("k8s:"):
                    raise ValueError(
                        f"{name} = {ref!r} names a Kubernetes Secret, which only an environment "
                        'with target = "kubernetes" reads; allowed here: env:NAME or file:PATH'
                    )
        return value

    ready_timeout: Seconds = Field(
        default=30.0, description="how long a release may take to be ready"
    )
    release_header: str = Field(
        default=RELEASE_HEADER,
        pattern=HEADER_NAME,
        description="a lowercase HTTP header name: the router adds it to every answer, "
        "naming the version of the release that answered",
    )
    scale_down_delay: Seconds | Literal["never"] = Field(
        default=30.0,
        description="how long the old release stays warm after the switch; 'never': until the "
        "next deploy, so `inv rollback` is a router switch at any time",
    )
    smoke: list[SmokeCheck] | None = Field(
        default=None,
        description="checks of the new release before traffic moves (default: GET ready_path)",
    )
    hooks: Hooks = Hooks()
    shared_paths: list[RelativePath] = Field(
        default=[],
        description="paths in each release's directory (e.g. '.venv/var', 'media') that all "
        "point to one directory of the environment, kept across deploys",
    )
    keep_releases: int = Field(default=3, ge=2, le=100, description="installed releases to keep")
    state_dir: str | None = Field(
        default=None,
        description="where releases, state and logs live (default .shipway/state/<env>)",
    )
    python: str | None = Field(
        default=None, description="interpreter for release environments (default: shipway's own)"
    )

    @field_validator("shared_paths")
    @classmethod
    def _inside_the_release(cls, paths: list[str]) -> list[str]:
        parsed = [PurePosixPath(path) for path in paths]
        for path in parsed:
            if path.is_absolute() or ".." in path.parts or path == PurePosixPath("."):
                raise ValueError(f"{path}: not a path inside the release's directory (no '..')")
        for a, b in itertools.combinations(parsed, 2):
            if a.is_relative_to(b) or b.is_relative_to(a):
                raise ValueError(f"{a} and {b} overlap: each shared path is its own directory")
        return paths

    @field_validator("release_header")
    @classmethod
    def _not_a_header_http_needs(cls, value: str) -> str:
        if value in HTTP_OWN_HEADERS:
            raise ValueError(f"{value} is a header HTTP itself needs; choose another name")
        return value

    @model_validator(mode="before")
    @classmethod
    def _no_admin_port(cls, data: object) -> object:
        if isinstance(data, dict) and "admin_port" in data:
            raise ValueError(
                "admin_port is gone: the router's admin API is a Unix socket in the state "
                "directory now, open to its owner alone; remove admin_port"
            )
        return data

    @model_validator(mode="after")
    def _redirect_to_tls(self) -> "Environment":
        if self.http_redirect_port is not None and self.tls is None:
            raise ValueError("http_redirect_port redirects to HTTPS: it needs tls = { cert, key }")
        return self

    @model_validator(mode="after")
    def _preview_port_of_its_own(self) -> "Environment":
        taken = {self.port: "port", **dict.fromkeys(self.slot_ports, "release_ports")}
        if self.http_redirect_port is not None:
            taken[self.http_redirect_port] = "http_redirect_port"
        if self.preview_port in taken:
            others = ", ".join(f"{key} {port}" for port, key in taken.items())
            raise ValueError(
                f"preview_port = {self.preview_port} is already this environment's "
                f"{taken[self.preview_port]}; allowed: a port of its own, not one of {others}"
            )
        return self

    @model_validator(mode="after")
    def _distinct_ports(self) -> "Environment":
        if len(set(self.ports)) != len(self.ports):
            raise ValueError(f"ports must all differ, got {', '.join(map(str, self.ports))}")
        return self

    @property
    def smoke_checks(self) -> list[SmokeCheck]:
        """The configured checks, else one GET of ``ready_path`` under the readiness rule."""
        if self.smoke is not None:
            return self.smoke
        status = None if self.ready_path == ANY_ANSWER else 200
        return [SmokeCheck(path=self.ready_path, status=status, expect_version=False)]

    @property
    def keeps_previous(self) -> bool:
        """The previous release stays warm until the next deploy."""
        return self.scale_down_delay == "never"

    @property
    def warm_window(self) -> float:
        """How long a deploy watches its release with the previous one warm: the scale-down
        delay, or with 'never' one analysis window (the previous release stays after it)."""
        if isinstance(self.scale_down_delay, str):
            return self.analysis.window
        return self.scale_down_delay

    @property
    def slot_ports(self) -> tuple[int, int]:
        return self.release_ports or (self.port + 2, self.port + 3)

    @property
    def ports(self) -> tuple[int, ...]:
        redirect = () if self.http_redirect_port is None else (self.http_redirect_port,)
        preview = () if self.preview_port is None else (self.preview_port,)
        return (self.port, *self.slot_ports, *redirect, *preview)

    @property
    def scheme(self) -> Literal["http", "https"]:
        return "http" if self.tls is None else "https"

    @property
    def url(self) -> str:
        return self._url(self.port)

    @property
    def preview_url(self) -> str | None:
        """Where the release being deployed answers before it takes traffic."""
        return None if self.preview_port is None else self._url(self.preview_port)

    def _url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{port}"
