"""``[tool.shipway.environments.<name>]``: TLS at the router and its redirect port; how long
the previous release stays warm."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from shipway.config import load_project
from shipway.config.deploy import Environment
from tests.unit.config.test_load import VALID, make_project, problems

TLS = 'tls = { cert = "file:tls/server.pem", key = "env:SERVER_KEY" }\n'


def environment(**keys: str) -> str:
    lines = "".join(f"{key} = {value}\n" for key, value in {"port": "8100", **keys}.items())
    return f"[tool.shipway.environments.dev]\n{lines}"


def test_with_tls_the_environment_url_is_https(tmp_path: Path) -> None:
    toml = VALID + environment() + TLS
    dev = load_project(make_project(tmp_path, toml)).config.environments["dev"]
    assert dev.url == "https://127.0.0.1:8100"
    assert dev.tls is not None
    assert (dev.tls.cert, dev.tls.key, dev.tls.ca) == (
        "file:tls/server.pem",
        "env:SERVER_KEY",
        None,
    )


def test_without_tls_the_environment_url_is_http(tmp_path: Path) -> None:
    dev = load_project(make_project(tmp_path, VALID + environment())).config.environments["dev"]
    assert dev.url == "http://127.0.0.1:8100"


def test_tls_files_are_references_not_values(tmp_path: Path) -> None:
    toml = VALID + environment(tls='{ cert = "server.pem", key = "file:server.key" }')
    assert any(
        'tool.shipway.environments.dev.tls.cert = "server.pem": not in the allowed form' in problem
        for problem in problems(tmp_path, toml)
    )


def test_tls_needs_both_the_certificate_and_its_key(tmp_path: Path) -> None:
    toml = VALID + environment(tls='{ cert = "file:server.pem" }')
    assert any("tls.key" in problem for problem in problems(tmp_path, toml))


def test_tls_has_no_other_keys(tmp_path: Path) -> None:
    toml = VALID + environment(tls='{ cert = "file:c", key = "file:k", verify = false }')
    assert any("tls.verify" in problem for problem in problems(tmp_path, toml))


def test_the_redirect_port_is_one_of_the_environments_ports(tmp_path: Path) -> None:
    toml = VALID + environment(http_redirect_port="8080") + TLS
    dev = load_project(make_project(tmp_path, toml)).config.environments["dev"]
    assert dev.ports == (8100, 8102, 8103, 8080)


def test_a_redirect_port_needs_tls(tmp_path: Path) -> None:
    toml = VALID + environment(http_redirect_port="8080")
    assert any(
        "http_redirect_port redirects to HTTPS: it needs tls = { cert, key }" in problem
        for problem in problems(tmp_path, toml)
    )


def test_the_redirect_port_differs_from_the_environments_other_ports(tmp_path: Path) -> None:
    toml = VALID + environment(http_redirect_port="8102") + TLS
    assert any(
        "ports must all differ, got 8100, 8102, 8103, 8102" in problem
        for problem in problems(tmp_path, toml)
    )


def test_the_redirect_port_is_not_another_environments_port(tmp_path: Path) -> None:
    toml = VALID + environment(http_redirect_port="8200") + TLS
    toml += "[tool.shipway.environments.prod]\nport = 8200\n"
    assert any(
        "environments dev and prod both use port 8200" in problem
        for problem in problems(tmp_path, toml)
    )


def test_a_redirect_port_is_a_port(tmp_path: Path) -> None:
    toml = VALID + environment(http_redirect_port="80800") + TLS
    assert any("http_redirect_port = 80800" in problem for problem in problems(tmp_path, toml))


def test_scale_down_never_keeps_the_previous_release_and_watches_one_window() -> None:
    never = Environment(port=8000, scale_down_delay="never", analysis={"window": "2m"})
    assert (never.keeps_previous, never.warm_window) == (True, 120.0)
    timed = Environment(port=8000, scale_down_delay="10s")
    assert (timed.keeps_previous, timed.warm_window) == (False, 10.0)
    with pytest.raises(ValidationError):
        Environment.model_validate({"port": 8000, "scale_down_delay": "forever"})


# -- the preview port and manual pauses ---------------------------------------------------


def test_a_preview_port_is_one_of_the_environments_ports_with_its_own_url(tmp_path: Path) -> None:
    toml = VALID + environment(preview_port="8105")
    dev = load_project(make_project(tmp_path, toml)).config.environments["dev"]
    assert dev.ports == (8100, 8102, 8103, 8105)
    assert dev.preview_url == "http://127.0.0.1:8105"
    assert Environment(port=8000).preview_url is None


def test_the_preview_port_speaks_tls_when_the_environment_does(tmp_path: Path) -> None:
    toml = VALID + environment(preview_port="8105") + TLS
    dev = load_project(make_project(tmp_path, toml)).config.environments["dev"]
    assert dev.preview_url == "https://127.0.0.1:8105"


@pytest.mark.parametrize(
    ("keys", "taken"),
    [
        ({"preview_port": "8100"}, "port"),
        ({"preview_port": "8103"}, "release_ports"),
        ({"preview_port": "9001", "release_ports": "[9000, 9001]"}, "release_ports"),
    ],
)
def test_a_preview_port_the_environment_already_uses_is_refused_naming_it(
    tmp_path: Path, keys: dict[str, str], taken: str
) -> None:
    port = keys["preview_port"]
    found = problems(tmp_path, VALID + environment(**keys))
    assert any(
        f"preview_port = {port} is already this environment's {taken}; allowed: a port of its "
        "own, not one of port 8100" in problem
        for problem in found
    ), found


def test_a_preview_port_may_not_be_the_redirect_port(tmp_path: Path) -> None:
    toml = VALID + environment(preview_port="8080", http_redirect_port="8080") + TLS
    assert any(
        "preview_port = 8080 is already this environment's http_redirect_port" in problem
        for problem in problems(tmp_path, toml)
    )


def test_a_preview_port_is_not_another_environments_port(tmp_path: Path) -> None:
    toml = VALID + environment(preview_port="8200")
    toml += "[tool.shipway.environments.prod]\nport = 8200\n"
    assert any(
        "environments dev and prod both use port 8200" in problem
        for problem in problems(tmp_path, toml)
    )


def test_a_canary_step_holds_for_a_duration_or_until_promoted() -> None:
    canary = Environment.model_validate(
        {
            "port": 8000,
            "strategy": "canary",
            "steps": [{"weight": 10, "pause": "2m"}, {"weight": 50, "pause": "manual"}],
        }
    )
    assert [(step.pause, step.manual) for step in canary.steps] == [
        (120.0, False),
        ("manual", True),
    ]
    assert canary.holds
    assert not Environment(port=8000, strategy="canary").holds


def test_a_step_pause_is_a_duration_or_manual(tmp_path: Path) -> None:
    toml = VALID + environment(strategy='"canary"', steps='[{ weight = 10, pause = "forever" }]')
    found = problems(tmp_path, toml)
    assert any(
        'tool.shipway.environments.dev.steps[0].pause = "forever"' in problem
        and "'manual'" in problem
        for problem in found
    ), found


def test_a_blue_green_deploy_may_hold_before_its_switch() -> None:
    held = Environment.model_validate({"port": 8000, "pause": "manual"})
    assert (held.strategy, held.pause, held.holds) == ("blue-green", "manual", True)
    assert not Environment(port=8000).holds


def test_a_canary_is_refused_the_blue_green_pause_and_told_where_its_pause_goes(
    tmp_path: Path,
) -> None:
    toml = VALID + environment(strategy='"canary"', pause='"manual"')
    assert any(
        'pause = "manual" holds a blue-green deploy before its switch; a canary holds at a '
        'step instead: steps = [{ weight = 20, pause = "manual" }, ...]' in problem
        for problem in problems(tmp_path, toml)
    )


def test_a_manual_step_in_a_blue_green_environment_is_refused(tmp_path: Path) -> None:
    """It would never hold: a blue-green deploy runs no steps."""
    toml = VALID + environment(steps='[{ weight = 10 }, { weight = 50, pause = "manual" }]')
    assert any(
        'steps[1].pause = "manual": steps are a canary\'s, and a blue-green deploy never runs '
        'them; allowed: strategy = "canary", or pause = "manual"' in problem
        for problem in problems(tmp_path, toml)
    )


def test_the_perf_environment_may_not_wait_for_promotion(tmp_path: Path) -> None:
    toml = VALID + '[tool.shipway.environments.perf]\nport = 8400\npause = "manual"\n'
    assert any(
        'perf.environment = "perf" waits for `inv promote`' in problem
        and "nox -s perf deploys it unattended" in problem
        for problem in problems(tmp_path, toml)
    )
    other = VALID + '[tool.shipway.environments.prod]\nport = 8400\npause = "manual"\n'
    assert load_project(make_project(tmp_path, other)).config.environments["prod"].holds
