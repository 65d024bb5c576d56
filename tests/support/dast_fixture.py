"""A deliberately vulnerable web service for the DAST stage's tests, and the same service with
its flaws fixed (``DAST_FIXTURE_FIXED=1``):

- ``GET /search?q=`` builds SQL by concatenation on SQLite and shows the database's error
  (fixed: a bound parameter);
- ``GET /hello?name=`` reflects ``name`` into HTML unescaped (fixed: escaped);
- ``POST /api/items`` answers 500 on a JSON body whose ``name`` is empty (fixed: 422);
- no security headers (fixed: X-Frame-Options, X-Content-Type-Options, CSP, Referrer-Policy);
- ``/openapi.json`` declares ``/api/items``, so API fuzzing reaches it.

Run: ``python -m uvicorn tests.support.dast_fixture:app --lifespan off --port PORT``.
"""

import html
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

FIXED = os.environ.get("DAST_FIXTURE_FIXED") == "1"
SAFE_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'self'"),
    (b"referrer-policy", b"no-referrer"),
]
INDEX = """<html><head><title>shop</title></head><body>
<a href="/search?q=apple">search</a> <a href="/hello?name=you">hello</a>
<form action="/search" method="get"><input name="q" value="pear"><input type="submit"></form>
</body></html>"""
SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "shop", "version": "1"},
    "paths": {
        "/api/items": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string", "maxLength": 50}},
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "422": {"description": "invalid item"},
                },
            }
        }
    },
}


def database() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE items (name TEXT)")
    connection.executemany("INSERT INTO items VALUES (?)", [("apple",), ("pear",)])
    return connection


def search(query: str) -> tuple[int, str]:
    connection = database()
    try:
        if FIXED:
            rows = connection.execute("SELECT name FROM items WHERE name = ?", (query,))
        else:
            sql = "SELECT name FROM items WHERE name = '" + query + "'"  # noqa: S608  # nosec B608
            rows = connection.execute(sql)
        found = [html.escape(row[0]) for row in rows.fetchall()]
    except sqlite3.Error as error:
        return 500, f"<html><body>sqlite3.OperationalError: {html.escape(str(error))}</body></html>"
    finally:
        connection.close()
    return 200, "<html><body><ul>" + "".join(f"<li>{n}</li>" for n in found) + "</ul></body></html>"


def hello(name: str) -> str:
    shown = html.escape(name) if FIXED else name
    return f"<html><body><p>Hello {shown}</p></body></html>"


def create_item(body: bytes) -> tuple[int, str]:
    try:
        item = json.loads(body)
    except ValueError:
        return 422, json.dumps({"error": "invalid JSON"})
    name = item.get("name") if isinstance(item, dict) else None
    if not isinstance(name, str):
        return 422, json.dumps({"error": "name must be a string"})
    if not name:
        if FIXED:
            return 422, json.dumps({"error": "name must not be empty"})
        return 500, "Internal Server Error: " + str(1 // len(name))
    return 201, json.dumps({"name": name})


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    path, method = scope["path"], scope["method"]
    kind = "text/html; charset=utf-8"
    try:
        if path == "/" and method == "GET":
            status, text = 200, INDEX
        elif path == "/search" and method == "GET":
            status, text = search(query.get("q", [""])[0])
        elif path == "/hello" and method == "GET":
            status, text = 200, hello(query.get("name", ["you"])[0])
        elif path == "/openapi.json" and method == "GET":
            status, text, kind = 200, json.dumps(SCHEMA), "application/json"
        elif path == "/api/items" and method == "POST":
            status, text = create_item(body)
            kind = "application/json" if status != 500 else "text/plain"
        else:
            status, text = 404, "not found"
    except ZeroDivisionError:
        status, text, kind = 500, "Internal Server Error", "text/plain"
    payload = text.encode()
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(payload)).encode())]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": headers + (SAFE_HEADERS if FIXED else []),
        }
    )
    await send({"type": "http.response.body", "body": payload})
