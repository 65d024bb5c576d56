"""Where the repository is, for the tests that load its own configuration."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
