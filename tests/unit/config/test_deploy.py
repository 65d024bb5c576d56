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
