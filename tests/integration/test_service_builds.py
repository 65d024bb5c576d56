"""inv build on services of several shapes, with real uv and real build backends (downloaded
from PyPI on first use, from the uv cache afterwards): a bare setup.py, hatchling with hatch-vcs,
flit, and an application that is not a package, installed as a deploy installs it."""

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.decisions.release.manifest import Manifest
from shipway.effects.command import ToolRunner
from shipway.effects.deploy.files import EnvFiles
from shipway.effects.deploy.releases import install_release
from shipway.effects.release.build import dist_dir
from shipway.effects.release.store import DirectoryStore, signature_policy
from shipway.entry import release as release_tasks
from shipway.errors import ShipwayError
from tests.support.fixture_repo import commit, git, project_repo
from tests.support.processes import env_with

# idna 3.10, locked with its hashes, as `uv pip compile --generate-hashes` writes it.
HASHED_REQUIREMENTS = (
    "idna==3.10 \\\n"
    "    --hash=sha256:12f65c9b470abda6dc35cf8e63cc574b1c52b11df2c86030af0ac09b01b13ea9 \\\n"  # pragma: allowlist secret
    "    --hash=sha256:946d195a0d259cbba61165e88e65941f16e9b36ea6ddb97f00452bae8b1287d3\n"  # pragma: allowlist secret
)
HATCH_VCS = (
    '[project]\nname = "vcs-svc"\ndynamic = ["version"]\nrequires-python = ">=3.11"\n'
    '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
    '[tool.hatch.version]\nsource = "vcs"\n'
)
FLIT = (
    '[project]\nname = "flit-svc"\ndynamic = ["version", "description"]\n'
    'requires-python = ">=3.11"\ndependencies = []\n'
    '[build-system]\nrequires = ["flit_core>=3.9,<4"]\nbuild-backend = "flit_core.buildapi"\n'
)


def build(project: Project, allow_dirty: bool = False) -> Manifest:
    manifest = release_tasks.build(project, allow_dirty=allow_dirty, image=False, dry_run=False)
    assert manifest is not None
    return manifest


def built_files(project: Project, manifest: Manifest) -> dict[str, str]:
    return {f.kind.value: f.path for f in manifest.files}


def dry_run(project: Project, capsys: pytest.CaptureFixture[str]) -> str:
    release_tasks.build(project, allow_dirty=False, image=False, dry_run=True)
    return capsys.readouterr().out


def test_a_bare_setup_py_without_a_lock_builds_with_its_pinned_requirements_locked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = (
        "from setuptools import setup\n\n"
        'setup(name="legacy-svc", version="1.4.0", py_modules=["legacy"],'
        ' install_requires=["six"])\n'
    )
    root = project_repo(
        tmp_path,
        {
            "legacy-svc/setup.py": setup,
            "legacy-svc/legacy.py": "ANSWER = 42\n",
            "legacy-svc/requirements.txt": "six==1.17.0\n",
        },
        'service = "legacy-svc"\n',
    )
    project = load_project(root)
    described = dry_run(project, capsys)
    assert "name legacy-svc: from the service directory's name" in described
    assert "built by setuptools (setup.py, no [build-system])" in described
    assert "requirements: requirements.txt locked with hashes at build time" in described
    manifest = build(project)
    assert (manifest.name, manifest.version) == ("legacy-svc", "1.4.0")
    assert set(built_files(project, manifest)) == {"wheel", "sdist", "requirements", "server"}
    requirements = (dist_dir(project, "legacy-svc", "1.4.0") / "requirements.txt").read_text()
    assert requirements.startswith("six==1.17.0 \\\n    --hash=sha256:")


def test_hatch_vcs_gets_the_version_from_the_tag_without_any_file_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_repo(
        tmp_path,
        {
            "svc/pyproject.toml": HATCH_VCS,
            "svc/src/vcs_svc/__init__.py": "",
            "svc/requirements.txt": HASHED_REQUIREMENTS,
        },
    )
    git(root, "tag", "v1.3.0")
    project = load_project(root)
    described = dry_run(project, capsys)
    assert "version: from git tags, passed to the backend as SETUPTOOLS_SCM_PRETEND_VERSION" in (
        described
    )
    assert "SETUPTOOLS_SCM_PRETEND_VERSION=1.3.0 uv build" in described
    manifest = build(project)
    assert manifest.version == "1.3.0"
    assert built_files(project, manifest)["wheel"] == "vcs_svc-1.3.0-py3-none-any.whl"
    copied = dist_dir(project, "vcs-svc", "1.3.0") / "requirements.txt"
    assert copied.read_text() == HASHED_REQUIREMENTS

    (root / "svc" / "src" / "vcs_svc" / "__init__.py").write_text("ANSWER = 42\n")
    git(root, "add", "-A")
    commit(root, "after the release")
    sha = git(root, "rev-parse", "--short=7", "HEAD").strip()
    assert build(project).version == f"1.3.1.dev1+g{sha}"
    assert git(root, "status", "--porcelain") == ""


def flit_repo(root: Path) -> Path:
    root = project_repo(
        root,
        {
            "svc/pyproject.toml": FLIT,
            "svc/flit_svc/__init__.py": '"""Flit."""\n__version__ = "2.1.0"\n',
        },
    )
    subprocess.run(
        ["uv", "lock", "--quiet", "--project", str(root / "svc")], check=True, env=env_with()
    )
    git(root, "add", "-A")
    commit(root, "lock")
    return root


def test_flit_decides_its_version_and_a_release_tag_must_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = flit_repo(tmp_path)
    project = load_project(root)
    assert "decided by the build backend (flit_core.buildapi), read from the built wheel" in (
        dry_run(project, capsys)
    )
    manifest = build(project)
    assert (manifest.version, manifest.requires_python) == ("2.1.0", ">=3.11")
    assert set(built_files(project, manifest)) == {"wheel", "sdist", "requirements", "server"}

    git(root, "tag", "v2.2.0")
    with pytest.raises(
        ShipwayError,
        match=r"HEAD is tagged v2\.2\.0 but the build backend made version 2\.1\.0 ",
    ):
        build(project)


def test_the_same_backend_version_from_another_commit_is_refused_by_the_store(
    tmp_path: Path,
) -> None:
    root = flit_repo(tmp_path)
    project = load_project(root)
    first = build(project)
    release_tasks.push(project, version=None, dry_run=False)
    (root / "svc" / "flit_svc" / "extra.py").write_text("MORE = 1\n")
    git(root, "add", "-A")
    commit(root, "a change without a new version")
    second = build(project)
    assert second.version == first.version == "2.1.0"
    with pytest.raises(
        ShipwayError,
        match=rf"flit-svc 2\.1\.0 is already in the store, built from commit "
        rf"{first.git_sha[:12]}; this build is from commit {second.git_sha[:12]}\.",
    ):
        release_tasks.push(project, version=None, dry_run=False)
    store = DirectoryStore(project.path(project.config.artifacts.store))
    with pytest.raises(
        ShipwayError,
        match=rf"flit-svc 2\.1\.0 in the store was built from commit {first.git_sha[:12]}, not "
        rf"from this commit {second.git_sha[:12]}",
    ):
        release_tasks.version_of_this_commit(project, store, dry_run=True)  # what deploy asks


APPLICATION = {
    "manage.py": "import sys\n\nprint(sys.argv)\n",
    "Procfile": "web: gunicorn shop.wsgi\n",
    "shop/__init__.py": "",
    "shop/views.py": 'import six\n\n\ndef answer() -> str:\n    return six.ensure_str("42")\n',
    "shop/tests.py": "def test_answer() -> None: ...\n",
    "tests/test_views.py": "def test_views() -> None: ...\n",
    "docs/notes.md": "notes\n",
    "requirements.txt": "six==1.17.0\n",
}


def test_an_application_is_its_tracked_files_and_installs_into_its_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipway = 'name = "shop"\n[tool.shipway.artifacts]\nexclude = ["docs"]\n'
    root = project_repo(tmp_path / "repo", APPLICATION, shipway)
    project = load_project(root)
    described = dry_run(project, capsys)
    assert "name shop: from [tool.shipway] name" in described
    assert "artifact: application: the files git tracks, less tests and excludes" in described
    manifest = build(project)
    files = built_files(project, manifest)
    assert set(files) == {"application", "requirements", "server"}
    directory = dist_dir(project, "shop", manifest.version)
    archive = directory / files["application"]
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [
        ".gitignore",
        "Procfile",
        "manage.py",
        "pyproject.toml",
        "requirements.txt",
        "shop/__init__.py",
        "shop/views.py",
    ]
    assert {(m.mtime, m.uid, m.gid) for m in members} == {(manifest.source_date_epoch, 0, 0)}
    first_bytes = archive.read_bytes()
    assert build(project).version == manifest.version
    assert archive.read_bytes() == first_bytes  # the same commit, the same bytes

    release_tasks.push(project, version=manifest.version, dry_run=False)
    env = EnvFiles(tmp_path / "state")
    store = DirectoryStore(project.path(project.config.artifacts.store))
    runner = ToolRunner(root, [str(Path(sys.executable).parent)])
    policy = signature_policy(project)
    install_release(env, store, "shop", manifest.version, policy, runner, sys.executable)
    workdir = env.workdir(manifest.version)
    assert (workdir / "manage.py").is_file()
    assert not (workdir / "tests").exists()
    assert not (workdir / "shop" / "tests.py").exists()
    answer = subprocess.run(
        [
            str(env.venv(manifest.version) / "bin" / "python"),
            "-c",
            "import shop.views as v; print(v.answer())",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "42"


def test_unpinned_requirements_without_a_lock_are_named_before_anything_is_built(
    tmp_path: Path,
) -> None:
    files = {**APPLICATION, "requirements.txt": "six==1.17.0\nrequests>=2\nflask\n"}
    project = load_project(project_repo(tmp_path, files, 'name = "shop"\n'))
    with pytest.raises(
        ShipwayError,
        match=re.escape(
            "./requirements.txt cannot be locked (not pinned to one version with '==': "
            "requests>=2, flask) and there is no uv.lock; lock them: `uv lock`"
        ),
    ):
        build(project)
    assert not (tmp_path / "dist").exists()


def test_a_failing_build_backend_shows_its_last_lines(tmp_path: Path) -> None:
    files = {
        "svc/pyproject.toml": HATCH_VCS.replace("vcs-svc", "misnamed"),
        "svc/src/vcs_svc/__init__.py": "",
        "svc/requirements.txt": HASHED_REQUIREMENTS,
    }
    project = load_project(project_repo(tmp_path, files))
    with pytest.raises(ShipwayError) as caught:
        build(project)
    message = str(caught.value)
    assert message.startswith("the build backend failed building svc (uv build, exit status 2)")
    assert "Unable to determine which files to ship inside the wheel" in message
    assert not (tmp_path / "dist").exists()
