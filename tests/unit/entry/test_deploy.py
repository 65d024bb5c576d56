import pytest

from shipway.entry import deploy as deploy_tasks
from shipway.entry import tasks
from shipway.errors import ShipwayError
from tests.unit.entry.paths import REPO


def test_rollback_version_only_names_the_deploy_to_undo() -> None:
    project = tasks.prepare(str(REPO / "tasks.py"))
    with pytest.raises(ShipwayError, match="use it with --undo-deploy"):
        deploy_tasks.rollback(project, "dev", to=None, lock_wait=0, version="1.0.0")
