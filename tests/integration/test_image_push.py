"""inv push's image, with the real skopeo: a hand-made OCI archive (no base image can be pulled
here) is valid to skopeo, copied with every platform and its digest into an OCI layout, kept
when the tag already holds it and refused when the tag holds another image; `inv push` against
a real registry on 127.0.0.1 (Debian's docker-registry, HTTPS with a test CA): pushed once,
kept the second time, refused over another image, an untrusted certificate said; and, as
`inv push` subprocesses: a build without an image, a missing skopeo and an unreachable
registry are clear errors that push nothing, and --dry-run prints every command. What needs a
public registry is listed in the README (Kubernetes: The image in the registry)."""

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shipway.decisions.release import commands
from shipway.decisions.release.manifest import MANIFEST, FileKind, Manifest, ManifestFile, sha256_of
from shipway.decisions.release.registry import Action, Destination
from shipway.effects import command
from shipway.effects.command import ToolRunner
from shipway.effects.release import registry
from shipway.errors import ShipwayError
from tests.support import oci, tasks
from tests.support.registry import DOCKER_REGISTRY, image_registry

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SKOPEO = shutil.which("skopeo")
# Skipped on a laptop without skopeo; in CI (.ci/run installs it) a missing skopeo fails.
# Likewise docker-registry, for the one test against a registry.
pytestmark = pytest.mark.skipif(
    SKOPEO is None and not os.environ.get("CI"),
    reason="skopeo is not installed (apt install skopeo)",
)

PYPROJECT = """\
[project]
name = "demo"
version = "1.0.0"
requires-python = ">=3.11"

[tool.shipway]
app = "demo:app"
server = "asgi"

[tool.shipway.environments.dev]
port = 8191

[tool.shipway.environments.k8s-x]
target = "kubernetes"
namespace = "shop"
image = "127.0.0.1:9/acme/demo"
"""


def skopeo(*arguments: str) -> command.Completed:
    return command.run(["skopeo", *arguments], env={"PATH": str(Path(str(SKOPEO)).parent)})


def test_the_hand_made_archive_is_a_valid_two_platform_image(tmp_path: Path) -> None:
    archive, digest = oci.archive(tmp_path, b"1.0.0\n")
    raw = skopeo("inspect", "--raw", f"oci-archive:{archive}")
    assert raw.returncode == 0, raw.stderr
    assert f"sha256:{sha256_of(raw.stdout.encode())}" == digest
    index = json.loads(raw.stdout)
    assert [m["platform"]["architecture"] for m in index["manifests"]] == ["amd64", "arm64"]
    config = skopeo("inspect", "--config", f"oci-archive:{archive}")  # this machine's platform
    assert config.returncode == 0, config.stderr
    assert json.loads(config.stdout)["config"]["User"] == "10001"


def test_a_push_copies_every_platform_keeps_the_same_image_and_refuses_another(
    tmp_path: Path,
) -> None:
    runner = ToolRunner(tmp_path)
    archive, digest = oci.archive(tmp_path / "v1", b"1.0.0\n")
    layout = tmp_path / "registry"
    release = Destination(f"oci:{layout}:1.0.0", ("k8s-x",))

    first = registry.check(runner, archive, [release])
    assert (first.digest, first.steps) == (digest, ((release, Action.COPY),))
    [done] = registry.copy(runner, first)
    assert done == f"pushed the image to {release.describe()} ({digest})"
    copied = skopeo("inspect", "--raw", release.reference)
    assert f"sha256:{sha256_of(copied.stdout.encode())}" == digest  # --preserve-digests
    for platform in json.loads(copied.stdout)["manifests"]:  # --all: both platforms' images
        assert (layout / "blobs" / "sha256" / platform["digest"].removeprefix("sha256:")).is_file()

    again = registry.check(runner, archive, [release])
    assert again.steps == ((release, Action.KEEP),)
    assert registry.copy(runner, again) == [
        f"{release.describe()} already holds this image ({digest})"
    ]

    other, other_digest = oci.archive(tmp_path / "v1-rebuilt", b"1.0.0 rebuilt\n")
    with pytest.raises(ShipwayError) as refused:
        registry.check(runner, other, [release, Destination(f"oci:{layout}:1.0.1", ("b",))])
    assert f"{release.describe()} already holds another image ({digest}; " in str(refused.value)
    assert other_digest in str(refused.value)
    after = skopeo("inspect", "--raw", release.reference)
    assert f"sha256:{sha256_of(after.stdout.encode())}" == digest  # untouched
    assert skopeo("inspect", "--raw", f"oci:{layout}:1.0.1").returncode != 0  # nothing pushed


def test_a_failed_copy_names_what_was_pushed_and_what_was_not(tmp_path: Path) -> None:
    runner = ToolRunner(tmp_path)
    archive, _ = oci.archive(tmp_path, b"1.0.0\n")
    good = Destination(f"oci:{tmp_path / 'a'}:1.0.0", ("k8s-a",))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the layout's directory should be")
    bad = Destination(f"oci:{blocked}:1.0.0", ("k8s-b",))
    last = Destination(f"oci:{tmp_path / 'c'}:1.0.0", ("k8s-c",))
    push = registry.ImagePush(
        f"oci-archive:{archive}",
        registry.check(runner, archive, [good]).digest,
        ((good, Action.COPY), (bad, Action.COPY), (last, Action.COPY)),
    )
    with pytest.raises(ShipwayError) as failed:
        registry.copy(runner, push)
    message = str(failed.value)
    assert message.startswith(f"skopeo could not push to {bad.describe()}: ")
    assert f"done: pushed the image to {good.describe()}" in message
    assert f"not pushed: {last.reference}" in message


# `inv push` as a user runs it -------------------------------------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    return root


def hand_made_build(
    root: Path, image: bool, version: str = "1.0.0", content: bytes = b"1.0.0\n"
) -> Path:
    """dist/demo/<version>/ as inv build leaves it: files and a manifest of their checksums."""
    build = root / "dist" / "demo" / version
    build.mkdir(parents=True)
    (build / "requirements.txt").write_text("")
    if image:
        scratch = root / "scratch" / version
        oci.archive(scratch, content)
        shutil.move(scratch / "image.oci.tar", build / "image.oci.tar")
    files = [
        ManifestFile(
            path=path.name,
            kind=FileKind.IMAGE if path.suffix == ".tar" else FileKind.REQUIREMENTS,
            sha256=sha256_of(path.read_bytes()),
            size=path.stat().st_size,
        )
        for path in sorted(build.iterdir())
    ]
    manifest = Manifest(
        name="demo",
        version=version,
        git_sha="0" * 40,
        dirty=False,
        build_time=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        source_date_epoch=0,
        requires_python=None,
        files=tuple(files),
    )
    (build / MANIFEST).write_text(manifest.to_json())
    return build


def tools(tmp_path: Path, *names: str) -> str:
    directory = tmp_path / "tools"
    directory.mkdir(exist_ok=True)
    for name in names:
        found = shutil.which(name)
        assert found is not None, name
        (directory / name).symlink_to(found)
    return str(directory)


def inv(
    root: Path, *arguments: str, path: str, ca: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": path,
        "HOME": str(root),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "200",
        **({"SSL_CERT_FILE": str(ca)} if ca else {}),
    }
    return tasks.inv(root, *arguments, environ=env)


def assert_nothing_pushed(root: Path) -> None:
    assert not (root / ".shipway").exists()


def test_an_env_whose_build_has_no_image_says_inv_build_image(demo: Path, tmp_path: Path) -> None:
    hand_made_build(demo, image=False)
    done = inv(demo, "push", "--version", "1.0.0", "--env", "k8s-x", path=tools(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "has no image" in done.stderr
    assert "`inv build --image`" in done.stderr
    assert "Traceback" not in done.stderr
    assert_nothing_pushed(demo)

    local = inv(demo, "push", "--version", "1.0.0", "--env", "dev", path=tools(tmp_path))
    assert local.returncode == 1
    assert "--env dev: dev is a local environment" in local.stderr

    # Without --env the store push goes on, and the missing image is said.
    dry = inv(demo, "push", "--version", "1.0.0", "--dry-run", path=tools(tmp_path))
    assert dry.returncode == 0, dry.stderr
    assert "this build has no image" in dry.stdout
    assert "skopeo" not in dry.stdout
    plain = inv(demo, "push", "--version", "1.0.0", path=tools(tmp_path))
    assert plain.returncode == 0, plain.stderr
    assert "this build has no image" in plain.stdout
    assert (demo / ".shipway" / "artifacts" / "demo" / "1.0.0" / MANIFEST).is_file()


def test_a_missing_skopeo_says_what_to_install_and_pushes_nothing(
    demo: Path, tmp_path: Path
) -> None:
    hand_made_build(demo, image=True)
    done = inv(demo, "push", "--version", "1.0.0", path=tools(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "skopeo is not installed (not on PATH)" in done.stderr
    assert "`apt install skopeo`" in done.stderr
    assert_nothing_pushed(demo)


def test_an_unreachable_registry_is_said_with_skopeos_last_line_and_pushes_nothing(
    demo: Path, tmp_path: Path
) -> None:
    hand_made_build(demo, image=True)
    done = inv(demo, "push", "--version", "1.0.0", path=tools(tmp_path, "skopeo"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cannot read docker://127.0.0.1:9/acme/demo:1.0.0 (k8s-x) from its registry" in (
        done.stderr
    )
    assert "connection refused" in done.stderr
    assert "skopeo login" in done.stderr
    assert_nothing_pushed(demo)


def test_dry_run_prints_every_command_and_checks_the_registry(demo: Path, tmp_path: Path) -> None:
    build = hand_made_build(demo, image=True)
    done = inv(demo, "push", "--version", "1.0.0", "--dry-run", path=tools(tmp_path, "skopeo"))
    source = f"oci-archive:{build / 'image.oci.tar'}"
    target = "docker://127.0.0.1:9/acme/demo:1.0.0"
    for argv in (
        commands.image_inspect(source),
        commands.image_inspect(target),
        commands.image_copy(source, target),
    ):
        assert " ".join(argv) in done.stdout
    assert done.returncode == 1  # the registry is not there: the check fails
    assert "connection refused" in done.stderr
    assert_nothing_pushed(demo)


@pytest.mark.skipif(
    DOCKER_REGISTRY is None and not os.environ.get("CI"),
    reason="docker-registry is not installed (apt install docker-registry)",
)
def test_inv_push_copies_the_image_to_a_real_registry_once_and_never_over_another(
    demo: Path, tmp_path: Path
) -> None:
    path = tools(tmp_path, "skopeo")
    with image_registry(tmp_path / "registry") as registry_:
        config = PYPROJECT.replace("127.0.0.1:9", registry_.host)
        (demo / "pyproject.toml").write_text(config)
        build = hand_made_build(demo, image=True, version="1.0.0+local")
        digest = registry_digest(f"oci-archive:{build / 'image.oci.tar'}", registry_.ca)
        tag = f"docker://{registry_.host}/acme/demo:1.0.0-local"

        done = inv(demo, "push", "--version", "1.0.0+local", path=path, ca=registry_.ca)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"pushed the image to {tag} (k8s-x) ({digest})" in done.stdout
        assert registry_digest(tag, registry_.ca) == digest

        again = inv(demo, "push", "--version", "1.0.0+local", path=path, ca=registry_.ca)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"{tag} (k8s-x) already holds this image ({digest})" in again.stdout

        # Someone pushed another image as 2.0.0: this build of 2.0.0 may not replace it.
        theirs, their_digest = oci.archive(tmp_path / "theirs", b"their 2.0.0\n")
        taken = f"docker://{registry_.host}/acme/demo:2.0.0"
        copied = skopeo_with(registry_.ca, *commands.image_copy(f"oci-archive:{theirs}", taken))
        assert copied.returncode == 0, copied.stderr
        hand_made_build(demo, image=True, version="2.0.0", content=b"our 2.0.0\n")
        refused = inv(demo, "push", "--version", "2.0.0", path=path, ca=registry_.ca)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"{taken} (k8s-x) already holds another image ({their_digest};" in refused.stderr
        assert registry_digest(taken, registry_.ca) == their_digest
        assert not (demo / ".shipway" / "artifacts" / "demo" / "2.0.0").exists()

        # A registry whose certificate is not trusted refuses the connection: skopeo's words.
        untrusted = inv(demo, "push", "--version", "1.0.0+local", path=path)
        assert untrusted.returncode == 1
        assert "x509: certificate signed by unknown authority" in untrusted.stderr


def skopeo_with(ca: Path, *argv: str) -> command.Completed:
    path = str(Path(str(SKOPEO)).parent)
    return command.run(argv, env={"PATH": path, "SSL_CERT_FILE": str(ca)})


def registry_digest(reference: str, ca: Path) -> str:
    raw = skopeo_with(ca, *commands.image_inspect(reference))
    assert raw.returncode == 0, raw.stderr
    return f"sha256:{sha256_of(raw.stdout.encode())}"
