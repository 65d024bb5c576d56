import pytest

from shipway.decisions.release.image import Engine, EngineProbe, choose_engine
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
