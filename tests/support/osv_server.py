"""An OSV-compatible advisory server on 127.0.0.1, for the real pip-audit client.

api.osv.dev is unreachable from these machines, so this speaks its protocol over real
published records (tests/fixtures/osv): ``POST /v1/query`` with a package and version, and
``GET /v1/vulns/{id}``. Affected versions follow OSV semantics: an explicit ``versions`` list,
or ECOSYSTEM ranges of introduced / fixed / last_affected events.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

RECORDS = Path(__file__).resolve().parents[1] / "fixtures" / "osv"


def load_records(directory: Path = RECORDS) -> dict[str, dict[str, Any]]:
    records = [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]
    return {record["id"]: record for record in records}


def affects(record: dict[str, Any], name: str, version: str) -> bool:
    for affected in record.get("affected", []):
        package = affected["package"]
        if package["ecosystem"] != "PyPI" or canonicalize_name(package["name"]) != name:
            continue
        if version in affected.get("versions", []):
            return True
        for span in affected.get("ranges", []):
            if span["type"] == "ECOSYSTEM" and in_range(span["events"], Version(version)):
                return True
    return False


def in_range(events: list[dict[str, str]], version: Version) -> bool:
    affected = False
    for event in events:  # events are ordered: each one opens or closes the range
        if "introduced" in event:
            affected = event["introduced"] == "0" or version >= _version(event["introduced"])
        elif "fixed" in event:
            affected = affected and version < _version(event["fixed"])
        elif "last_affected" in event:
            affected = affected and version <= _version(event["last_affected"])
    return affected


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


class _Handler(BaseHTTPRequestHandler):
    records: ClassVar[dict[str, dict[str, Any]]] = {}
    queries: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        if self.path != "/v1/query":
            return self._reply(404, {"code": 5, "message": "Not Found"})
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.queries.append(query)
        name = canonicalize_name(query["package"]["name"])
        vulns = [r for r in self.records.values() if affects(r, name, query["version"])]
        return self._reply(200, {"vulns": vulns} if vulns else {})

    def do_GET(self) -> None:
        vuln_id = self.path.removeprefix("/v1/vulns/")
        if vuln_id in self.records:
            return self._reply(200, self.records[vuln_id])
        return self._reply(404, {"code": 5, "message": "Bug not found."})

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def osv_server(records: dict[str, dict[str, Any]] | None = None) -> Iterator[str]:
    """Serve the records on 127.0.0.1; yields the query URL to give pip-audit's --osv-url."""
    handler = type("Handler", (_Handler,), {"records": records or load_records(), "queries": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
