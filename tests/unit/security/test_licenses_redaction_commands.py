import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from shipway.decisions.security import commands
from shipway.decisions.security.findings import Severity
from shipway.decisions.security.licenses import declared_license, is_allowed, license_report
from shipway.decisions.security.redact import MASK, redact, without_source

ALLOWED = ["MIT", "Apache-2.0", "BSD-3-Clause"]


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("MIT", True),
        ("GPL-3.0-only", False),
        ("MIT OR GPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", False),
        ("Apache-2.0 AND BSD-3-Clause", True),
        ("(GPL-2.0-only OR MIT) AND Apache-2.0", True),
        ("Apache-2.0 WITH LLVM-exception", True),
        ("mit", True),
        ("Apache-2.0+", True),
        ("MIT AND", False),
        ("(MIT", False),
        ("OR MIT", False),
    ],
)
def test_spdx_expressions(expression: str, allowed: bool) -> None:
    assert is_allowed(expression, ALLOWED) is allowed


def test_exact_license_names_can_be_allowed() -> None:
    assert is_allowed("Some Custom License", ["Some Custom License"])
    assert not is_allowed("Some Custom License", ALLOWED)


def component(*licenses: Mapping[str, object], name: str = "pkg") -> dict[str, object]:
    return {"name": name, "version": "1.0", "licenses": list(licenses)}


def test_declared_license_prefers_spdx_and_translates_known_classifiers() -> None:
    classifier = {"license": {"name": "License :: OSI Approved :: MIT License"}}
    assert declared_license(component(classifier)) == "MIT"
    both = component({"license": {"id": "MPL-2.0"}}, {"license": {"name": "Mozilla"}})
    assert declared_license(both) == "MPL-2.0"
    assert declared_license(component({"expression": "MIT OR Apache-2.0"})) == "MIT OR Apache-2.0"
    two = component({"license": {"id": "MIT"}}, {"license": {"id": "ISC"}})
    assert declared_license(two) == "(MIT) AND (ISC)"
    assert declared_license(component()) is None


def test_license_report_flags_unknown_and_disallowed_and_skips_the_service_itself() -> None:
    sbom = json.dumps(
        {
            "components": [
                component({"license": {"id": "MIT"}}, name="ok"),
                component({"license": {"id": "GPL-3.0-only"}}, name="gpl"),
                component(name="bare"),
                component(name="my_service"),
            ]
        }
    )
    report, listing = license_report(sbom, ALLOWED, Severity.HIGH, own=["my-service"])
    assert [(f.rule, f.title, f.path) for f in report.findings] == [
        ("license:GPL-3.0-only", "gpl 1.0: GPL-3.0-only not allowed", "gpl==1.0"),
        ("license:unknown", "bare 1.0: no license declared", "bare==1.0"),
    ]
    assert [row["name"] for row in listing] == ["ok", "gpl", "bare"]
    assert license_report("{}", ALLOWED, Severity.HIGH, own=[])[0].findings == ()
    assert license_report("nope", ALLOWED, Severity.HIGH, own=[])[0].error


def test_redact_masks_every_occurrence_longest_first() -> None:
    text = "key=abcdef, again abcdef, part abc"
    assert redact(text, {"abc", "abcdef"}) == f"key={MASK}, again {MASK}, part {MASK}"
    assert redact("nothing", set()) == "nothing"


def test_without_source_drops_excerpts_at_any_depth() -> None:
    report = {
        "results": [
            {
                "code": "x = 'secret'",
                "issue_text": "pw 'secret'",
                "line": 1,
                "Code": {"Lines": []},
                "nested": [{"snippet": {"text": "s"}, "ok": 2}],
            }
        ]
    }
    assert without_source(report) == {"results": [{"line": 1, "nested": [{"ok": 2}]}]}


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
