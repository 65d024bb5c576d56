import json

from shipway.decisions.dast.detect import (
    crawled_nothing,
    operation_count,
    schema_candidates,
    schema_problem,
)

SCHEMA = {"openapi": "3.1.0", "paths": {"/a": {"get": {}, "post": {}}, "/b": {"get": {}}}}


def test_the_usual_paths_are_tried_unless_one_is_configured() -> None:
    assert schema_candidates("http://h", None)[0] == "http://h/openapi.json"
    assert schema_candidates("http://h", "/api/schema") == ["http://h/api/schema"]
    assert schema_candidates("http://h", "https://o/s.json") == ["https://o/s.json"]


def test_an_openapi_or_swagger_document_with_paths_is_a_schema() -> None:
    assert schema_problem(200, "application/json", json.dumps(SCHEMA)) is None
    assert schema_problem(200, "application/yaml", "swagger: '2.0'\npaths: {}\n") is None
    assert operation_count(SCHEMA) == 3


def test_anything_else_says_why_it_is_not_a_schema() -> None:
    assert schema_problem(404, "text/plain", "") == "answered 404"
    assert "HTML" in (schema_problem(200, "text/html", "<html><p>hi</html>") or "")
    assert "version" in (schema_problem(200, "application/json", '{"status": "ok"}') or "")
    assert "paths" in (schema_problem(200, "application/json", '{"openapi": "3.0.0"}') or "")


def test_an_error_page_to_start_from_and_no_schema_is_nothing_to_scan() -> None:
    assert crawled_nothing(404, None)
    assert not crawled_nothing(404, "http://h/openapi.json")
    assert not crawled_nothing(200, None)
