"""The generated Envoy configuration is accepted by the real Envoy."""

import json
import subprocess
from pathlib import Path

from shipway.decisions.deploy.router import envoy_config
from tests.support.processes import env_with


def test_envoy_validates_the_generated_configuration(tmp_path: Path) -> None:
    config = envoy_config(
        host="127.0.0.1",
        port=18000,
        admin_port=18001,
        slot_ports={"blue": 18002, "green": 18003},
        weights={"blue": 100, "green": 0},
        access_log=str(tmp_path / "access.log"),
    )
    path = tmp_path / "envoy.json"
    path.write_text(json.dumps(config))
    result = subprocess.run(
        ["envoy", "--mode", "validate", "-c", str(path)],
        capture_output=True,
        text=True,
        env=env_with(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"configuration '{path}' OK" in result.stdout + result.stderr
