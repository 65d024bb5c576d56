"""Layer 1: ``[tool.shipway]`` read once and validated into typed objects."""

from shipway.config.load import ConfigError, Project, load_project
from shipway.config.model import Gates, ShipwayConfig

__all__ = ["ConfigError", "Gates", "Project", "ShipwayConfig", "load_project"]
