"""``inv build``: the service's wheel, sdist, locked requirements, SBOM, manifest and signature.

The build runs on a copy of the service's files (those git tracks or would track) with the
computed version written into the copy's pyproject.toml, so the working tree never changes.
``SOURCE_DATE_EPOCH`` is the commit time: building a commit twice gives identical bytes.
"""

import datetime
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from shipway.config import Project
from shipway.decisions import Argv
from shipway.decisions.release import commands
from shipway.decisions.release.commands import export_requirements
from shipway.decisions.release.image import Engine, EngineProbe, choose_engine
from shipway.decisions.release.manifest import MANIFEST, Manifest, ManifestFile, kind_of, sha256_of
from shipway.decisions.release.versioning import BuildVersion, GitFacts, build_version
from shipway.effects.command import Completed, ToolRunner
from shipway.effects.release.git import git_facts, tracked_files
from shipway.errors import ShipwayError

out = Console(highlight=False)
SBOM_REPORT = Path("reports/security/sbom.cdx.json")


@dataclass(frozen=True)
class BuildPlan:
    name: str
    version: BuildVersion
    git: GitFacts
    directory: Path  # dist/<name>/<version>
    image_engine: Engine | None


def dist_dir(project: Project, name: str, version: str) -> Path:
    return project.root / "dist" / name / version


def image_tag(name: str, version: str) -> str:
    return f"{name}:{version.replace('+', '-')}"  # tags may not contain '+'


def plan_build(
    project: Project, runner: ToolRunner, *, allow_dirty: bool, image: bool
) -> BuildPlan:
    """Everything decided before anything is written: a refused build changes nothing."""
    package = project.service_package
    if package.version is None:
        raise ShipwayError(
            f"{project.service_dir / 'pyproject.toml'} needs a static [project] version: it is the "
            "base of development versions"
        )
    git = git_facts(runner)
    version = build_version(git, package.version, allow_dirty)
    engine = choose_engine(probe_engines(runner)) if image else None
    return BuildPlan(
        package.name, version, git, dist_dir(project, package.name, version.version), engine
    )


def describe(project: Project, plan: BuildPlan) -> list[str]:
    """What a build will do, for --dry-run and the log."""
    kind = "release" if plan.version.release else "development"
    kind += ", dirty" if plan.version.dirty else ""
    source = Path("<tmp>") / "source"
    steps = [
        f"build {plan.name} {plan.version.version} ({kind}) from {plan.git.sha[:12]} "
        f"into {plan.directory.relative_to(project.root)}/",
        f"set SOURCE_DATE_EPOCH={plan.git.commit_time} (the commit time)",
        f"copy the files git tracks under {project.config.service} to {source}",
        " ".join(commands.set_version(source, plan.version.version)),
        " ".join(commands.build_distributions(source, plan.directory)),
        " ".join(export_requirements(project.service_dir, plan.directory / "requirements.txt")),
    ]
    if (project.root / SBOM_REPORT).is_file():
        steps.append(f"copy {SBOM_REPORT} (from the security stage)")
    if plan.image_engine:
        steps += [" ".join(argv) for argv in image_commands(project, plan, plan.image_engine)]
    steps.append(f"write {MANIFEST} with the sha256 of every file")
    if key := project.config.artifacts.signing_key:
        steps.append(" ".join(commands.sign(project.path(key), plan.directory / MANIFEST)))
    return steps


def image_commands(project: Project, plan: BuildPlan, engine: Engine) -> list[Argv]:
    artifacts = project.config.artifacts
    return commands.image_build(
        engine,
        project.path(artifacts.dockerfile),
        plan.directory,
        image_tag(plan.name, plan.version.version),
        artifacts.platforms,
        {"VERSION": plan.version.version},
        plan.directory / "image.oci.tar",
    )


def run_build(
    project: Project, plan: BuildPlan, runner: ToolRunner, now: datetime.datetime
) -> Manifest:
    """Build into dist/<name>/<version>/; on any failure nothing of this build is left there."""
    shutil.rmtree(plan.directory, ignore_errors=True)
    plan.directory.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix="shipway-build-") as work:
            source = Path(work) / "source"
            copy_sources(runner, project.service_dir, source)
            epoch = {"SOURCE_DATE_EPOCH": str(plan.git.commit_time)}
            check(runner.run(commands.set_version(source, plan.version.version)))
            check(runner.run(commands.build_distributions(source, plan.directory), epoch))
        requirements = plan.directory / "requirements.txt"
        check(runner.run(export_requirements(project.service_dir, requirements)))
        if (project.root / SBOM_REPORT).is_file():
            shutil.copyfile(project.root / SBOM_REPORT, plan.directory / "sbom.cdx.json")
        if plan.image_engine:
            for argv in image_commands(project, plan, plan.image_engine):
                check(runner.run(argv))
        manifest = write_manifest(project, plan, now)
        if key := project.config.artifacts.signing_key:
            check(runner.run(commands.sign(project.path(key), plan.directory / MANIFEST)))
    except BaseException:
        shutil.rmtree(plan.directory, ignore_errors=True)
        raise
    return manifest


def copy_sources(runner: ToolRunner, service_dir: Path, destination: Path) -> None:
    for name in tracked_files(runner, service_dir):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(service_dir / name, target)


def write_manifest(project: Project, plan: BuildPlan, now: datetime.datetime) -> Manifest:
    files = []
    for path in sorted(plan.directory.iterdir()):
        kind = kind_of(path.name)
        if kind is not None:
            data = path.read_bytes()
            files.append(
                ManifestFile(path=path.name, kind=kind, sha256=sha256_of(data), size=len(data))
            )
    manifest = Manifest(
        name=plan.name,
        version=plan.version.version,
        git_sha=plan.git.sha,
        dirty=plan.version.dirty,
        build_time=now.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        source_date_epoch=plan.git.commit_time,
        requires_python=project.service_package.requires_python,
        files=tuple(files),
    )
    (plan.directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
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
