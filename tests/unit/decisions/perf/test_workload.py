"""What Locust runs: the built-in user's paths and how its answers are judged, or a locustfile."""

import json

from shipway.config.deploy import Environment
from shipway.config.perf import Perf
from shipway.decisions.deploy.checks import is_ready
from shipway.decisions.perf.workload import (
    PATHS_ENV,
    Workload,
    accepted_statuses,
    locust_env,
    trust_env,
    workload,
)

PERF_ENV = {"perf": Environment(port=8400, ready_path="/ready")}


def test_without_a_locustfile_the_built_in_user_loads_the_perf_environments_ready_path() -> None:
    load = workload(Perf(), PERF_ENV)
    assert load == Workload(locustfile=None, paths=("/ready",))
    assert load.builtin
    assert load.describe() == "the built-in user on /ready"


def test_without_a_perf_environment_the_default_path_is_the_root() -> None:
    assert workload(Perf(), {}).paths == ("/",)  # e.g. nox -s perf -- --host URL


def test_configured_paths_are_loaded_in_their_order() -> None:
    load = workload(Perf(paths=["/items", "/"]), PERF_ENV)
    assert load.paths == ("/items", "/")


def test_a_configured_locustfile_is_run_and_still_given_the_paths() -> None:
    load = workload(Perf(locustfile="locust/locustfile.py"), PERF_ENV)
    assert load == Workload(locustfile="locust/locustfile.py", paths=("/ready",))
    assert not load.builtin
    assert load.describe() == "the locustfile locust/locustfile.py"


def test_answers_are_judged_by_the_readiness_rule() -> None:
    assert accepted_statuses("/") == [(100, 499)]  # a 404 of an app without a root route too
    assert accepted_statuses("/items") == [(200, 299)]


def test_the_accepted_ranges_are_exactly_the_statuses_is_ready_accepts() -> None:
    for path in ("/", "/ready", "/api/chat"):
        accepted = {s for low, high in accepted_statuses(path) for s in range(low, high + 1)}
        assert accepted == {s for s in range(100, 600) if is_ready(path, s)}, path


def test_the_paths_reach_locust_as_json_in_one_environment_variable() -> None:
    env = locust_env(Workload(locustfile=None, paths=("/", "/items")))
    assert list(env) == [PATHS_ENV]
    assert json.loads(env[PATHS_ENV]) == [
        {"path": "/", "accepted": [[100, 499]]},
        {"path": "/items", "accepted": [[200, 299]]},
    ]


def test_locust_trusts_an_https_environment_by_its_trust_file() -> None:
    assert trust_env("/s/router/tls/trust.pem") == {
        "REQUESTS_CA_BUNDLE": "/s/router/tls/trust.pem",
        "SSL_CERT_FILE": "/s/router/tls/trust.pem",
    }


def test_plain_http_needs_no_trust() -> None:
    assert trust_env(None) == {}
