"""inv build --image tags the image as inv push pushes it and a Kubernetes pod runs it."""

from pathlib import Path

from shipway.config import load_project
from shipway.decisions.release.image import Engine, image_tag
from shipway.decisions.release.recipe import ArtifactKind, Recipe, VersionSource
from shipway.decisions.release.registry import registry_reference
from shipway.decisions.release.requirements import RequirementsSource
from shipway.decisions.release.versioning import BuildVersion, GitFacts
from shipway.effects.release.build import BuildPlan, image_commands
from tests.unit.config.test_load import VALID, make_project


def test_the_built_image_is_tagged_as_the_pod_runs_it(tmp_path: Path) -> None:
    project = load_project(make_project(tmp_path, VALID))
    version = "1.4.0.dev2+gabc1234"
    plan = BuildPlan(
        "demo",
        Recipe(ArtifactKind.PACKAGE, "hatchling", VersionSource.STATIC, "1.4.0"),
        BuildVersion(version, release=False, dirty=False),
        GitFacts("a" * 40, 0, False, (), "v1.3.0", 2),
        RequirementsSource.LOCK,
        Engine.DOCKER,
    )
    [docker] = image_commands(project, plan, Engine.DOCKER, Path("out"))
    assert docker[docker.index("-t") + 1] == "demo:1.4.0.dev2-gabc1234"
    assert docker[docker.index("-t") + 1].split(":")[1] == image_tag(version)
    assert registry_reference("ghcr.io/acme/demo", version).endswith(":1.4.0.dev2-gabc1234")
    assert "type=oci,dest=out/image.oci.tar" in docker
