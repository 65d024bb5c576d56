from pathlib import Path

from shipway.decisions.deploy import commands


def test_process_commands() -> None:
    detached = commands.detached(["envoy", "-c", "x"], Path("/p.pid"), Path("/l.log"))
    assert detached[:3] == ["setsid", "-f", "sh"]
    assert detached[-5:] == ["/p.pid", "/l.log", "envoy", "-c", "x"]
    argv = commands.gunicorn(
        Path("/v"),
        "svc:create_app()",
        worker_options=["--worker-class", "gthread", "--threads", "4"],
        workers=2,
        port=8002,
        chdir=Path("/r/app"),
        pid_file=Path("/s/gunicorn.pid"),
    )
    assert argv[:6] == [
        "/v/bin/gunicorn",
        "svc:create_app()",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
    ]
    assert argv[argv.index("--chdir") + 1] == "/r/app"
    assert argv[argv.index("--workers") + 1] == "2"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8002"
    assert argv[argv.index("--pid") + 1] == "/s/gunicorn.pid"
    [requirements, wheel] = commands.install_locked(
        Path("/v"), [Path("/a/requirements.txt"), Path("/r/server.txt")], Path("/a/s.whl")
    )
    assert requirements[-5:] == [
        "--require-hashes",
        "-r",
        "/a/requirements.txt",
        "-r",
        "/r/server.txt",
    ]
    assert wheel[-2:] == ["--no-deps", "/a/s.whl"]
    assert "--compile-bytecode" in wheel
    [application] = commands.install_locked(Path("/v"), [Path("/a/r.txt"), Path("/b/r.txt")])
    assert application[-5:] == ["--require-hashes", "-r", "/a/r.txt", "-r", "/b/r.txt"]
    assert commands.envoy(Path("/e.json"))[:3] == ["envoy", "-c", "/e.json"]
    assert commands.release_venv("3.12", Path("/v")) == [
        "uv",
        "venv",
        "--quiet",
        "--python",
        "3.12",
        "/v",
    ]


def test_loading_the_app_runs_the_probe_source_in_the_release_venv() -> None:
    argv = commands.load_app(Path("/r/app/.venv"), "print(1)", "svc:create_app()")
    assert argv == ["/r/app/.venv/bin/python", "-c", "print(1)", "svc:create_app()"]


def test_a_detached_deploy_is_shipways_own_entry_marked_by_its_log() -> None:
    argv = commands.detached_deploy(
        "/venv/bin/python", Path("/repo"), "prod", "2.0", 0, Path("/s/deploy.log")
    )
    assert argv == [
        "/venv/bin/python",
        "-m",
        "shipway.entry.detached",
        "--root",
        "/repo",
        "--env",
        "prod",
        "--version",
        "2.0",
        "--lock-wait",
        "0",
        "--log",
        "/s/deploy.log",
    ]
