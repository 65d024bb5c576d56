import configparser
import shlex
from pathlib import Path

from shipway.decisions.deploy.supervisor import (
    SECRET_NAMES_VARIABLE,
    Program,
    ProgramState,
    launch_command,
    launch_environment,
    program_config,
    program_info,
    restarts,
    stale_secrets,
    supervisord_command,
    supervisord_config,
)


def parse(text: str) -> configparser.ConfigParser:
    """As supervisord reads it: ``%%`` is a literal ``%``."""
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser


def test_the_control_socket_is_its_owners_alone_and_the_programs_are_included() -> None:
    config = parse(
        supervisord_config(
            socket=Path("/s/supervisor/control.sock"),
            log=Path("/s/supervisor/supervisord.log"),
            pid_file=Path("/s/supervisor/supervisord.pid"),
            programs=Path("/s/supervisor/programs"),
            directory=Path("/s"),
        )
    )
    assert config["unix_http_server"]["file"] == "/s/supervisor/control.sock"
    assert config["unix_http_server"]["chmod"] == "0600"
    assert "inet_http_server" not in config  # no TCP port
    assert config["supervisord"]["nodaemon"] == "true"
    assert config["include"]["files"] == "/s/supervisor/programs/*.conf"


def test_a_path_with_a_percent_sign_survives_supervisords_expansion() -> None:
    config = parse(
        supervisord_config(
            socket=Path("/100%/control.sock"),
            log=Path("/100%/log"),
            pid_file=Path("/100%/pid"),
            programs=Path("/100%/programs"),
            directory=Path("/100%"),
        )
    )
    assert config["unix_http_server"]["file"] == "/100%/control.sock"


def test_a_program_restarts_whatever_ends_it_and_stops_with_its_whole_group() -> None:
    command = launch_command("/venv/bin/python", Path("/s/my dir/programs/blue-1a2b3c.json"))
    program = Program("blue-1a2b3c", command, Path("/s/slots/blue/release.log"), 30)
    section = parse(program_config(program))["program:blue-1a2b3c"]
    assert shlex.split(section["command"]) == list(command)
    assert command[1:3] == ("-m", "shipway.entry.launch")
    assert (section["autostart"], section["autorestart"]) == ("true", "true")
    assert (section["stopasgroup"], section["killasgroup"]) == ("true", "true")
    assert section["stopwaitsecs"] == "30"
    assert section["stdout_logfile"] == "/s/slots/blue/release.log"


def test_the_supervisor_runs_in_the_foreground_of_whoever_starts_it() -> None:
    argv = supervisord_command("/venv/bin/python", Path("/s/supervisor/supervisord.conf"))
    assert argv[:3] == ["/venv/bin/python", "-m", "supervisor.supervisord"]
    assert "--nodaemon" in argv
    assert argv[-1] == "/s/supervisor/supervisord.conf"


def test_a_running_program_has_an_uptime_and_a_dead_one_has_none() -> None:
    running = program_info(
        {"name": "router-1", "statename": "RUNNING", "pid": 42, "start": 100, "now": 160}
    )
    assert (running.state, running.pid, running.uptime) == (ProgramState.RUNNING, 42, 60.0)
    exited = program_info(
        {"name": "router-1", "statename": "EXITED", "pid": 0, "start": 100, "now": 160}
    )
    assert (exited.state, exited.uptime) == (ProgramState.EXITED, 0.0)


def test_a_state_supervisord_may_add_later_reads_as_unknown() -> None:
    assert program_info({"name": "x", "statename": "NEW"}).state is ProgramState.UNKNOWN


def test_starting_and_backing_off_are_supervised_but_only_a_first_start_counts_as_started() -> None:
    assert ProgramState.BACKOFF.supervised
    assert not ProgramState.BACKOFF.started  # it died: a release waiting to be ready fails
    assert ProgramState.STARTING.started
    assert ProgramState.RUNNING.started
    for dead in (ProgramState.FATAL, ProgramState.EXITED, ProgramState.ABSENT):
        assert not dead.supervised


def test_restarts_are_the_spawns_of_that_program_less_the_first() -> None:
    log = "\n".join(
        [
            "2026-11-23 04:00:00,000 INFO spawned: 'blue-1a2b3c' with pid 10",
            "2026-11-23 04:00:01,000 INFO spawned: 'router-9f9f9f' with pid 11",
            "2026-11-23 04:01:00,000 INFO exited: blue-1a2b3c (terminated by SIGKILL; not "
            "expected)",
            "2026-11-23 04:01:00,010 INFO spawned: 'blue-1a2b3c' with pid 12",
            "2026-11-23 04:02:00,010 INFO spawned: 'blue-1a2b3c0' with pid 13",
        ]
    )
    assert restarts(log, "blue-1a2b3c") == 1  # not blue-1a2b3c0's
    assert restarts(log, "router-9f9f9f") == 0
    assert restarts(log, "green-000000") == 0


def test_a_program_gets_its_own_secrets_not_the_others_the_supervisor_holds() -> None:
    inherited = {
        "PATH": "/usr/bin",
        "API_TOKEN": "a",
        "DB_PASSWORD": "b",
        SECRET_NAMES_VARIABLE: "API_TOKEN,DB_PASSWORD",
    }
    release = launch_environment(
        inherited, {"API_TOKEN": "setting", "MODE": "prod"}, ["API_TOKEN"], {"PATH": "/venv/bin"}
    )
    assert release == {"PATH": "/venv/bin", "API_TOKEN": "a", "MODE": "prod"}
    router = launch_environment(inherited, {}, [], {"PATH": "/shipway/bin"})
    assert router == {"PATH": "/shipway/bin"}


def test_secrets_whose_values_changed_are_named_in_order() -> None:
    held = {"API_TOKEN": "old", "DB_PASSWORD": "same"}
    current = {"DB_PASSWORD": "same", "API_TOKEN": "new", "NEW_KEY": "x"}
    assert stale_secrets(held, current) == ["API_TOKEN", "NEW_KEY"]
    assert stale_secrets(held, {"DB_PASSWORD": "same"}) == []
