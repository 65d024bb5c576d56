import dataclasses
from pathlib import Path

import pytest

from shipway.config.deploy import Environment
from shipway.decisions.deploy import commands
from shipway.decisions.deploy import unit as decide
from shipway.decisions.deploy.unit import Host, Plan, Remove, Run, Unit, Write
from shipway.errors import ShipwayError

PYTHON = "/srv/app/.venv/bin/python"
UNIT = Unit(
    package="chatbot",
    environment="prod",
    command=tuple(commands.supervise(PYTHON, "prod")),
    root="/srv/app",
    scope="system",
    user="deploy",
)
ROOT_HOST = Host(scope="system", user="root", home=Path("/root"), booted=True, lingering=False)
USER_HOST = Host(scope="user", user="ann", home=Path("/home/ann"), booted=True, lingering=True)


def settings(text: str) -> dict[str, list[str]]:
    """The unit's settings by name (a setting may repeat), comments and sections left out."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_supervisor_command_is_built_in_one_place() -> None:
    assert commands.supervise("/py", "dev") == ["/py", "-m", "shipway", "supervise", "--env", "dev"]
    assert commands.systemctl("enable", "x.service", user=False) == [
        "systemctl",
        "enable",
        "x.service",
    ]
    assert commands.systemctl("daemon-reload", user=True) == [
        "systemctl",
        "--user",
        "daemon-reload",
    ]
    assert commands.verify_unit(Path("/t/x.service")) == [
        "systemd-analyze",
        "verify",
        "/t/x.service",
    ]


def test_a_system_unit_starts_the_supervisor_as_the_installer_after_the_network() -> None:
    text = decide.render(UNIT)
    assert text.startswith(decide.MARKER)
    assert settings(text) == {
        "Description": ["shipway: chatbot prod supervisor"],
        "Wants": ["network-online.target"],
        "After": ["network-online.target"],
        "Type": ["simple"],
        "User": ["deploy"],
        "WorkingDirectory": ["/srv/app"],
        "ExecStart": [f"{PYTHON} -m shipway supervise --env prod"],
        "Restart": ["on-failure"],
        "RestartSec": ["5"],
        "KillMode": ["mixed"],
        "TimeoutStopSec": ["90"],
        "WantedBy": ["multi-user.target"],
    }
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert sections == ["[Unit]", "[Service]", "[Install]"]


def test_the_stop_timeout_outlasts_the_releases_graceful_stop() -> None:
    # gunicorn's graceful timeout (commands.gunicorn) and the 25 s stop grace, per release,
    # one after another for both slots
    gunicorn = commands.gunicorn(
        Path("/v"),
        "a:b",
        worker_options=[],
        workers=1,
        port=1,
        chdir=Path("/"),
        pid_file=Path("/p"),
    )
    graceful = int(gunicorn[gunicorn.index("--graceful-timeout") + 1])
    assert 2 * max(graceful, 25) + 10 < decide.STOP_TIMEOUT_S


def test_a_user_unit_has_no_user_and_waits_for_the_users_default_target() -> None:
    text = decide.render(dataclasses.replace(UNIT, scope="user"))
    found = settings(text)
    assert "User" not in found
    assert "After" not in found
    assert "Wants" not in found
    assert found["WantedBy"] == ["default.target"]
    assert found["ExecStart"] == [f"{PYTHON} -m shipway supervise --env prod"]


def test_the_env_file_line_names_the_file_and_only_when_given() -> None:
    assert "EnvironmentFile" not in settings(decide.render(UNIT))
    text = decide.render(dataclasses.replace(UNIT, env_file="/etc/shipway/prod 100%.env"))
    assert settings(text)["EnvironmentFile"] == ["/etc/shipway/prod 100%%.env"]
    service = text.split("[Service]")[1]
    assert service.index("EnvironmentFile=") < service.index("ExecStart=")


def test_paths_with_spaces_are_quoted_for_systemd() -> None:
    unit = dataclasses.replace(
        UNIT,
        root="/home/ann/my projects/app",
        command=tuple(commands.supervise("/home/ann/my projects/app/.venv/bin/python", "prod")),
    )
    found = settings(decide.render(unit))
    assert found["WorkingDirectory"] == ["/home/ann/my projects/app"]  # the whole line: no quotes
    assert found["ExecStart"] == [
        '"/home/ann/my projects/app/.venv/bin/python" -m shipway supervise --env prod'
    ]


@pytest.mark.parametrize(
    ("word", "written"),
    [
        ("plain-word_1.2:x=y,z@h+", "plain-word_1.2:x=y,z@h+"),
        ("a b", '"a b"'),
        ("100%", '"100%%"'),
        ("$HOME", '"$$HOME"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("it's", '"it\'s"'),
        (";", '";"'),
        ("", '""'),
        ("ünï", '"ünï"'),
    ],
)
def test_arguments_are_quoted_as_systemd_unquotes_them(word: str, written: str) -> None:
    assert decide.exec_line(["/bin/prog", word]) == f"/bin/prog {written}"


def test_the_programs_path_keeps_its_dollar_and_doubles_its_percent() -> None:
    # systemd expands specifiers in the program's path but no variables ($$ would stay $$)
    assert decide.exec_line(["/opt/a$b/100%/py"]) == '"/opt/a$b/100%%/py"'


@pytest.mark.parametrize("path", ['/opt/quo"te/python', "/opt/it's/python", "/opt/a\\b/python"])
def test_a_program_path_systemd_refuses_to_start_is_refused_here(path: str) -> None:
    with pytest.raises(ShipwayError, match="quote or a backslash"):
        decide.exec_line([path, "-m", "shipway"])


def test_values_that_are_not_one_line_of_text_are_refused() -> None:
    with pytest.raises(ShipwayError, match="not an absolute path"):
        decide.exec_line(["python", "-m", "shipway"])
    with pytest.raises(ShipwayError, match="printable"):
        decide.exec_line(["/bin/prog", "a\nExecStartPre=/bin/evil"])
    with pytest.raises(ShipwayError, match=r"WorkingDirectory=.*absolute"):
        decide.render(dataclasses.replace(UNIT, root="srv/app"))
    with pytest.raises(ShipwayError, match=r"WorkingDirectory=.*one line"):
        decide.render(dataclasses.replace(UNIT, root="/srv/app\n[Service]"))
    with pytest.raises(ShipwayError, match=r"EnvironmentFile=.*trailing backslash"):
        decide.render(dataclasses.replace(UNIT, env_file="/etc/x\\"))
    with pytest.raises(ShipwayError, match=r"EnvironmentFile=.*blanks"):
        decide.render(dataclasses.replace(UNIT, env_file="/etc/x "))


@pytest.mark.parametrize(
    ("package", "environment", "name"),
    [
        ("chatbot", "prod", "shipway-chatbot-prod.service"),
        ("Tiny_Svc", "dev", "shipway-tiny-svc-dev.service"),
        ("my.pkg--x", "blue-green", "shipway-my-pkg-x-blue-green.service"),
        ("Ünï Côde", "e", "shipway-n-c-de-e.service"),
    ],
)
def test_unit_names_are_made_safe_for_systemd(package: str, environment: str, name: str) -> None:
    assert decide.unit_name(package, environment) == name


def test_a_unit_name_past_systemds_limit_is_shortened_with_a_hash() -> None:
    long = decide.unit_name("p" * 300, "prod")
    other = decide.unit_name("p" * 301, "prod")
    assert len(long) == decide.NAME_MAX
    assert long.endswith(".service")
    assert long != other
    assert len(other) == decide.NAME_MAX


def test_requests_name_an_action_and_an_environment() -> None:
    assert decide.requested("install", "prod", "/etc/x.env") == "prod"
    with pytest.raises(ShipwayError, match="unknown action 'start': say install, uninstall or"):
        decide.requested("start", "prod", None)
    with pytest.raises(ShipwayError, match="say which environment"):
        decide.requested("show", None, None)
    with pytest.raises(ShipwayError, match="--env-file goes into the unit"):
        decide.requested("uninstall", "prod", "/etc/x.env")
    decide.check_target("prod", "local")
    with pytest.raises(ShipwayError, match=r"local environment .* only"):
        decide.check_target("prod", "kubernetes")


def test_unit_directories_by_scope_and_the_explicit_one() -> None:
    assert decide.placement(ROOT_HOST, None).directory == Path("/etc/systemd/system")
    assert decide.placement(USER_HOST, None).directory == Path("/home/ann/.config/systemd/user")
    assert decide.placement(USER_HOST, None).managed
    elsewhere = decide.placement(ROOT_HOST, Path("/tmp/units"))
    assert (elsewhere.directory, elsewhere.managed) == (Path("/tmp/units"), False)
    assert decide.placement(ROOT_HOST, Path("/etc/systemd/system")).managed
    assert decide.scope_of(0) == "system"
    assert decide.scope_of(1000) == "user"


def test_directory_problems() -> None:
    managed = decide.placement(USER_HOST, None)
    assert decide.directory_problem(managed, "ann", is_dir=False, writable=True) is None
    elsewhere = decide.placement(USER_HOST, Path("/nope"))
    problem = decide.directory_problem(elsewhere, "ann", is_dir=False, writable=True)
    assert problem == "--unit-dir /nope is not a directory"
    problem = decide.directory_problem(elsewhere, "ann", is_dir=True, writable=False)
    assert problem == "ann cannot write to /nope, or choose another --unit-dir"


def test_secrets_from_env_need_an_env_file_at_boot() -> None:
    config = Environment.model_validate(
        {
            "port": 8000,
            "secrets": {"KEY": "file:key.txt", "TOKEN": "env:API_TOKEN", "A": "env:A"},
        }
    )
    assert decide.boot_variables(config) == {"A": "A", "TOKEN": "API_TOKEN"}
    message = decide.env_file_needed("prod", decide.boot_variables(config))
    assert "A (env:A), TOKEN (env:API_TOKEN)" in message
    assert "A=… API_TOKEN=…" in message
    assert "--env-file PATH" in message
    assert decide.boot_variables(Environment.model_validate({"port": 8000})) == {}


def test_env_file_problems() -> None:
    regular = 0o100000
    assert decide.env_file_problem("/e", regular | 0o600, readable=True) is None
    assert decide.env_file_problem("/e", regular | 0o400, readable=True) is None
    missing = decide.env_file_problem("/e", None, readable=False)
    assert missing == "--env-file /e does not exist: create it (chmod 600) with NAME=value lines"
    shared = decide.env_file_problem("/e", regular | 0o644, readable=True)
    assert shared is not None
    assert "mode 0644" in shared
    assert "chmod 600 /e" in shared
    assert "not a regular file" in str(decide.env_file_problem("/e", 0o040700, readable=True))
    unreadable = decide.env_file_problem("/e", regular | 0o600, readable=False)
    assert unreadable == "--env-file /e cannot be read by the user who installs the unit"


def test_install_writes_reloads_and_enables_for_the_next_boot_without_starting() -> None:
    text = decide.render(UNIT)
    where = decide.placement(ROOT_HOST, None)
    path = Path("/etc/systemd/system/shipway-chatbot-prod.service")
    plan = decide.install_plan(UNIT, text, where, ROOT_HOST, None)
    assert plan.actions == (
        Write(path, text, None),
        Run(["systemctl", "daemon-reload"]),
        Run(["systemctl", "enable", "shipway-chatbot-prod.service"]),
    )
    assert not any("start" in a.argv for a in plan.actions if isinstance(a, Run))
    assert "starts shipway-chatbot-prod.service at the next boot" in plan.notes[0]


def test_install_of_the_same_text_only_enables_and_a_changed_one_replaces() -> None:
    text = decide.render(UNIT)
    where = decide.placement(ROOT_HOST, None)
    same = decide.install_plan(UNIT, text, where, ROOT_HOST, text)
    assert same.actions == (Run(["systemctl", "enable", "shipway-chatbot-prod.service"]),)
    assert "unchanged" in same.notes[0]
    old = decide.render(dataclasses.replace(UNIT, env_file="/etc/old.env"))
    changed = decide.install_plan(UNIT, text, where, ROOT_HOST, old)
    assert changed.actions[0] == Write(where.path(UNIT), text, old)


def test_a_user_unit_is_enabled_in_the_users_manager_and_asks_for_lingering() -> None:
    unit = dataclasses.replace(UNIT, scope="user", user="ann")
    host = dataclasses.replace(USER_HOST, lingering=False)
    plan = decide.install_plan(unit, decide.render(unit), decide.placement(host, None), host, None)
    runs = [a.argv for a in plan.actions if isinstance(a, Run)]
    assert runs == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "shipway-chatbot-prod.service"],
    ]
    assert any("sudo loginctl enable-linger ann" in note for note in plan.notes)
    lingering = decide.install_plan(
        unit, decide.render(unit), decide.placement(USER_HOST, None), USER_HOST, None
    )
    assert not any("linger" in note for note in lingering.notes)


def test_without_systemd_install_only_writes_and_says_what_starts_it_instead() -> None:
    host = dataclasses.replace(ROOT_HOST, booted=False)
    text = decide.render(UNIT)
    plan = decide.install_plan(UNIT, text, decide.placement(host, None), host, None)
    assert [type(a) for a in plan.actions] == [Write]
    [note] = plan.notes
    assert "systemd is not running on this host" in note
    assert "nothing will start /etc/systemd/system/shipway-chatbot-prod.service at boot" in note
    assert f"@reboot cd /srv/app && exec {PYTHON} -m shipway supervise --env prod" in note


def test_a_unit_outside_systemds_directory_is_written_and_left_to_the_operator() -> None:
    where = decide.placement(ROOT_HOST, Path("/tmp/units"))
    plan = decide.install_plan(UNIT, decide.render(UNIT), where, ROOT_HOST, None)
    assert [type(a) for a in plan.actions] == [Write]
    assert "systemctl enable /tmp/units/shipway-chatbot-prod.service" in plan.notes[0]
    existing = decide.render(UNIT)
    removal = decide.uninstall_plan(UNIT, where, ROOT_HOST, existing)
    assert removal.actions == (Remove(where.path(UNIT), existing),)
    assert "systemctl disable shipway-chatbot-prod.service" in removal.notes[0]


def test_uninstall_disables_removes_and_reloads() -> None:
    existing = decide.render(UNIT)
    where = decide.placement(ROOT_HOST, None)
    plan = decide.uninstall_plan(UNIT, where, ROOT_HOST, existing)
    assert plan.actions == (
        Run(["systemctl", "disable", "shipway-chatbot-prod.service"]),
        Remove(where.path(UNIT), existing),
        Run(["systemctl", "daemon-reload"]),
    )
    assert "keeps running" in plan.notes[0]
    nothing = decide.uninstall_plan(UNIT, where, ROOT_HOST, None)
    assert nothing == Plan(notes=(f"no unit at {where.path(UNIT)}: nothing to remove",))
    offline = dataclasses.replace(ROOT_HOST, booted=False)
    assert decide.uninstall_plan(UNIT, where, offline, existing).actions == (
        Remove(where.path(UNIT), existing),
    )


def test_a_unit_shipway_did_not_write_or_of_another_project_is_left_alone() -> None:
    where = decide.placement(ROOT_HOST, None)
    foreign = "[Service]\nExecStart=/bin/true\n"
    with pytest.raises(ShipwayError, match="shipway did not write it"):
        decide.install_plan(UNIT, decide.render(UNIT), where, ROOT_HOST, foreign)
    with pytest.raises(ShipwayError, match="shipway did not write it"):
        decide.uninstall_plan(UNIT, where, ROOT_HOST, foreign)
    other = decide.render(dataclasses.replace(UNIT, root="/srv/other 100%"))
    assert decide.working_directory(other) == "/srv/other 100%"
    with pytest.raises(ShipwayError, match="of the project in /srv/other 100%: run `inv service"):
        decide.uninstall_plan(UNIT, where, ROOT_HOST, other)


def test_the_crontab_line_sources_the_env_file_and_escapes_percent() -> None:
    unit = dataclasses.replace(UNIT, root="/srv/my app", env_file="/etc/shipway/100%.env")
    assert decide.crontab_line(unit) == (
        "@reboot cd '/srv/my app' && set -a && . /etc/shipway/100\\%.env && set +a && "
        f"exec {PYTHON} -m shipway supervise --env prod"
    )


def test_what_systemd_analyze_says_decides_the_install() -> None:
    name = UNIT.name
    assert decide.verdict(UNIT, 0, "") == f"systemd-analyze verify: {name} is valid"
    with pytest.raises(ShipwayError, match=f"rejects {name}: {name}: Command /x is not"):
        decide.verdict(UNIT, 1, f"{name}: Command /x is not executable: No such file\n")
    could_not = decide.verdict(UNIT, 1, "Failed to initialize manager: No such device\n")
    assert could_not == f"systemd-analyze verify could not check {name} here: " + (
        "Failed to initialize manager: No such device"
    )
    warned = decide.verdict(UNIT, 0, f"/t/{name}:9: Unknown key 'X' in section [Service]\n")
    assert warned.startswith(f"systemd-analyze verify warns about {name}")
