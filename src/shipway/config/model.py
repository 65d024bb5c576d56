"""The shape of ``[tool.shipway]``. Unknown keys are errors: a typo must not silently do nothing."""

from pathlib import PurePosixPath
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shipway.config.app import EntryPoint, ServerChoice
from shipway.config.dast import Dast
from shipway.config.deploy import Environment
from shipway.config.fields import (
    DistributionName,
    EnvironmentName,
    PythonVersion,
    RelativePath,
    StrictModel,
    inside_project,
)
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.config.perf import Perf, PerfGates
from shipway.config.release import Artifacts
from shipway.config.security import Security


class Gates(StrictModel):
    coverage: float = Field(
        default=90, ge=0, le=100, description="minimum total coverage, in percent (0-100)"
    )
    perf: PerfGates = PerfGates()


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
    def _pathsinside_project(cls, paths: list[str]) -> list[str]:
        return [inside_project(path) for path in paths]

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
    name: DistributionName | None = Field(
        default=None,
        description="artifact name of a service whose own files name none (no [project] name, "
        "no setup.cfg name); default: the service directory's name",
    )
    app: EntryPoint | None = Field(
        default=None,
        description="WSGI or ASGI entry point: 'module:attribute' or 'module:factory(...)'",
    )
    server: ServerChoice = Field(
        default="auto",
        description="'wsgi', 'asgi', or 'auto' (found by importing the app in the release)",
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
    kubernetes: dict[EnvironmentName, KubernetesEnvironment] = Field(
        default={},
        description='the environments with target = "kubernetes" (written among environments)',
    )
    perf: Perf = Perf()
    dast: Dast = Dast()
    tests: Tiers = Tiers()

    @property
    def integration_python(self) -> str:
        """The configured one, else the newest Python of the matrix."""
        newest = max(self.python, key=lambda version: tuple(map(int, version.split("."))))
        return self.tests.integration_python or newest

    @model_validator(mode="before")
    @classmethod
    def _kubernetes_environments_apart(cls, data: object) -> object:
        """``[tool.shipway.environments.<name>]`` with ``target = "kubernetes"`` is read into
        ``kubernetes``: the local target's code never meets one."""
        if not isinstance(data, dict):
            return data
        if "kubernetes" in data:
            raise ValueError(
                "kubernetes: write a Kubernetes environment as [tool.shipway.environments.<name>] "
                'with target = "kubernetes"'
            )
        environments = data.get("environments")
        if not isinstance(environments, dict):
            return data
        kubernetes = {
            name: table
            for name, table in environments.items()
            if isinstance(table, dict) and table.get("target") == "kubernetes"
        }
        local = {name: table for name, table in environments.items() if name not in kubernetes}
        return {**data, "environments": local, "kubernetes": kubernetes}

    @property
    def environment_names(self) -> list[str]:
        """Every environment, local or Kubernetes, sorted."""
        return sorted([*self.environments, *self.kubernetes])

    @model_validator(mode="after")
    def _environments_do_not_share_ports(self) -> "ShipwayConfig":
        owner: dict[int, str] = {}
        for name, environment in self.environments.items():
            for port in environment.ports:
                if port in owner:
                    raise ValueError(f"environments {owner[port]} and {name} both use port {port}")
                owner[port] = name
        return self

    @model_validator(mode="after")
    def _kubernetes_environments_apart_in_the_cluster(self) -> "ShipwayConfig":
        """Object names come from the service's name alone: two environments in one namespace
        of one cluster would overwrite each other's objects."""
        owner: dict[tuple[str | None, str], str] = {}
        for name, environment in sorted(self.kubernetes.items()):
            where = (environment.context, environment.namespace)
            if where in owner:
                raise ValueError(
                    f"environments {owner[where]} and {name} both deploy to namespace "
                    f"{environment.namespace!r} of the same cluster (context "
                    f"{environment.context or 'the current one'}), where their objects would "
                    "share names; allowed: a namespace (or context) of their own"
                )
            owner[where] = name
        return self

    @model_validator(mode="after")
    def _perf_deploys_unattended(self) -> "ShipwayConfig":
        name = self.perf.environment
        environment = self.environments.get(name)
        if environment is not None and environment.holds:
            raise ValueError(
                f'perf.environment = "{name}" waits for `inv promote` (a pause = "manual"), '
                "but nox -s perf deploys it unattended and nobody would promote; allowed: an "
                "environment without a manual pause"
            )
        return self

    @field_validator("service")
    @classmethod
    def _relativeinside_project(cls, value: str) -> str:
        return inside_project(value)

    @field_validator("python")
    @classmethod
    def _unique(cls, versions: list[str]) -> list[str]:
        duplicates = sorted({v for v in versions if versions.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once")
        return versions
