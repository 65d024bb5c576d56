"""`inv build`, `inv push` and `inv verify` as a release manager runs them, on a fixture repo."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.fixture_repo import commit, git, service_repo
from tests.support.processes import REPO, env_with


def inv(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "invoke", "--search-root", str(root), *args]
    return subprocess.run(
        argv, cwd=root, env=env_with(), capture_output=True, text=True, timeout=300
    )


def repo_with_tasks(tmp_path: Path) -> Path:
    root = service_repo(tmp_path / "repo")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    git(root, "add", "tasks.py")
    commit(root, "tasks")
    return root


def test_build_push_verify_from_the_command_line(tmp_path: Path) -> None:
    root = repo_with_tasks(tmp_path)
    dry = inv(root, "build", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was built or written" in dry.stdout
    assert not (root / "dist").exists()

    built = inv(root, "build")
    assert built.returncode == 0, built.stderr
    [version] = [p.name for p in (root / "dist" / "tiny-svc").iterdir()]
    pushed = inv(root, "push")
    assert pushed.returncode == 0, pushed.stderr
    assert f"pushed tiny-svc {version}" in pushed.stdout
    verified = inv(root, "verify", "--version", version)
    assert verified.returncode == 0, verified.stderr
    assert f"verified tiny-svc {version}: 3 files match the manifest" in verified.stdout


def test_refusals_are_one_message_and_exit_1(tmp_path: Path) -> None:
    root = repo_with_tasks(tmp_path)
    nothing = inv(root, "push")
    assert nothing.returncode == 1
    assert "no build of tiny-svc" in nothing.stderr
    git(root, "tag", "v1.0.0")
    (root / "svc" / "src" / "tiny_svc" / "__init__.py").write_text("changed = True\n")
    dirty = inv(root, "build")
    assert dirty.returncode == 1
    assert "a release must be built from a clean tree" in dirty.stderr.replace("\n", " ")
    missing = inv(root, "verify", "--version", "7.7.7")
    assert missing.returncode == 1
    for result in (nothing, dirty, missing):
        assert "Traceback" not in result.stdout + result.stderr
