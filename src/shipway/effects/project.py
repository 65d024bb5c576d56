"""Load the project's configuration before any session or task does work."""

from pathlib import Path

from shipway.config import ConfigError, Project, load_project
from shipway.effects.console import error

EXIT_BAD_CONFIG = 2


def load_or_exit(root: Path) -> Project:
    """The validated project; on invalid configuration, one short message and exit status 2."""
    try:
        return load_project(root)
    except ConfigError as problem:
        error(str(problem))
        raise SystemExit(EXIT_BAD_CONFIG) from None
