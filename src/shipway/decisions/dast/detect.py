"""Where a service's OpenAPI schema may be, and whether a fetched document is one."""

import json

import yaml

from shipway.config.dast import SCHEMA_PATHS


def schema_candidates(host: str, configured: str | None) -> list[str]:
    """The configured schema (a path under ``host`` or a URL), else the usual paths."""
    if configured is not None:
        return [configured if configured.startswith(("http://", "https://")) else host + configured]
    return [host + path for path in SCHEMA_PATHS]


def schema_problem(status: int, content_type: str, body: str) -> str | None:
    """None when the answer is an OpenAPI (3.x) or Swagger (2.0) document with paths; else why
    it is not one."""
    if status != 200:
        return f"answered {status}"
    document: object = None
    try:
        document = json.loads(body)
    except ValueError:
        if "html" in content_type:
            return "answered an HTML page, not a schema"
        try:
            document = yaml.safe_load(body)
        except yaml.YAMLError:
            return "answered neither JSON nor YAML"
    if not isinstance(document, dict):
        return "answered a document that is not an object"
    version = document.get("openapi") or document.get("swagger")
    if not isinstance(version, str) or not version.startswith(("3.", "2.")):
        return "answered a document without an 'openapi' (3.x) or 'swagger' (2.0) version"
    if not isinstance(document.get("paths"), dict):
        return "answered a schema without 'paths'"
    return None


def operation_count(document: object) -> int:
    """The operations a schema declares (method and path pairs)."""
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for m in item if m in methods)


def crawled_nothing(start_status: int, schema: str | None) -> bool:
    """A start page that answers an error, without a schema, gives the crawl nothing to scan
    (wapiti still counts it as one crawled page)."""
    return start_status >= 400 and schema is None
