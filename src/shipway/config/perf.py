"""``[tool.shipway.perf]`` and ``[tool.shipway.gates.perf]``: load profiles and SLO gates."""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from shipway.config.fields import EnvironmentName, StrictModel, over_defaults, parse_duration


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


ProfileName = Literal["load", "stress", "spike", "soak"]
PositiveSeconds = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
UrlPath = Annotated[str, Field(pattern=r"^/")]


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
    locustfile: str | None = Field(
        default=None,
        description="a Locust file, relative to pyproject.toml; none: shipway's built-in user, "
        "which GETs `paths` in turn",
    )
    paths: list[UrlPath] | None = Field(
        default=None,
        min_length=1,
        description="URL paths, each starting with '/', that the built-in user loads evenly "
        "(a locustfile finds them in SHIPWAY_PERF_PATHS); default: the perf environment's "
        "ready_path",
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

    @field_validator("paths")
    @classmethod
    def _each_once(cls, paths: list[str] | None) -> list[str] | None:
        repeated = sorted({path for path in paths if paths.count(path) > 1}) if paths else []
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return paths

    @field_validator("profiles", mode="before")
    @classmethod
    def _over_defaults(cls, value: object) -> object:
        """A configured profile changes only the keys it names; unnamed profiles keep theirs."""
        return over_defaults(value, DEFAULT_PROFILES)


def _default_profiles() -> dict[ProfileName, LoadProfile]:
    return {
        name: LoadProfile.model_validate(settings) for name, settings in DEFAULT_PROFILES.items()
    }
