"""``shipway init``: adopt shipway in an existing service (being written)."""

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path(), help="the service project")
    parser.add_argument("--dry-run", action="store_true", help="print every file, write none")
    parser.add_argument("--force", action="store_true", help="replace files that differ")
    parser.add_argument("--yes", action="store_true", help="never ask; take what was detected")
    parser.add_argument("--app", help="the entry point, 'module:attribute' or 'module:factory()'")


def run(arguments: argparse.Namespace) -> int:
    """Exit status of ``shipway init``."""
    raise NotImplementedError
