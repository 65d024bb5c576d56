from pathlib import Path

from shipway.decisions.security import commands


def test_commands() -> None:
    out = Path("/w/x.json")
    assert commands.sast_targets("examples/chatbot") == ["src", "examples/chatbot/src"]
    assert commands.sast_targets(".") == ["src"]
    assert commands.detect_secrets(["a.py"], None) == ["detect-secrets", "scan", "a.py"]
    assert commands.detect_secrets(["a.py"], out)[2:4] == ["--baseline", "/w/x.json"]
    trivy = commands.trivy_fs(["secret", "misconfig"], out)
    assert trivy[:4] == ["trivy", "fs", "--scanners", "secret,misconfig"]
    assert "--offline-scan" in trivy
    assert trivy[-1] == "."
    assert commands.pip_audit(out, "pypi", out)[-2:] == ["-s", "pypi"]
    assert commands.pip_audit(out, "osv", out)[-2:] == ["-s", "osv"]
    assert commands.pip_audit(out, "http://h/v1/query", out)[-4:] == [
        "-s",
        "osv",
        "--osv-url",
        "http://h/v1/query",
    ]
    assert "--require-hashes" in commands.install_requirements(out, out)


def test_counts() -> None:
    assert commands.pinned_count("a==1 \\\n    --hash=sha256:x\n# c\nb-c.d==2\n-e ./x\n") == 2
    assert commands.locked_count("version = 1\n[[package]]\nname='a'\n[[package]]\n") == 2
