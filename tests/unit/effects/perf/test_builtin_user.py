"""The built-in Locust user runs in Locust's own environment, where shipway need not be
installed (nox -s perf syncs only the 'perf' group there): it may import only the standard
library and Locust. (Its behaviour is tested with a real Locust in tests/integration.)"""

import ast
import sys

from shipway.effects.perf.load_generator import BUILTIN_USER


def imported_packages(source: str) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            packages.add(node.module.partition(".")[0])
    return packages


def test_the_built_in_user_imports_only_the_standard_library_and_locust() -> None:
    packages = imported_packages(BUILTIN_USER.read_text(encoding="utf-8"))
    assert "locust" in packages
    assert packages - {"locust"} <= sys.stdlib_module_names
