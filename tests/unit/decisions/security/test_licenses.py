import json
from collections.abc import Mapping

import pytest

from shipway.decisions.security.findings import Severity
from shipway.decisions.security.licenses import declared_license, is_allowed, license_report

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
