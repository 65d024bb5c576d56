"""Layer 1: ``[tool.shipway]`` read once and validated into typed objects."""

from shipway.config.load import ConfigError, Project, load_project
from shipway.config.model import Gates, ShipwayConfig
from shipway.config.service import ServicePackage

__all__ = ["ConfigError", "Gates", "Project", "ServicePackage", "ShipwayConfig", "load_project"]
