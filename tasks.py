"""The delivery stages of this repository's pipeline, as invoke tasks. Logic lives in shipway."""

from invoke.context import Context
from invoke.tasks import task

from shipway.effects import release_tasks
from shipway.effects import tasks as shipway_tasks

project = shipway_tasks.prepare(__file__)  # a bad [tool.shipway] stops here, before any task


@task(help={"json": "print JSON on stdout instead of a table"})
def config(c: Context, json: bool = False) -> None:
    """Show the validated [tool.shipway] configuration, defaults included."""
    shipway_tasks.show_config(project, as_json=json)


@task(
    help={
        "allow-dirty": "build a release from a tree with uncommitted changes (marked +dirty)",
        "image": "also build the container image (needs docker buildx, podman or buildah)",
        "dry-run": "print what would be built and change nothing",
    }
)
def build(
    c: Context, allow_dirty: bool = False, image: bool = False, dry_run: bool = False
) -> None:
    """Build the service: wheel, sdist, locked requirements, SBOM, signed manifest."""
    with shipway_tasks.reported():
        release_tasks.build(project, allow_dirty=allow_dirty, image=image, dry_run=dry_run)


@task(
    help={
        "version": "version to push (default: the build of the current commit)",
        "dry-run": "print what would be pushed and change nothing",
    }
)
def push(c: Context, version: str | None = None, dry_run: bool = False) -> None:
    """Push a verified build to the artifact store (and the package index, if configured)."""
    with shipway_tasks.reported():
        release_tasks.push(project, version=version, dry_run=dry_run)


@task(help={"version": "version to verify", "from-index": "also fetch and check the index's copy"})
def verify(c: Context, version: str, from_index: bool = False) -> None:
    """Fetch a version from the artifact store and check every byte against its manifest."""
    with shipway_tasks.reported():
        release_tasks.verify(project, version=version, from_index=from_index)
