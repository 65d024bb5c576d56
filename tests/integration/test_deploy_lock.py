"""The deploy lock on a real file: flock semantics, holder notes, and failures inside it."""

from pathlib import Path

import pytest

from shipway.effects.deploy.files import EnvFiles, deploy_lock, read_holder
from shipway.errors import ShipwayError


def test_a_command_that_fails_inside_the_lock_is_not_reported_as_a_dead_holder(
    tmp_path: Path,
) -> None:
    files = EnvFiles(tmp_path)
    holders = []

    def failing_deploy() -> None:
        with deploy_lock(files, "deploying 2.0"):
            holders.append(read_holder(files))
            raise ShipwayError("failed")

    with pytest.raises(ShipwayError, match="failed"):
        failing_deploy()
    assert holders[0] is not None
    assert read_holder(files) is None
    with deploy_lock(files, "deploying 2.0") as takeover:
        assert takeover is None


def test_a_held_lock_names_its_holder(tmp_path: Path) -> None:
    files = EnvFiles(tmp_path)
    with (
        deploy_lock(files, "deploying 2.0"),
        pytest.raises(ShipwayError, match=r"held by .*deploying 2\.0.*--lock-wait"),
        deploy_lock(files, "rolling back"),
    ):
        pass
