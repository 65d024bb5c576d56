"""The shape of ``[tool.shipway]``. Unknown keys are errors: a typo must not silently do nothing."""

from pathlib import PurePosixPath
from typing import Annotated

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
