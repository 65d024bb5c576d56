"""A stand-in for ``nox.Session`` that records what a stage would run, for unit tests."""

from dataclasses import dataclass, field
from typing import cast

import nox


class SessionError(Exception):
    pass


@dataclass
class FakeVirtualenv:
    location: str


@dataclass
class FakeSession:
    python: str = "3.12"
    name: str = "tests-3.12"
    parallel: bool = False
    posargs: list[str] = field(default_factory=list)
    virtualenv: FakeVirtualenv = field(default_factory=lambda: FakeVirtualenv("/venv"))
    installs: list[list[str]] = field(default_factory=list)
    runs: list[tuple[list[str], dict[str, str]]] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)

    def run_install(self, *argv: str, env: dict[str, str], **_: object) -> None:
        assert env == {"UV_PROJECT_ENVIRONMENT": self.virtualenv.location}
        self.installs.append(list(argv))

    def run(self, *argv: str, env: dict[str, str] | None = None) -> None:
        self.runs.append((list(argv), env or {}))

    def error(self, message: str) -> None:
        raise SessionError(message)

    def log(self, message: str) -> None:
        self.logged.append(message)

    def as_session(self) -> nox.Session:
        return cast(nox.Session, self)

    def ran(self) -> list[list[str]]:
        return [argv for argv, _ in self.runs]
