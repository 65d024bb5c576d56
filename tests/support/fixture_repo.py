"""A small git repository with a service, for build and deploy tests."""

import subprocess
from pathlib import Path

from tests.support.processes import env_with

SERVICE_CODE = '"""A tiny service."""\n\n\ndef answer() -> int:\n    return 42\n'


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=root, check=True, capture_output=True, text=True, env=env_with()
    ).stdout


def service_repo(root: Path, artifacts: str = "", version: str = "0.3.0", extra: str = "") -> Path:
    """A committed repository: [tool.shipway] at the root, the service under svc/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pipeline"\nversion = "0"\nrequires-python = ">=3.11"\n'
        '[tool.shipway]\nservice = "svc"\n'
        f"[tool.shipway.artifacts]\n{artifacts}\n{extra}",
        encoding="utf-8",
    )
    service = root / "svc"
    (service / "src" / "tiny_svc").mkdir(parents=True)
    (service / "pyproject.toml").write_text(
        f'[project]\nname = "tiny-svc"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        'dependencies = []\n[build-system]\nrequires = ["uv_build>=0.13,<0.14"]\n'
        'build-backend = "uv_build"\n',
        encoding="utf-8",
    )
    (service / "src" / "tiny_svc" / "__init__.py").write_text(SERVICE_CODE, encoding="utf-8")
    (root / ".gitignore").write_text("dist/\n.shipway/\nreports/\n.nox/\n")
    subprocess.run(["uv", "lock", "--quiet", "--project", str(service)], check=True, env=env_with())
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    commit(root, "initial")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def project_repo(root: Path, files: dict[str, str], shipway: str = 'service = "svc"\n') -> Path:
    """A committed repository of the given files, [tool.shipway] in the root pyproject.toml
    (after any root pyproject.toml among ``files``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    pyproject = root / "pyproject.toml"
    before = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    pyproject.write_text(f"{before}[tool.shipway]\n{shipway}", encoding="utf-8")
    (root / ".gitignore").write_text("dist/\n.shipway/\nreports/\n")
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    commit(root, "initial")
    return root
