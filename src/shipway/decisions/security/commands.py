"""The security stage's commands, as argv lists. Paths are given; nothing here touches them."""

import re
from collections.abc import Sequence
from pathlib import Path

from shipway.decisions import Argv

# Never scanned: environments, caches and our own output.
SKIP_DIRS = (
    ".git",
    ".nox",
    ".venv",
    "reports",
    "node_modules",
    "dist",
    "build",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
)
TRIVY_OFFLINE = [
    "--skip-db-update",
    "--skip-check-update",
    "--offline-scan",
    "--disable-telemetry",
    "--skip-version-check",
]
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", re.MULTILINE)
_LOCKED = re.compile(r"^\[\[package\]\]$", re.MULTILINE)


def sast_targets(service: str) -> list[str]:
    """Where bandit looks: the library (src) and the service's code."""
    service_code = "src" if service == "." else f"{service}/src"
    return list(dict.fromkeys(["src", service_code]))


def bandit(targets: Sequence[str], fmt: str, output: Path) -> Argv:
    return ["bandit", "-q", "-r", *targets, "-f", fmt, "-o", str(output)]


def detect_secrets(files: Sequence[str], baseline: Path | None) -> Argv:
    """A scan with the baseline's plugins and filters; with a baseline, its copy is rewritten."""
    base = ["detect-secrets", "scan"]
    return [*base, "--baseline", str(baseline), *files] if baseline else [*base, *files]


def trivy_fs(scanners: Sequence[str], output: Path) -> Argv:
    skips = [arg for d in SKIP_DIRS for arg in ("--skip-dirs", f"**/{d}")]
    return [
        "trivy",
        "fs",
        "--scanners",
        ",".join(scanners),
        *TRIVY_OFFLINE,
        "--exit-code",
        "0",
        "--format",
        "json",
        "--output",
        str(output),
        *skips,
        ".",
    ]


def trivy_sarif(report_json: Path, output: Path) -> Argv:
    return ["trivy", "convert", "--format", "sarif", "--output", str(output), str(report_json)]


def runtime_environment(python: str, location: Path) -> Argv:
    return ["uv", "venv", "--quiet", "--python", python, str(location)]


def install_requirements(python: Path, requirements: Path) -> Argv:
    return _uv_pip_install(python, "--require-hashes", "-r", str(requirements))


def install_service(python: Path, service_dir: Path) -> Argv:
    return _uv_pip_install(python, "--no-deps", str(service_dir))


def _uv_pip_install(python: Path, *arguments: str) -> Argv:
    return ["uv", "pip", "install", "--quiet", "--python", str(python), *arguments]


def pip_audit(requirements: Path, source: str, output: Path) -> Argv:
    argv = [
        "pip-audit",
        "-r",
        str(requirements),
        "--require-hashes",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--timeout",
        "10",
        "-f",
        "json",
        "-o",
        str(output),
    ]
    if source == "pypi":
        return [*argv, "-s", "pypi"]
    if source == "osv":
        return [*argv, "-s", "osv"]
    return [*argv, "-s", "osv", "--osv-url", source]


def sbom(python: Path, service_pyproject: Path, output: Path) -> Argv:
    return [
        "cyclonedx-py",
        "environment",
        str(python),
        "--pyproject",
        str(service_pyproject),
        "--mc-type",
        "application",
        "--output-reproducible",
        "--output-format",
        "JSON",
        "--output-file",
        str(output),
    ]


def pinned_count(requirements: str) -> int:
    """How many pinned packages a requirements file lists."""
    return len(_PINNED.findall(requirements))


def locked_count(lock: str) -> int:
    """How many packages a uv.lock holds (what trivy's vulnerability scan would audit)."""
    return len(_LOCKED.findall(lock))
