from pathlib import Path

from shipway.decisions.deploy import commands


def test_process_commands() -> None:
    detached = commands.detached(["envoy", "-c", "x"], Path("/p.pid"), Path("/l.log"))
    assert detached[:3] == ["setsid", "-f", "sh"]
    assert detached[-5:] == ["/p.pid", "/l.log", "envoy", "-c", "x"]
    argv = commands.gunicorn(Path("/v"), "chatbot.app:app", 8002, 2, Path("/s/gunicorn.pid"))
    assert argv[:2] == ["/v/bin/gunicorn", "chatbot.app:app"]
    assert argv[argv.index("--worker-class") + 1] == "uvicorn_worker.UvicornWorker"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8002"
    assert argv[argv.index("--pid") + 1] == "/s/gunicorn.pid"
    [requirements, wheel] = commands.install_locked(
        Path("/v"), [Path("/a/requirements.txt")], Path("/a/s.whl")
    )
    assert requirements[-3:] == ["--require-hashes", "-r", "/a/requirements.txt"]
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
