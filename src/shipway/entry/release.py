"""Bodies of ``inv build``, ``inv push`` and ``inv verify``."""

import datetime
import tempfile
from pathlib import Path

from rich.console import Console

from shipway.config import Project
from shipway.decisions.release.manifest import MANIFEST
from shipway.decisions.release.versioning import build_version
from shipway.effects.command import ToolRunner
from shipway.effects.release.build import describe, dist_dir, plan_build, run_build
from shipway.effects.release.git import git_facts
from shipway.effects.release.index import fetch_distributions, publish_build
from shipway.effects.release.store import DirectoryStore, signature_policy, verify_directory
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def build(project: Project, *, allow_dirty: bool, image: bool, dry_run: bool) -> None:
    runner = ToolRunner(project.root)
    plan = plan_build(project, runner, allow_dirty=allow_dirty, image=image)
    header, *steps = describe(project, plan)
    out.print(header)
    if dry_run:
        for step in steps:
            out.print(f"  {step}")
        out.print("[yellow]dry run:[/] nothing was built or written")
        return
    manifest = run_build(project, plan, runner, datetime.datetime.now(datetime.UTC))
    for entry in manifest.files:
        out.print(f"  {entry.sha256}  {entry.path}")
    where = plan.directory.relative_to(project.root)
    out.print(f"[green]built[/] {manifest.name} {manifest.version} in {where}/")


def push(project: Project, *, version: str | None, dry_run: bool) -> None:
    runner = ToolRunner(project.root)
    name = project.service_package.name
    version = version or current_version(project, runner)
    build_path = dist_dir(project, name, version)
    if not (build_path / MANIFEST).is_file():
        built = ", ".join(p.name for p in build_path.parent.glob("*") if (p / MANIFEST).is_file())
        raise ShipwayError(
            f"no build of {name} {version} in {build_path.parent} (builds: {built or 'none'}); "
            "run `inv build` first"
        )
    manifest = verify_directory(build_path, signature_policy(project, required=False), runner)
    store = DirectoryStore(project.path(project.config.artifacts.store))
    artifacts = project.config.artifacts
    out.print(f"push {name} {version}: {len(manifest.files)} files, checksums verified")
    out.print(f"  to {store.location(name, version)}")
    if artifacts.publish_url:
        out.print(f"  and publish the wheel and sdist to {artifacts.publish_url}")
    if dry_run:
        existing = store.location(name, version) / MANIFEST
        if existing.is_file():
            out.print(
                "  (the store already holds this version: it will be compared, never replaced)"
            )
        out.print("[yellow]dry run:[/] nothing was pushed")
        return
    out.print(store.push(build_path, manifest))
    if artifacts.publish_url:
        out.print(
            publish_build(build_path, manifest, artifacts.publish_url, artifacts.index_url, runner)
        )


def verify(project: Project, *, version: str, from_index: bool) -> None:
    """Fetch a version from the store into a scratch directory and verify every byte."""
    runner = ToolRunner(project.root)
    name = project.service_package.name
    store = DirectoryStore(project.path(project.config.artifacts.store))
    with tempfile.TemporaryDirectory(prefix="shipway-verify-") as scratch:
        manifest = store.fetch(name, version, Path(scratch), signature_policy(project), runner)
        out.print(
            f"[green]verified[/] {name} {version}: {len(manifest.files)} files match the manifest"
        )
        if from_index:
            index = project.config.artifacts.index_url
            if not index:
                raise ShipwayError("--from-index needs [tool.shipway.artifacts] index_url")
            files = fetch_distributions(manifest, index, Path(scratch) / "index")
            out.print(f"[green]verified[/] {len(files)} distributions from {index}")


def current_version(project: Project, runner: ToolRunner) -> str:
    """The version `inv build` gives the current commit (dirty trees allowed: only a lookup)."""
    package = project.service_package
    if package.version is None:
        raise ShipwayError("pass --version: the service has no static version to derive one from")
    return build_version(git_facts(runner), package.version, allow_dirty=True).version
