"""Find and check the service's OpenAPI schema over HTTP, with the scan's credential."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from shipway.decisions.dast.detect import schema_candidates, schema_problem
from shipway.effects.http_client import client
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class Schema:
    url: str | None  # None: the service publishes none at the usual paths
    tried: tuple[str, ...]


def reachable(url: str, headers: Mapping[str, str], trust: Path | None) -> int:
    """The status ``url`` answers with; a clear error when nothing answers there."""
    try:
        response = client(trust).get(url, headers=dict(headers), timeout=10)
    except (httpx.HTTPError, OSError) as error:
        raise ShipwayError(
            f"dast: {url} does not answer ({type(error).__name__}: {error}); is the service "
            "deployed and its router up?"
        ) from None
    return response.status_code


def find_schema(
    host: str, configured: str | None, headers: Mapping[str, str], trust: Path | None
) -> Schema:
    """The configured schema, which must be one (else a ShipwayError), or the first of the usual
    paths that answers with one."""
    candidates = schema_candidates(host, configured)
    for url in candidates:
        try:
            response = client(trust).get(url, headers=dict(headers), timeout=10)
        except (httpx.HTTPError, OSError) as error:
            problem: str | None = f"could not be fetched ({type(error).__name__})"
        else:
            kind = response.headers.get("content-type", "")
            problem = schema_problem(response.status_code, kind, response.text)
        if problem is None:
            return Schema(url, tuple(candidates))
        if configured is not None:
            raise ShipwayError(
                f"dast: the OpenAPI schema {url} (tool.shipway.dast.openapi) {problem}"
            )
    return Schema(None, tuple(candidates))
