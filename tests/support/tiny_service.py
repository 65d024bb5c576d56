"""A tiny ASGI service of the kind shipway must load-test without help: no health endpoint, no
root route, no locustfile. ``/hello`` answers 200, ``/boom`` 500, every other path 404.

Run: ``python -m uvicorn tests.support.tiny_service:app --lifespan off --port PORT``.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

STATUS_BY_PATH = {"/hello": 200, "/boom": 500}


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    status = STATUS_BY_PATH.get(scope["path"], 404)
    body = f"{status}\n".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
