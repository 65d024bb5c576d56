from pathlib import Path

from shipway.config.dast import Dast
from shipway.decisions.dast.commands import DastPaths, schemathesis_argv, time_limit, wapiti_argv
from shipway.decisions.stages.commands import dast_python

QUICK = Dast().profiles["quick"]
FULL = Dast().profiles["full"]
PATHS = DastPaths(Path("/w"))


def test_quick_fuzzes_one_pass_of_examples_and_full_for_a_time() -> None:
    quick = schemathesis_argv("http://h/openapi.json", QUICK, PATHS, [], auth=None)
    assert quick[:3] == ["st", "run", "http://h/openapi.json"]
    assert "--max-time" not in quick
    assert quick[quick.index("--report-json-path") + 1] == "/w/schemathesis.json"
    assert quick[quick.index("--report-html-path") + 1] == "/w/schemathesis-html"
    full = schemathesis_argv("http://h/openapi.json", FULL, PATHS, ["ST105"], auth=None)
    assert full[full.index("--max-time") + 1] == "300"
    assert full[full.index("--exclude-checks") + 1] == "ST105"


def test_an_https_environment_s_trust_file_verifies_the_api_fuzzing() -> None:
    argv = schemathesis_argv("u", QUICK, PATHS, [], auth=None, trust=Path("/t/trust.pem"))
    assert argv[argv.index("--tls-verify") + 1] == "/t/trust.pem"


def test_the_credential_header_goes_to_both_scanners() -> None:
    auth = ("X-Token", "v")
    assert "X-Token:v" in schemathesis_argv("u", QUICK, PATHS, [], auth=auth)
    argv = wapiti_argv("http://h/", QUICK, PATHS, auth=auth)
    assert argv[argv.index("-H") + 1] == "X-Token: v"
    assert "-H" not in wapiti_argv("http://h/", QUICK, PATHS, auth=None)


def test_the_crawl_attacks_the_schema_s_operations_too_when_there_is_one() -> None:
    argv = wapiti_argv("http://h/", QUICK, PATHS, auth=None, schema="http://h/openapi.json")
    assert argv[argv.index("--swagger") + 1] == "http://h/openapi.json"
    assert "--swagger" not in wapiti_argv("http://h/", QUICK, PATHS, auth=None)


def test_the_crawl_is_bounded_in_time_and_depth_and_keeps_its_session_private() -> None:
    argv = wapiti_argv("http://h/", QUICK, PATHS, auth=None)
    assert argv[argv.index("--max-scan-time") + 1] == "90"
    assert argv[argv.index("-d") + 1] == "3"
    assert argv[argv.index("--store-session") + 1] == "/w/wapiti-session"
    assert time_limit(QUICK) == 210


def test_the_session_runs_on_the_newest_configured_python_the_scanners_support() -> None:
    assert dast_python(["3.11", "3.12", "3.13"]) == "3.13"
    assert dast_python(["3.14", "3.13"]) == "3.14"
    assert dast_python(["3.11", "3.12"]) is None
