"""``inv build``: the service's artifact (a wheel and sdist, or an application's files),
locked requirements, SBOM, manifest and signature.

A package is built from a copy of the service's files (those git tracks or would track), with
the computed version written into the copy or handed to the backend's VCS plugin, so the
working tree never changes; when the backend decides the version, it is read from the wheel.
An application is packed from the same files. ``SOURCE_DATE_EPOCH`` is the commit time:
building a commit twice gives identical bytes. Everything is made in a scratch directory and
moved to ``dist/<name>/<version>/`` last: a failed build leaves nothing there.
"""

import datetime
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from shipway.config import Project
from shipway.config.service import normalised
from shipway.decisions import Argv
from shipway.decisions.release import commands
from shipway.decisions.release.application import archive_members, archive_name
from shipway.decisions.release.image import Engine, EngineProbe, choose_engine, image_tag
from shipway.decisions.release.manifest import (
    IMAGE_ARCHIVE,
    MANIFEST,
    Manifest,
    ManifestFile,
    kind_of,
    sha256_of,
)
from shipway.decisions.release.metadata import WheelMetadata, metadata_path, parse_metadata
from shipway.decisions.release.recipe import ArtifactKind, Recipe, VersionSource, recipe
from shipway.decisions.release.requirements import RequirementsSource
from shipway.decisions.release.versioning import (
    BuildVersion,
    GitFacts,
    backend_version,
    build_version,
    check_built_version,
    refuse_dirty_backend_build,
)
from shipway.effects.command import Completed, ToolRunner
from shipway.effects.release import requirements
from shipway.effects.release.application import write_archive
from shipway.effects.release.git import git_facts, tracked_files
from shipway.effects.release.server import SERVER_REQUIREMENTS, write_server_requirements
from shipway.errors import ShipwayError

out = Console(highlight=False)
SBOM_REPORT = Path("reports/security/sbom.cdx.json")
BACKEND_LINES = 12  # lines of a failed build backend's output shown in the error
UNKNOWN_VERSION = "<version>"  # in a dry run, where the backend decides the version


@dataclass(frozen=True)
class BuildPlan:
    name: str
    recipe: Recipe
    version: BuildVersion | None  # None: the backend decides, read from the wheel it builds
    git: GitFacts
    requirements: RequirementsSource
    image_engine: Engine | None

    @property
    def shown_version(self) -> str:
        return self.version.version if self.version else UNKNOWN_VERSION


@dataclass(frozen=True)
class Artifact:
    """What the first step of a build made: its version, and its Python requirement."""

    version: BuildVersion
    requires_python: str | None


def dist_dir(project: Project, name: str, version: str) -> Path:
    return project.root / "dist" / name / version


def plan_build(
    project: Project, runner: ToolRunner, *, allow_dirty: bool, image: bool
) -> BuildPlan:
    """Everything decided before anything is written: a refused build changes nothing."""
    package = project.service_package
    how = recipe(package)
    if image and how.kind is ArtifactKind.APPLICATION:
        raise ShipwayError(
            "--image builds the image from a wheel; this service is an application (no build "
            "system), whose artifact is its source tree: build without --image"
        )
    where = str(project.config.service)
    source = requirements.find_source(project.service_dir, package.uv_lock, where)
    git = git_facts(runner)
    if how.computes_version:
        version: BuildVersion | None = build_version(git, how.base_version, allow_dirty)
    else:
        refuse_dirty_backend_build(git, allow_dirty)
        version = None
    engine = choose_engine(probe_engines(runner)) if image else None
    return BuildPlan(package.name, how, version, git, source, engine)


def describe(project: Project, plan: BuildPlan) -> list[str]:
    """What a build will do, for --dry-run and the log."""
    kind = "release" if plan.version and plan.version.release else "development"
    kind = "the backend's version" if plan.version is None else kind
    kind += ", dirty" if plan.git.dirty else ""
    directory = dist_dir(project, plan.name, plan.shown_version).relative_to(project.root)
    package = project.service_package
    scratch = Path("<tmp>")
    steps = [
        f"build {plan.name} {plan.shown_version} ({kind}) from {plan.git.sha[:12]} "
        f"into {directory}/",
        f"name {plan.name}: from {package.name_source}",
        f"artifact: {artifact_description(plan)}",
        f"version: {plan.recipe.describe_version()}",
        f"requirements: {plan.requirements.describe()}",
        f"set SOURCE_DATE_EPOCH={plan.git.commit_time} (the commit time)",
        *artifact_steps(project, plan, scratch),
        requirements.describe(
            plan.requirements, project.service_dir, scratch / "out" / "requirements.txt"
        ),
        f"write {SERVER_REQUIREMENTS}: shipway's pinned gunicorn and uvicorn-worker, less "
        "what requirements.txt locks",
    ]
    if (project.root / SBOM_REPORT).is_file():
        steps.append(f"copy {SBOM_REPORT} (from the security stage)")
    if plan.image_engine:
        steps += [" ".join(argv) for argv in image_commands(project, plan, plan.image_engine)]
    steps.append(f"write {MANIFEST} with the sha256 of every file")
    if key := project.config.artifacts.signing_key:
        steps.append(" ".join(commands.sign(project.path(key), scratch / "out" / MANIFEST)))
    steps.append(f"move it all to {directory}/")
    return steps


def artifact_description(plan: BuildPlan) -> str:
    if plan.recipe.kind is ArtifactKind.APPLICATION:
        return (
            f"application: the files git tracks, less tests and excludes, as "
            f"{archive_name(plan.name, plan.shown_version)}"
        )
    return f"package: wheel and sdist, built by {plan.recipe.backend}"


def artifact_steps(project: Project, plan: BuildPlan, scratch: Path) -> list[str]:
    service = project.config.service
    if plan.recipe.kind is ArtifactKind.APPLICATION:
        archive = scratch / "out" / archive_name(plan.name, plan.shown_version)
        return [
            f"pack the files git tracks under {service} (less tests and excludes) into {archive}"
        ]
    source = scratch / "source"
    steps = [f"copy the files git tracks under {service} to {source}"]
    build = " ".join(commands.build_distributions(source, scratch / "out"))
    if plan.recipe.version_source is VersionSource.STATIC:
        steps.append(" ".join(commands.set_version(source, plan.shown_version)))
    elif plan.recipe.version_source is VersionSource.PRETEND:
        build = f"{plan.recipe.pretend_variable}={plan.shown_version} {build}"
    steps.append(build)
    if plan.version is None:
        steps.append("read the version from the wheel's METADATA; a release tag on HEAD must match")
    return steps


def image_commands(
    project: Project, plan: BuildPlan, engine: Engine, directory: Path | None = None
) -> list[Argv]:
    artifacts = project.config.artifacts
    context = directory or Path("<tmp>") / "out"
    return commands.image_build(
        engine,
        project.path(artifacts.dockerfile),
        context,
        # the tag inv push pushes and a Kubernetes pod runs: <name>:<image_tag(version)>
        f"{plan.name}:{image_tag(plan.version.version) if plan.version else UNKNOWN_VERSION}",
        artifacts.platforms,
        {"VERSION": plan.shown_version},
        context / IMAGE_ARCHIVE,
    )


def run_build(
    project: Project, plan: BuildPlan, runner: ToolRunner, now: datetime.datetime
) -> Manifest:
    """Build into dist/<name>/<version>/; on any failure nothing of this build is left there."""
    with tempfile.TemporaryDirectory(prefix="shipway-build-") as work:
        staging = Path(work) / "out"
        staging.mkdir()
        artifact = make_artifact(project, plan, runner, Path(work), staging)
        built = BuildPlan(
            plan.name, plan.recipe, artifact.version, plan.git, plan.requirements, plan.image_engine
        )
        requirements.write_requirements(
            plan.requirements,
            project.service_dir,
            project.service_package.uv_lock,
            staging / "requirements.txt",
            runner,
        )
        write_server_requirements(staging / "requirements.txt", staging / SERVER_REQUIREMENTS)
        if (project.root / SBOM_REPORT).is_file():
            shutil.copyfile(project.root / SBOM_REPORT, staging / "sbom.cdx.json")
        if plan.image_engine:
            for argv in image_commands(project, built, plan.image_engine, staging):
                check(runner.run(argv))
        manifest = write_manifest(built, artifact, staging, now)
        if key := project.config.artifacts.signing_key:
            check(runner.run(commands.sign(project.path(key), staging / MANIFEST)))
        directory = dist_dir(project, plan.name, artifact.version.version)
        shutil.rmtree(directory, ignore_errors=True)
        directory.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.move(staging, directory)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
    return manifest


def make_artifact(
    project: Project, plan: BuildPlan, runner: ToolRunner, work: Path, staging: Path
) -> Artifact:
    # An application's version is always computed (recipe.py): it is known before packing.
    if plan.recipe.kind is ArtifactKind.APPLICATION and plan.version is not None:
        return pack_application(project, plan, plan.version, runner, staging)
    return build_package(project, plan, runner, work / "source", staging)


def pack_application(
    project: Project, plan: BuildPlan, version: BuildVersion, runner: ToolRunner, staging: Path
) -> Artifact:
    members = archive_members(
        tracked_files(runner, project.service_dir), project.config.artifacts.exclude
    )
    archive = staging / archive_name(plan.name, version.version)
    write_archive(project.service_dir, members, archive, plan.git.commit_time)
    return Artifact(version, project.service_package.requires_python)


def build_package(
    project: Project, plan: BuildPlan, runner: ToolRunner, source: Path, staging: Path
) -> Artifact:
    copy_sources(runner, project.service_dir, source)
    environment = {"SOURCE_DATE_EPOCH": str(plan.git.commit_time)}
    if plan.version is not None and plan.recipe.version_source is VersionSource.STATIC:
        check(runner.run(commands.set_version(source, plan.version.version)))
    if plan.version is not None and plan.recipe.pretend_variable:
        environment[plan.recipe.pretend_variable] = plan.version.version
    done = runner.run(commands.build_distributions(source, staging), environment)
    if done.returncode != 0:
        raise backend_failed(project, done)
    metadata = wheel_metadata(staging)
    if normalised(metadata.name) != normalised(plan.name):
        note = (
            f"the wheel is named {metadata.name}, the artifact {plan.name} (from "
            f"{project.service_package.name_source}); tool.shipway.name = "
            f'"{metadata.name}" would name both alike'
        )
        out.print(f"[yellow]note:[/] {escape(note)}")
    if plan.version is None:
        version = backend_version(plan.git, metadata.version, plan.recipe.describe_version())
    else:
        check_built_version(plan.version.version, metadata.version, plan.recipe.describe_version())
        version = plan.version
    return Artifact(version, metadata.requires_python)


def backend_failed(project: Project, done: Completed) -> ShipwayError:
    output = (done.stdout + "\n" + done.stderr).strip().splitlines()
    lines = [line for line in output if line.strip() and not line.startswith("hint:")]
    shown = "\n".join(f"  | {line}" for line in lines[-BACKEND_LINES:]) or "  | no output"
    return ShipwayError(
        f"the build backend failed building {project.config.service} (uv build, exit status "
        f"{done.returncode}); its last lines:\n{shown}"
    )


def wheel_metadata(directory: Path) -> WheelMetadata:
    wheels = sorted(directory.glob("*.whl"))
    if len(wheels) != 1:
        raise ShipwayError(f"uv build made {len(wheels)} wheels, not one: {wheels}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        member = metadata_path(wheel.namelist())
        if member is None:
            raise ShipwayError(f"{wheels[0].name} has no .dist-info/METADATA")
        text = wheel.read(member).decode("utf-8")
    return parse_metadata(text, wheels[0].name)


def copy_sources(runner: ToolRunner, service_dir: Path, destination: Path) -> None:
    for name in tracked_files(runner, service_dir):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(service_dir / name, target)


def write_manifest(
    plan: BuildPlan, artifact: Artifact, directory: Path, now: datetime.datetime
) -> Manifest:
    files = []
    for path in sorted(directory.iterdir()):
        kind = kind_of(path.name)
        if kind is not None:
            data = path.read_bytes()
            files.append(
                ManifestFile(path=path.name, kind=kind, sha256=sha256_of(data), size=len(data))
            )
    manifest = Manifest(
        name=plan.name,
        version=artifact.version.version,
        git_sha=plan.git.sha,
        dirty=artifact.version.dirty,
        build_time=now.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        source_date_epoch=plan.git.commit_time,
        requires_python=artifact.requires_python,
        files=tuple(files),
    )
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def probe_engines(runner: ToolRunner) -> list[EngineProbe]:
    """Which container engines are installed, and whether each can build right now."""
    probes = []
    if runner.which("docker"):
        buildx = runner.run(["docker", "buildx", "version"], quiet=True)
        daemon = runner.run(["docker", "info", "--format", "{{.ServerVersion}}"], quiet=True)
        problems = []
        if buildx.returncode != 0:
            problems.append("the buildx plugin is missing")
        if daemon.returncode != 0:
            problems.append("its daemon is not reachable")
        probes.append(EngineProbe(Engine.DOCKER, True, not problems, " and ".join(problems)))
    else:
        probes.append(EngineProbe(Engine.DOCKER, False, False))
    for engine, probe in (
        (Engine.PODMAN, ["podman", "info"]),
        (Engine.BUILDAH, ["buildah", "version"]),
    ):
        if runner.which(engine.value):
            works = runner.run(probe, quiet=True).returncode == 0
            probes.append(
                EngineProbe(engine, True, works, "" if works else f"`{' '.join(probe)}` failed")
            )
        else:
            probes.append(EngineProbe(engine, False, False))
    return probes


def check(done: Completed) -> None:
    if done.returncode != 0:
        raise ShipwayError(f"`{' '.join(done.argv[:3])}` failed: {done.last_line}")
