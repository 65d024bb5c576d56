from pathlib import Path

import pytest

from shipway.config import ConfigError, Project, load_project
from shipway.config.deploy import SmokeCheck

REPO = Path(__file__).resolve().parents[3]

VALID = """
[project]
name = "demo"
requires-python = ">=3.11"

[tool.shipway]
service = "svc"
python = ["3.11", "3.12"]

[tool.shipway.gates]
coverage = 85
"""


def make_project(tmp_path: Path, pyproject: str, service: str = "svc") -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / service).mkdir(exist_ok=True)
    (tmp_path / service / "pyproject.toml").write_text("[project]\nname = 'svc'\nversion = '1'\n")
    return tmp_path


def problems(tmp_path: Path, pyproject: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_project(make_project(tmp_path, pyproject))
    return caught.value.problems


def test_this_repository_configuration_is_valid() -> None:
    project = load_project(REPO)
    assert project.config.gates.coverage == 90
    assert project.config.python == ["3.11", "3.12", "3.13"]
    assert project.service_dir == REPO / "examples" / "chatbot"
    assert project.config.app == "chatbot.app:app"


def test_valid_table_is_typed(tmp_path: Path) -> None:
    project = load_project(make_project(tmp_path, VALID))
    assert isinstance(project, Project)
    assert project.config.gates.coverage == 85.0
    assert project.config.python == ["3.11", "3.12"]
    assert project.pyproject == tmp_path / "pyproject.toml"
    assert project.service_package.name == "svc"
    assert project.service_package.version == "1"
    assert project.requires_python.contains("3.11")


def test_defaults_fill_a_minimal_table(tmp_path: Path) -> None:
    minimal = '[project]\nname = "d"\n[tool.shipway]\n'
    (tmp_path / "pyproject.toml").write_text(minimal)
    config = load_project(tmp_path).config
    assert config.service == "."
    assert config.gates.coverage == 90
    assert config.python == ["3.11", "3.12", "3.13"]


def test_unknown_key_names_key_value_and_allowed_keys(tmp_path: Path) -> None:
    [problem] = problems(
        tmp_path, VALID.replace("[tool.shipway]\n", "[tool.shipway]\nbogus_key = 1\n")
    )
    assert problem == (
        "tool.shipway.bogus_key = 1: unknown key; allowed keys: app, artifacts, dast, environments, gates, name, perf, python, security, server, service, tests"
    )


def test_unknown_nested_key_lists_that_tables_keys(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID + "covrage = 80\n")
    assert problem == "tool.shipway.gates.covrage = 80: unknown key; allowed keys: coverage, perf"


def test_out_of_range_gate_names_limit_and_allowed_range(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace("coverage = 85", "coverage = 130"))
    assert problem.startswith("tool.shipway.gates.coverage = 130: input should be less than or")
    assert "allowed: minimum total coverage, in percent (0-100)" in problem


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace("coverage = 85", 'coverage = "high"'))
    assert problem.startswith('tool.shipway.gates.coverage = "high": input should be a valid')


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = VALID.replace("coverage = 85", "coverage = -1").replace('"3.12"', '"3.x"')
    found = problems(tmp_path, bad)
    assert len(found) == 2
    assert any(
        p.startswith('tool.shipway.python[1] = "3.x": not in the allowed form') for p in found
    )


def test_python_version_outside_requires_python(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('"3.11", "3.12"', '"3.10", "3.12"'))
    assert problem == "tool.shipway.python: 3.10 is outside project.requires-python '>=3.11'"


def test_duplicate_python_versions(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('"3.11", "3.12"', '"3.12", "3.12"'))
    assert "lists 3.12 more than once" in problem


def test_empty_python_list(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('"3.11", "3.12"', ""))
    assert problem.startswith("tool.shipway.python = []: list should have at least 1 item")


@pytest.mark.parametrize("service", ["/abs/path", "../outside"])
def test_service_must_stay_inside_the_project(tmp_path: Path, service: str) -> None:
    [problem] = problems(tmp_path, VALID.replace('service = "svc"', f'service = "{service}"'))
    assert "must be a relative path inside the project" in problem


def test_service_without_a_project_is_reported(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('service = "svc"', 'service = "nowhere"'))
    assert problem == (
        'tool.shipway.service = "nowhere": no such directory; '
        "allowed: the directory of the service, relative to this file"
    )


def test_app_must_be_module_colon_attribute(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace("[tool.shipway]\n", '[tool.shipway]\napp = "x"\n'))
    assert problem.startswith('tool.shipway.app = "x": not in the allowed form')
    assert "'module:attribute'" in problem


def test_missing_table(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, '[project]\nname = "d"\n')
    assert "no [tool.shipway] table" in problem


def test_table_of_wrong_type(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, '[project]\nname = "d"\n[tool]\nshipway = 3\n')
    assert problem == "tool.shipway must be a table, not 3"


def test_invalid_toml_names_the_position(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "[tool.shipway\n")
    assert problem.startswith("is not valid TOML:")
    assert "line 1" in problem


def test_missing_pyproject(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert "file not found" in str(caught.value)
    assert str(tmp_path / "pyproject.toml") in str(caught.value)


def test_bad_requires_python(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('">=3.11"', '"three"'))
    assert problem == "project.requires-python = \"three\": not a version specifier like '>=3.11'"


def test_long_values_are_shortened(tmp_path: Path) -> None:
    long_value = "x" * 200
    [problem] = problems(tmp_path, VALID + f'junk = "{long_value}"\n')
    assert long_value not in problem
    assert "…" in problem


def test_error_message_lists_source_and_problems(tmp_path: Path) -> None:
    error = ConfigError(tmp_path / "pyproject.toml", ["first", "second"])
    assert (
        str(error)
        == f"invalid configuration in {tmp_path / 'pyproject.toml'}:\n  - first\n  - second"
    )


def test_unreadable_pyproject_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(ConfigError, match="cannot be read"):
        load_project(tmp_path)


def test_values_json_cannot_show_are_shown_as_python(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, VALID.replace('service = "svc"', "service = 1979-05-27"))
    assert problem.startswith("tool.shipway.service = datetime.date(1979, 5, 27): input should be")


def test_a_name_that_contradicts_the_service_project_is_reported(tmp_path: Path) -> None:
    [problem] = problems(
        tmp_path, VALID.replace("[tool.shipway]\n", '[tool.shipway]\nname = "x"\n')
    )
    assert problem.startswith(
        "tool.shipway.service = \"svc\": the service's [project] name is 'svc', but "
        "tool.shipway.name = 'x'"
    )


SECURITY = """
[tool.shipway.security]
fail_on = "medium"
on_unavailable = "warn"
advisory_source = "http://127.0.0.1:9999/v1/query"
allowed_licenses = ["MIT"]

[[tool.shipway.security.allow]]
id = "GHSA-x84v-xcm2-53pg"
reason = "not reachable from our code"
expires = 2027-01-31
"""


def test_security_table_is_typed(tmp_path: Path) -> None:
    security = load_project(make_project(tmp_path, VALID + SECURITY)).config.security
    assert security.fail_on == "medium"
    assert security.on_unavailable == "warn"
    assert security.allowed_licenses == ["MIT"]
    [entry] = security.allow
    assert entry.id == "GHSA-x84v-xcm2-53pg"
    assert entry.expires.isoformat() == "2027-01-31"
    assert entry.path is None


def test_security_defaults_fail_closed(tmp_path: Path) -> None:
    security = load_project(make_project(tmp_path, VALID)).config.security
    assert (security.fail_on, security.on_unavailable, security.advisory_source) == (
        "high",
        "fail",
        "osv",
    )
    assert "MIT" in security.allowed_licenses


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'fail_on = "medium"',
            'fail_on = "severe"',
            "tool.shipway.security.fail_on = \"severe\": input should be 'critical', 'high', 'medium' or 'low'",
        ),
        (
            'advisory_source = "http://127.0.0.1:9999/v1/query"',
            'advisory_source = "ftp://x"',
            "not 'osv', 'pypi' or an http(s) URL",
        ),
        (
            "expires = 2027-01-31",
            'expires = "someday"',
            'tool.shipway.security.allow[0].expires = "someday": input should be a valid date',
        ),
        (
            'reason = "not reachable from our code"',
            'reason = ""',
            'tool.shipway.security.allow[0].reason = "": string should have at least 1 character',
        ),
        (
            'reason = "not reachable from our code"',
            'reson = "typo"',
            'tool.shipway.security.allow[0].reson = "typo": unknown key; allowed keys: expires, id, path, reason',
        ),
    ],
)
def test_bad_security_settings_are_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    found = problems(tmp_path, VALID + SECURITY.replace(old, new))
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            'publish_url = "ftp://x"',
            'tool.shipway.artifacts.publish_url = "ftp://x": not an http(s) URL',
        ),
        (
            'platforms = ["amd64"]',
            'tool.shipway.artifacts.platforms = ["amd64"]: amd64 not in the form os/arch[/variant]',
        ),
        (
            "require_signature = 1.5",
            "tool.shipway.artifacts.require_signature = 1.5: input should be a valid boolean",
        ),
    ],
)
def test_bad_artifact_settings_are_named(tmp_path: Path, setting: str, expected: str) -> None:
    found = problems(tmp_path, VALID + f"[tool.shipway.artifacts]\n{setting}\n")
    assert any(problem.startswith(expected) for problem in found), found


def test_artifact_paths_resolve_against_the_project(tmp_path: Path) -> None:
    project = load_project(
        make_project(tmp_path, VALID + '[tool.shipway.artifacts]\npublish_url = "https://i/"\n')
    )
    assert project.path(project.config.artifacts.store) == tmp_path / ".shipway" / "artifacts"
    assert project.path("/abs/store") == Path("/abs/store")
    assert project.config.artifacts.publish_url == "https://i/"


ENVIRONMENTS = """
[tool.shipway.environments.dev]
port = 8100
ready_timeout = "500ms"
scale_down_delay = "2m"
secrets = { API_TOKEN = "env:API_TOKEN", DB = "file:secrets/db" }
notify = "env:SLACK_WEBHOOK"

[tool.shipway.environments.prod]
port = 8300
approval = true
"""


def test_environments_are_typed_with_durations_and_derived_ports(tmp_path: Path) -> None:
    environments = load_project(make_project(tmp_path, VALID + ENVIRONMENTS)).config.environments
    dev = environments["dev"]
    assert (dev.ready_timeout, dev.scale_down_delay) == (0.5, 120.0)
    assert dev.ports == (8100, 8102, 8103)
    assert dev.url == "http://127.0.0.1:8100"
    assert dev.secrets == {"API_TOKEN": "env:API_TOKEN", "DB": "file:secrets/db"}
    assert environments["prod"].approval is True
    prod = environments["prod"]
    assert (prod.ready_path, prod.smoke) == ("/", None)  # asks nothing of the app but to answer
    assert prod.smoke_checks == [SmokeCheck(path="/", status=None, expect_version=False)]


def test_an_explicit_ready_path_must_answer_2xx_and_is_the_default_smoke_check(
    tmp_path: Path,
) -> None:
    toml = VALID + '[tool.shipway.environments.dev]\nport = 8100\nready_path = "/healthz"\n'
    dev = load_project(make_project(tmp_path, toml)).config.environments["dev"]
    assert dev.smoke_checks == [SmokeCheck(path="/healthz", status=200, expect_version=False)]
    bad = VALID + '[tool.shipway.environments.dev]\nport = 8100\nready_path = "healthz"\n'
    with pytest.raises(ConfigError, match=r'ready_path = "healthz": .* a path starting with'):
        load_project(make_project(tmp_path, bad))


def test_the_release_header_defaults_to_shipways_own(tmp_path: Path) -> None:
    prod = load_project(make_project(tmp_path, VALID + ENVIRONMENTS)).config.environments["prod"]
    assert prod.release_header == "x-shipway-release"


def test_the_release_header_may_be_any_lowercase_http_token(tmp_path: Path) -> None:
    toml = ENVIRONMENTS.replace("approval = true", 'release_header = "x-app_release.v1~"')
    prod = load_project(make_project(tmp_path, VALID + toml)).config.environments["prod"]
    assert prod.release_header == "x-app_release.v1~"


@pytest.mark.parametrize("name", ["X-Release", "x release", "x:release", ""])
def test_a_release_header_that_is_no_lowercase_http_token_is_named(
    tmp_path: Path, name: str
) -> None:
    toml = ENVIRONMENTS.replace("approval = true", f'release_header = "{name}"')
    expected = (
        f'tool.shipway.environments.prod.release_header = "{name}": not in the allowed form; '
        "allowed: a lowercase HTTP header name"
    )
    found = problems(tmp_path, VALID + toml)
    assert any(problem.startswith(expected) for problem in found), found


@pytest.mark.parametrize("name", ["host", "content-length", "set-cookie"])
def test_a_release_header_http_itself_needs_is_refused(tmp_path: Path, name: str) -> None:
    toml = ENVIRONMENTS.replace("approval = true", f'release_header = "{name}"')
    assert (
        f'tool.shipway.environments.prod.release_header = "{name}": {name} is a header HTTP '
        "itself needs; choose another name"
    ) in problems(tmp_path, VALID + toml)[0]


def test_canary_defaults_are_the_seeds_triggers_and_durations_parse(tmp_path: Path) -> None:
    canary = ENVIRONMENTS.replace(
        "approval = true",
        'approval = true\nstrategy = "canary"\n'
        'steps = [{ weight = 10, pause = "1m" }, { weight = 60 }]\n'
        'analysis = { window = "2m", interval = "15s" }',
    )
    prod = load_project(make_project(tmp_path, VALID + canary)).config.environments["prod"]
    assert prod.strategy == "canary"
    assert [(s.weight, s.pause) for s in prod.steps] == [(10, 60.0), (60, 30.0)]
    rules = prod.analysis
    assert (rules.window, rules.interval) == (120.0, 15.0)
    assert (rules.error_rate, rules.p95_ms, rules.health_failures) == (0.05, 2000, 3)
    assert (rules.failure_limit, rules.consecutive_error_limit, rules.inconclusive) == (
        0,
        4,
        "pause",
    )
    dev = load_project(make_project(tmp_path, VALID + ENVIRONMENTS)).config.environments["dev"]
    assert [s.weight for s in dev.steps] == [5, 25, 50]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("port = 8300", "port = 8102", "environments dev and prod both use port 8102"),
        (
            "port = 8300",
            'port = "high"',
            'tool.shipway.environments.prod.port = "high": input should be a valid integer',
        ),
        (
            'ready_timeout = "500ms"',
            'ready_timeout = "soon"',
            'tool.shipway.environments.dev.ready_timeout = "soon": input should be a valid number',
        ),
        (
            'API_TOKEN = "env:API_TOKEN"',
            'API_TOKEN = "hunter2"',
            'tool.shipway.environments.dev.secrets.API_TOKEN = "hunter2": not in the allowed form',
        ),
        (
            "[tool.shipway.environments.prod]",
            "[tool.shipway.environments.Prod]",
            "tool.shipway.environments.Prod",
        ),
        (
            'notify = "env:SLACK_WEBHOOK"',
            'notify = "slack"',
            "not an http(s) URL, env:NAME or file:PATH",
        ),
        (
            "approval = true",
            "approval = true\nrelease_ports = [8300, 8302]",
            "ports must all differ",
        ),
        (
            "approval = true",
            "approval = true\nadmin_port = 8301",
            "admin_port is gone: the router's admin API is a Unix socket in the state directory "
            "now, open to its owner alone; remove admin_port",
        ),
        (
            "approval = true",
            'strategy = "rolling"',
            'tool.shipway.environments.prod.strategy = "rolling": input should be '
            "'blue-green' or 'canary'",
        ),
        (
            "approval = true",
            "steps = [{ weight = 5 }, { weight = 100 }]",
            "tool.shipway.environments.prod.steps[1].weight = 100: input should be less than or "
            "equal to 99; allowed: percent of traffic the new release gets",
        ),
        (
            "approval = true",
            "steps = [{ weight = 50 }, { weight = 25 }]",
            "weights must rise step by step, got [50, 25]",
        ),
        (
            "approval = true",
            'analysis = { error_rate = 5, window = "2m" }',
            "tool.shipway.environments.prod.analysis.error_rate = 5: input should be less than or "
            "equal to 1; allowed: highest share of 5xx answers in a window (0-1)",
        ),
        (
            "approval = true",
            'analysis = { inconclusive = "pass" }',
            "input should be 'pause' or 'fail'",
        ),
        (
            "approval = true",
            "analysis = { p50_ms = 100 }",
            "tool.shipway.environments.prod.analysis.p50_ms = 100: unknown key; allowed keys: "
            "compare_to_stable, consecutive_error_limit, error_rate, failure_limit, "
            "health_failures, inconclusive, interval, max_pause, min_requests, p95_ms, p99_ms, "
            "window",
        ),
    ],
)
def test_bad_environment_settings_are_named(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    found = problems(tmp_path, VALID + ENVIRONMENTS.replace(old, new))
    assert any(expected in problem for problem in found), found


PERF = """
[tool.shipway.gates.perf]
p95_ms = 250
error_rate = 0.02
min_rps = 5

[tool.shipway.perf]
profile = "stress"
baseline = ".shipway/perf-baseline.json"

[tool.shipway.perf.profiles]
load = { users = 5, duration = "10s" }
spike = { users = 50, spawn_rate = 50, duration = "1m", processes = 2 }
"""


def test_perf_defaults_are_short_enough_for_ci(tmp_path: Path) -> None:
    config = load_project(make_project(tmp_path, VALID)).config
    gates, perf = config.gates.perf, config.perf
    assert (gates.p95_ms, gates.error_rate, gates.min_rps, gates.max_regression) == (
        500,
        0.01,
        0,
        0.2,
    )
    assert perf.profile == "load"
    assert set(perf.profiles) == {"load", "stress", "spike", "soak"}
    assert perf.profiles["load"].duration <= 30
    assert perf.profiles["load"].processes == "auto"
    assert perf.environment == "perf"
    assert perf.baseline == "benchmarks/perf-baseline.json"
    assert perf.locustfile is None  # none given: the built-in user
    assert perf.paths is None  # the perf environment's ready_path


def test_this_repository_keeps_its_chat_locustfile() -> None:
    perf = load_project(REPO).config.perf
    assert perf.locustfile == "locust/locustfile.py"
    assert (REPO / perf.locustfile).is_file()


def test_perf_paths_are_url_paths(tmp_path: Path) -> None:
    toml = VALID + '[tool.shipway.perf]\npaths = ["/", "/api/items?page=1"]\n'
    assert load_project(make_project(tmp_path, toml)).config.perf.paths == [
        "/",
        "/api/items?page=1",
    ]


def test_perf_profiles_override_only_the_keys_they_name(tmp_path: Path) -> None:
    config = load_project(make_project(tmp_path, VALID + PERF)).config
    load, spike = config.perf.profiles["load"], config.perf.profiles["spike"]
    assert (load.users, load.spawn_rate, load.duration) == (5, 10, 10.0)
    assert (spike.users, spike.duration, spike.processes) == (50, 60.0, 2)
    assert config.perf.profiles["soak"].duration == 1800
    assert (config.gates.perf.p95_ms, config.gates.perf.error_rate) == (250, 0.02)
    assert config.perf.profile == "stress"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "p95_ms = 250",
            "p95_ms = -5",
            "tool.shipway.gates.perf.p95_ms = -5: input should be greater than 0; "
            "allowed: highest 95th-percentile response time, in ms (> 0)",
        ),
        (
            "min_rps = 5",
            "min_rps = -1",
            "tool.shipway.gates.perf.min_rps = -1: input should be greater than or equal to 0",
        ),
        (
            "error_rate = 0.02",
            "error_rate = 2",
            "tool.shipway.gates.perf.error_rate = 2: input should be less than or equal to 1",
        ),
        (
            "min_rps = 5",
            "max_regression = -0.1",
            "tool.shipway.gates.perf.max_regression = -0.1: input should be greater than or",
        ),
        (
            'profile = "stress"',
            'profile = "bursty"',
            "tool.shipway.perf.profile = \"bursty\": input should be 'load', 'stress', 'spike' or 'soak'",
        ),
        (
            "spike = {",
            "bursty = {",
            "tool.shipway.perf.profiles = {",
        ),
        (
            "spike = {",
            "bursty = {",
            "unknown profile bursty; allowed: load, stress, spike or soak",
        ),
        (
            "users = 5,",
            "users = 0,",
            "tool.shipway.perf.profiles.load.users = 0: input should be greater than or equal to 1",
        ),
        (
            'duration = "10s"',
            'duration = "0s"',
            'tool.shipway.perf.profiles.load.duration = "0s": input should be greater than 0',
        ),
        (
            "processes = 2",
            "processes = 0",
            "tool.shipway.perf.profiles.spike.processes = 0: must be at least 1",
        ),
        ('profile = "stress"', "threads = 4", "tool.shipway.perf.threads = 4: unknown key"),
        (
            'profile = "stress"',
            'paths = ["/", "health"]',
            'tool.shipway.perf.paths[1] = "health": not in the allowed form; allowed: URL paths, '
            "each starting with '/'",
        ),
        (
            'profile = "stress"',
            "paths = []",
            "tool.shipway.perf.paths = []: list should have at least 1 item after validation",
        ),
        (
            'profile = "stress"',
            'paths = ["/a", "/b", "/a"]',
            'tool.shipway.perf.paths = ["/a", "/b", "/a"]: lists /a more than once',
        ),
    ],
)
def test_bad_perf_settings_are_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    found = problems(tmp_path, VALID + PERF.replace(old, new, 1))
    assert any(expected in problem for problem in found), found


def test_test_tiers_default_to_unit_everywhere_and_integration_on_the_newest_python(
    tmp_path: Path,
) -> None:
    config = load_project(make_project(tmp_path, VALID)).config
    assert config.tests.unit == ["tests/unit"]
    assert config.tests.integration == ["tests/integration", "tests/e2e"]
    assert config.integration_python == "3.12"
    assert config.tests.workers == "auto"


def test_newest_python_compares_versions_not_strings(tmp_path: Path) -> None:
    ten = VALID.replace('python = ["3.11", "3.12"]', 'python = ["3.9", "3.10"]').replace(
        ">=3.11", ">=3.9"
    )
    assert load_project(make_project(tmp_path, ten)).config.integration_python == "3.10"


def test_test_tiers_can_be_configured(tmp_path: Path) -> None:
    tiers = '[tool.shipway.tests]\nunit = ["tests"]\nintegration = ["it"]\n'
    tiers += 'integration_python = "3.11"\nworkers = 3\n'
    config = load_project(make_project(tmp_path, VALID + tiers)).config
    assert (config.tests.unit, config.tests.integration) == (["tests"], ["it"])
    assert (config.integration_python, config.tests.workers) == ("3.11", 3)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            'integration_python = "3.13"',
            'tool.shipway.tests.integration_python = "3.13": not a Python of the matrix; '
            "allowed: one of tool.shipway.python (3.11, 3.12)",
        ),
        (
            'unit = ["tests"]',
            'tool.shipway.tests = {"unit": ["tests"]}: unit path \'tests\' and '
            "integration path "
            "'tests/integration' overlap: each test belongs to one tier (integration = [] for none)",
        ),
        (
            'unit = ["../elsewhere"]',
            'tool.shipway.tests.unit = ["../elsewhere"]: must be a relative path '
            "inside the project (no '..')",
        ),
        ("workers = 0", "tool.shipway.tests.workers = 0: must be at least 1"),
    ],
)
def test_bad_test_tier_settings_are_named(tmp_path: Path, setting: str, expected: str) -> None:
    [problem] = problems(tmp_path, VALID + f"[tool.shipway.tests]\n{setting}\n")
    assert problem.startswith(expected), problem
