import pytest

from shipway.decisions.release.image import Engine, EngineProbe, choose_engine, image_tag
from shipway.errors import ShipwayError


def test_engine_choice_prefers_the_first_usable_and_explains_otherwise() -> None:
    docker_down = EngineProbe(Engine.DOCKER, True, False, "its daemon is not reachable")
    podman = EngineProbe(Engine.PODMAN, True, True)
    assert choose_engine([docker_down, podman]) is Engine.PODMAN
    with pytest.raises(
        ShipwayError, match=r"\(docker: its daemon is not reachable\)\. Install and start"
    ):
        choose_engine([docker_down, EngineProbe(Engine.PODMAN, False, False)])
    with pytest.raises(ShipwayError, match="none of docker, podman, buildah is installed"):
        choose_engine([EngineProbe(e, False, False) for e in Engine])


def test_the_image_tag_is_the_version_with_plus_made_tag_safe() -> None:
    assert image_tag("1.2.0") == "1.2.0"
    assert image_tag("0.3.0.dev4+g1a2b3c4.dirty") == "0.3.0.dev4-g1a2b3c4.dirty"
    with pytest.raises(ShipwayError, match="cannot be an image tag"):
        image_tag("-1")
    with pytest.raises(ShipwayError, match="at most 128 characters"):
        image_tag("1" * 129)
