"""Fetch OSV advisory records by id (``GET /v1/vulns/{id}``), for their severities."""

from collections.abc import Iterable
from typing import Any

import httpx


def fetch_records(base_url: str, ids: Iterable[str], timeout: float = 10) -> dict[str, Any]:
    """The records that could be fetched; an unreachable source just yields fewer."""
    records: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            for vuln_id in dict.fromkeys(ids):
                response = client.get(f"/v1/vulns/{vuln_id}")
                if response.status_code == httpx.codes.OK:
                    records[vuln_id] = response.json()
    except (httpx.HTTPError, ValueError):
        pass  # severities stay unknown, and unknown blocks: failing closed
    return records
