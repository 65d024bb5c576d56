"""inv build / push / verify on a real git repository, with real uv, ssh-keygen and pypiserver."""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shipway.config import Project, load_project
from shipway.decisions.release.manifest import MANIFEST, SIGNATURE, Manifest, sha256_of
from shipway.effects.release.build import dist_dir
from shipway.entry import release as release_tasks
from shipway.errors import ShipwayError
from tests.support.fixture_repo import git, service_repo
from tests.support.processes import answers, env_with, free_port, running, wait_until


def build(project: Project, allow_dirty: bool = False) -> Manifest:
    release_tasks.build(project, allow_dirty=allow_dirty, image=False, dry_run=False)
    [built] = list((project.root / "dist" / "tiny-svc").iterdir())
    return Manifest.parse((built / MANIFEST).read_text(), "test")


def store_dir(project: Project, manifest: Manifest) -> Path:
    return project.root / ".shipway" / "artifacts" / "tiny-svc" / manifest.version


def test_two_builds_of_a_commit_are_byte_identical_and_match_their_manifest(tmp_path: Path) -> None:
    project = load_project(service_repo(tmp_path))
    first = build(project)
    directory = dist_dir(project, "tiny-svc", first.version)
    wheel_bytes = {
        p.name: p.read_bytes() for p in directory.iterdir() if p.suffix in (".whl", ".gz")
    }
    (project.root / "svc" / "src" / "tiny_svc" / "__init__.py").touch()  # new mtimes, same commit
    second = build(project)
    assert second.version == first.version
    assert {
        p.name: p.read_bytes() for p in directory.iterdir() if p.name in wheel_bytes
    } == wheel_bytes
    assert {f.kind.value for f in second.files} == {"wheel", "sdist", "requirements", "server"}
    server = (directory / "server-requirements.txt").read_text()
    assert "gunicorn==" in server  # the service locks no server: it gets shipway's
    assert "--hash=sha256:" in server
    for entry in second.files:
        assert sha256_of((directory / entry.path).read_bytes()) == entry.sha256
    sha = git(project.root, "rev-parse", "HEAD").strip()
    assert (second.git_sha, second.dirty, second.requires_python) == (sha, False, ">=3.11")
    assert second.version == f"0.3.0.dev1+g{sha[:7]}"


def test_a_release_tag_gives_the_release_version_and_a_dirty_tree_is_refused(
    tmp_path: Path,
) -> None:
    project = load_project(service_repo(tmp_path))
    git(tmp_path, "tag", "v1.2.0")
    assert build(project).version == "1.2.0"
    (tmp_path / "svc" / "src" / "tiny_svc" / "__init__.py").write_text("ANSWER = 43\n")
    with pytest.raises(ShipwayError, match=r"must be built from a clean tree .* --allow-dirty"):
        release_tasks.build(project, allow_dirty=False, image=False, dry_run=False)
    assert [p.name for p in (tmp_path / "dist" / "tiny-svc").iterdir()] == ["1.2.0"]
    dirty = build_dirty(project)
    assert (dirty.version, dirty.dirty) == ("1.2.0+dirty", True)


def build_dirty(project: Project) -> Manifest:
    release_tasks.build(project, allow_dirty=True, image=False, dry_run=False)
    return Manifest.parse(
        (dist_dir(project, "tiny-svc", "1.2.0+dirty") / MANIFEST).read_text(), "t"
    )


def test_dry_run_builds_and_pushes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = load_project(service_repo(tmp_path))
    release_tasks.build(project, allow_dirty=False, image=False, dry_run=True)
    assert not (tmp_path / "dist").exists()
    assert "dry run: nothing was built or written" in capsys.readouterr().out
    manifest = build(project)
    release_tasks.push(project, version=None, dry_run=True)
    assert not (tmp_path / ".shipway").exists()
    assert f"push tiny-svc {manifest.version}" in capsys.readouterr().out


def test_pushed_versions_are_immutable_and_verified_on_fetch(tmp_path: Path) -> None:
    project = load_project(service_repo(tmp_path))
    manifest = build(project)
    release_tasks.push(project, version=manifest.version, dry_run=False)
    release_tasks.push(project, version=None, dry_run=False)  # the same bytes again: fine
    release_tasks.verify(project, version=manifest.version, from_index=False)

    # A different artifact under the same version, consistent with its own manifest: refused.
    build_dir = dist_dir(project, "tiny-svc", manifest.version)
    wheel = next(build_dir.glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    entries = [
        f.model_copy(update={"sha256": sha256_of(wheel.read_bytes())})
        if f.path == wheel.name
        else f
        for f in manifest.files
    ]
    (build_dir / MANIFEST).write_text(
        manifest.model_copy(update={"files": tuple(entries)}).to_json()
    )
    with pytest.raises(
        ShipwayError, match=rf"already in the store .* \({re.escape(wheel.name)} differs from"
    ):
        release_tasks.push(project, version=manifest.version, dry_run=False)

    # One byte changed in the stored wheel: fetch refuses it, naming the file.
    stored = store_dir(project, manifest) / wheel.name
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(
        ShipwayError,
        match=rf"refusing tiny-svc .*: {re.escape(wheel.name)}: sha256 .* does not match",
    ):
        release_tasks.verify(project, version=manifest.version, from_index=False)


def test_unknown_version_names_what_the_store_has(tmp_path: Path) -> None:
    project = load_project(service_repo(tmp_path))
    with pytest.raises(
        ShipwayError, match=r"tiny-svc 9\.9 is not in the store .* \(versions: none\)"
    ):
        release_tasks.verify(project, version="9.9", from_index=False)
    with pytest.raises(ShipwayError, match=r"no build of tiny-svc .* run `inv build` first"):
        release_tasks.push(project, version=None, dry_run=False)


def signing_config(tmp_path: Path, require: bool = False) -> str:
    key = tmp_path / "keys" / "release"
    key.parent.mkdir()
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "release", "-f", str(key)], check=True
    )
    public = (key.parent / "release.pub").read_text().split()
    (key.parent / "allowed_signers").write_text(f"release@example.com {public[0]} {public[1]}\n")
    return (
        f'signing_key = "{key}"\nallowed_signers = "{key.parent / "allowed_signers"}"\n'
        f'signer = "release@example.com"\nrequire_signature = {str(require).lower()}\n'
    )


def test_a_signed_manifest_verifies_and_a_tampered_one_is_refused(tmp_path: Path) -> None:
    project = load_project(service_repo(tmp_path / "repo", signing_config(tmp_path, require=True)))
    manifest = build(project)
    assert (dist_dir(project, "tiny-svc", manifest.version) / SIGNATURE).is_file()
    release_tasks.push(project, version=manifest.version, dry_run=False)
    release_tasks.verify(project, version=manifest.version, from_index=False)

    stored = store_dir(project, manifest) / MANIFEST
    stored.chmod(0o644)
    stored.write_text(stored.read_text().replace('"dirty": false', '"dirty": true'))
    with pytest.raises(
        ShipwayError,
        match=re.escape(
            "the manifest's signature does not verify for signer 'release@example.com'"
        ),
    ):
        release_tasks.verify(project, version=manifest.version, from_index=False)


def test_an_unsigned_artifact_is_refused_when_signatures_are_required(tmp_path: Path) -> None:
    project = load_project(service_repo(tmp_path / "repo"))
    manifest = build(project)
    release_tasks.push(project, version=manifest.version, dry_run=False)
    required = project.config.model_copy(
        update={
            "artifacts": project.config.artifacts.model_copy(update={"require_signature": True})
        }
    )
    strict = Project(project.root, required, project.requires_python, project.service_package)
    with pytest.raises(
        ShipwayError, match="its manifest is not signed and signatures are required"
    ):
        release_tasks.verify(strict, version=manifest.version, from_index=False)


def test_publish_to_and_install_from_a_real_local_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    index = f"http://127.0.0.1:{port}"
    packages = tmp_path / "packages"
    packages.mkdir()
    server = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-a",
        ".",
        "-P",
        ".",
        str(packages),
    ]
    artifacts = f'publish_url = "{index}/"\nindex_url = "{index}/simple/"\n'
    project = load_project(service_repo(tmp_path / "repo", artifacts))
    with running(server, env_with()):
        wait_until(answers(f"{index}/simple/"), timeout=30, what="pypiserver")
        monkeypatch.setenv("UV_PUBLISH_USERNAME", "ci")  # pypiserver runs without authentication
        monkeypatch.setenv("UV_PUBLISH_PASSWORD", "unused")
        manifest = build(project)
        release_tasks.push(project, version=manifest.version, dry_run=False)
        assert sorted(p.name for p in packages.iterdir()) == sorted(
            f.path for f in manifest.files if f.kind.value in ("wheel", "sdist")
        )
        release_tasks.verify(project, version=manifest.version, from_index=True)
        venv = tmp_path / "venv"
        subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True, env=env_with())
        install = [
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            "--index-url",
            f"{index}/simple/",
            f"tiny-svc=={manifest.version}",
        ]
        subprocess.run(install, check=True, env=env_with())
        answer = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import tiny_svc; print(tiny_svc.answer())"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert answer.stdout.strip() == "42"
        listing = httpx.get(f"{index}/simple/tiny-svc/").text
        wheel = next(f for f in manifest.files if f.kind.value == "wheel")
        assert f"#sha256={wheel.sha256}" in listing


def test_build_image_without_an_engine_stops_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = load_project(service_repo(tmp_path / "repo"))
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("git", "uv"):
        (tools / tool).symlink_to(
            subprocess.run(
                ["which", tool], capture_output=True, text=True, env=env_with()
            ).stdout.strip()
        )
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(
        ShipwayError,
        match=re.escape("no container engine can build the image (none of docker, podman, buildah"),
    ):
        release_tasks.build(project, allow_dirty=False, image=True, dry_run=False)
    assert not (tmp_path / "repo" / "dist").exists()


def test_manifest_lists_the_sbom_of_the_security_stage(tmp_path: Path) -> None:
    root = service_repo(tmp_path)
    sbom = root / "reports" / "security" / "sbom.cdx.json"
    sbom.parent.mkdir(parents=True)
    sbom.write_text(json.dumps({"bomFormat": "CycloneDX", "components": []}))
    manifest = build(load_project(root))
    assert [f.path for f in manifest.files if f.kind.value == "sbom"] == ["sbom.cdx.json"]


def test_the_service_dockerfile_has_no_high_or_critical_misconfiguration() -> None:
    dockerfile_dir = Path(__file__).resolve().parents[2] / "deploy"
    argv = [
        "trivy",
        "config",
        "--severity",
        "HIGH,CRITICAL",
        "--exit-code",
        "1",
        "--format",
        "json",
        "--skip-check-update",
        "--disable-telemetry",
        "--skip-version-check",
        str(dockerfile_dir),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, env=env_with(), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    [dockerfile] = json.loads(result.stdout)["Results"]
    assert dockerfile["Target"] == "Dockerfile"
    assert dockerfile["MisconfSummary"]["Failures"] == 0
