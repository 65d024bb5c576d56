"""Bodies of ``inv build``, ``inv push`` and ``inv verify``."""

import datetime
import shlex
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from shipway.config import Project
from shipway.decisions.release import registry as images
from shipway.decisions.release.manifest import IMAGE_ARCHIVE, MANIFEST, FileKind, Manifest
from shipway.decisions.release.recipe import recipe
from shipway.decisions.release.versioning import build_version
from shipway.effects.command import ToolRunner
from shipway.effects.release import registry
from shipway.effects.release.build import (
    BuildPlan,
    describe,
    dist_dir,
    plan_build,
    run_build,
)
from shipway.effects.release.git import git_facts
from shipway.effects.release.index import fetch_distributions, publish_build
from shipway.effects.release.store import (
    DirectoryStore,
    read_manifest,
    signature_policy,
    verify_directory,
)
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def build(project: Project, *, allow_dirty: bool, image: bool, dry_run: bool) -> Manifest | None:
    """The manifest of the build (None in a dry run)."""
    runner = ToolRunner(project.root)
    plan = plan_build(project, runner, allow_dirty=allow_dirty, image=image)
    header, *steps = describe(project, plan)
    out.print(escape(header))
    if dry_run:
        for step in steps:
            out.print(f"  {escape(step)}")
        out.print("[yellow]dry run:[/] nothing was built or written")
        return None
    return carry_out(project, plan, runner)


def carry_out(project: Project, plan: BuildPlan, runner: ToolRunner) -> Manifest:
    """Run a planned build and show what it made."""
    manifest = run_build(project, plan, runner, datetime.datetime.now(datetime.UTC))
    for entry in manifest.files:
        out.print(f"  {entry.sha256}  {entry.path}")
    where = dist_dir(project, manifest.name, manifest.version).relative_to(project.root)
    out.print(f"[green]built[/] {manifest.name} {manifest.version} in {where}/")
    return manifest


def push(project: Project, *, version: str | None, dry_run: bool, env: str | None = None) -> None:
    """Push a verified build to the store (and the index), and its image to the Kubernetes
    environments' registries (``env``: only that environment's). Everything is checked
    before anything is pushed."""
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
    destinations = image_destinations(project, manifest, env)
    store = DirectoryStore(project.path(project.config.artifacts.store))
    artifacts = project.config.artifacts
    image = manifest.file(FileKind.IMAGE)  # the archive inv build --image recorded
    archive = build_path / (image.path if image else IMAGE_ARCHIVE)
    out.print(f"push {name} {version}: {len(manifest.files)} files, checksums verified")
    out.print(f"  to {store.location(name, version)}")
    if artifacts.publish_url:
        out.print(f"  and publish the wheel and sdist to {artifacts.publish_url}")
    for destination in destinations:
        out.print(f"  and the image ({archive.name}) to {escape(destination.describe())}")
    if dry_run:
        existing = store.location(name, version) / MANIFEST
        if existing.is_file():
            out.print(
                "  (the store already holds this version: it will be compared, never replaced)"
            )
        for argv in registry.planned_commands(archive, destinations):
            out.print(f"  {escape(shlex.join(argv))}")
    image_push = registry.check(runner, archive, destinations) if destinations else None
    if dry_run:
        for destination, action in image_push.steps if image_push else ():
            out.print(f"  {escape(destination.reference)}: {action_note(action)}")
        out.print("[yellow]dry run:[/] nothing was pushed")
        return
    out.print(store.push(build_path, manifest))
    if artifacts.publish_url:
        out.print(
            publish_build(build_path, manifest, artifacts.publish_url, artifacts.index_url, runner)
        )
    if image_push:
        for line in registry.copy(runner, image_push):
            out.print(escape(line))


def action_note(action: images.Action) -> str:
    if action is images.Action.KEEP:
        return "already holds this image: nothing to copy"
    return "no such tag yet: it will be copied"


def image_destinations(
    project: Project, manifest: Manifest, env: str | None
) -> list[images.Destination]:
    """Where the build's image goes; a build without one is refused when ``env`` asks for it,
    and otherwise said (the store push goes on: a local deploy needs no image)."""
    config = project.config
    wanted = images.destinations(
        config.kubernetes, manifest.version, env, local=list(config.environments)
    )
    if not wanted or manifest.file(FileKind.IMAGE) is not None:
        return wanted
    runs = [name for destination in wanted for name in destination.environments]
    if env is not None:
        raise ShipwayError(images.no_archive(manifest.name, manifest.version, runs))
    out.print(
        f"[yellow]note:[/] this build has no image (`inv build --image` builds one): nothing "
        f"is pushed to the registries of {escape(', '.join(runs))}"
    )
    return []


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
    """The version `inv build` gives the current commit (dirty trees allowed: only a lookup);
    where the build backend decides it, the version of this commit's newest build."""
    version = known_version(project, runner)
    if version is None:
        raise ShipwayError(
            f"the build backend decides {project.service_package.name}'s version and this "
            "commit has no build yet: run `inv build` first, or pass --version"
        )
    return version


def known_version(project: Project, runner: ToolRunner) -> str | None:
    """The current commit's version, if it is known without building (see current_version)."""
    how = recipe(project.service_package)
    git = git_facts(runner)
    if how.computes_version:
        return build_version(git, how.base_version, allow_dirty=True).version
    return newest_build_of(project, git.sha)


def newest_build_of(project: Project, sha: str) -> str | None:
    """The version of the newest build in dist/<name>/ made from commit ``sha``."""
    builds = project.root / "dist" / project.service_package.name
    manifests = [
        Manifest.parse((path / MANIFEST).read_text(encoding="utf-8"), str(path / MANIFEST))
        for path in (builds.iterdir() if builds.is_dir() else [])
        if (path / MANIFEST).is_file()
    ]
    made_here = [m for m in manifests if m.git_sha == sha]
    return max(made_here, key=lambda m: m.build_time).version if made_here else None


def version_of_this_commit(project: Project, store: DirectoryStore, *, dry_run: bool) -> str:
    """The version to deploy when none is given: this commit's, built and pushed first when the
    store lacks it (not in a dry run); a stored version from another commit is refused."""
    runner = ToolRunner(project.root)
    name = project.service_package.name
    version = known_version(project, runner)
    if version is not None and version in store.versions(name):
        refuse_other_commit(store, name, version, git_facts(runner).sha)
        return version
    if dry_run:
        return version or "<the version the build backend gives this commit>"
    which = f"{name} {version}" if version else name
    out.print(f"{which} (this commit) is not in the store: building and pushing it")
    plan = plan_build(project, runner, allow_dirty=True, image=False)
    out.print(escape(describe(project, plan)[0]))
    manifest = carry_out(project, plan, runner)
    push(project, version=manifest.version, dry_run=False)
    return manifest.version


def refuse_other_commit(store: DirectoryStore, name: str, version: str, sha: str) -> None:
    stored = read_manifest(store.location(name, version))
    if stored.git_sha != sha:
        raise ShipwayError(
            f"{name} {version} in the store was built from commit {stored.git_sha[:12]}, not "
            f"from this commit {sha[:12]}: give this commit a new version, or deploy "
            f"--version {version} to deploy the stored one"
        )
