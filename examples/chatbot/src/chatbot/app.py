"""The ASGI application: ``chatbot.app:app``.

Endpoints: ``POST /api/chat``, ``GET /health`` (liveness), ``GET /health/detailed``,
``GET /ready`` (readiness: false while starting or draining) and ``GET /metrics``.
"""

import asyncio
import enum
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.routing import Match

from chatbot import __version__
from chatbot.faults import ErrorInjector
from chatbot.metrics import CONTENT_TYPE_LATEST, ServiceMetrics
from chatbot.responder import EchoResponder, Responder
from chatbot.settings import Settings

MAX_MESSAGE_CHARS = 4096  # code points, as JSON Schema's maxLength counts them
MAX_BODY_BYTES = 64 * 1024  # JSON escapes make a 4096-character message up to 12 bytes a character
CRASH_EXIT_CODE = 3


class Phase(enum.StrEnum):
    STARTING = "starting"
    READY = "ready"
    DRAINING = "draining"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str


CHAT_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_CHARS}},
    "required": ["message"],
    "additionalProperties": False,
}


class ChatReply(BaseModel):
    reply: str
    model: str


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorReply(BaseModel):
    error: ErrorDetail


# What every answer carries (the DAST stage's crawler checks for them): no framing, no MIME
# sniffing, no content from anywhere (the service serves JSON only), no referrer.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
REJECTED: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorReply, "description": description}
    for status, description in (
        (400, "the body is not JSON"),
        (413, "the body is too large"),
        (422, "not an object with a message of 1 to 4096 characters"),
    )
}


class RejectedRequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def read_chat_request(request: Request) -> str:
    """The message of a chat request, or RejectedRequestError naming what is wrong with it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise RejectedRequestError(413, "body_too_large", f"body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise RejectedRequestError(413, "body_too_large", f"body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except ValueError:
        raise RejectedRequestError(400, "invalid_json", "the body must be JSON") from None
    try:
        message = ChatRequest.model_validate(payload).message
    except ValidationError:
        raise RejectedRequestError(
            422, "invalid_request", 'expected a JSON object {"message": "<text>"}'
        ) from None
    if not message.strip():
        raise RejectedRequestError(422, "empty_message", "message must not be empty")
    if len(message) > MAX_MESSAGE_CHARS:
        raise RejectedRequestError(
            422, "message_too_large", f"message over {MAX_MESSAGE_CHARS} characters"
        )
    return message


def route_template(app: FastAPI, request: Request) -> str:
    """The route a request matched, so metric labels stay bounded whatever paths clients send."""
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "other"


def create_app(
    settings: Settings | None = None,
    *,
    responder: Responder | None = None,
    crash: Callable[[int], object] = os._exit,
    clock: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """Build the service. ``crash`` and ``clock`` are injectable so tests need not exit or wait."""
    settings = settings or Settings.from_env(os.environ)
    responder = responder or EchoResponder(settings.model)
    started = clock()
    phase = Phase.STARTING
    errors = ErrorInjector(settings.fault_error_rate)
    metrics = ServiceMetrics(__version__, uptime=lambda: clock() - started)

    def set_phase(new: Phase) -> None:
        nonlocal phase
        phase = new

    async def warm_up() -> None:
        await asyncio.sleep(settings.warmup_s)
        if phase is Phase.STARTING:
            set_phase(Phase.READY)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warming = asyncio.create_task(warm_up())
        crasher = None
        if settings.fault_crash_after_s is not None:
            crasher = asyncio.get_running_loop().call_later(
                settings.fault_crash_after_s, crash, CRASH_EXIT_CODE
            )
        try:
            yield
        finally:
            set_phase(Phase.DRAINING)
            warming.cancel()
            if crasher is not None:
                crasher.cancel()

    app = FastAPI(title="chatbot", version=__version__, lifespan=lifespan)

    @app.middleware("http")
    async def record_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        began = time.perf_counter()
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        route = route_template(app, request)
        metrics.observe(request.method, route, response.status_code, time.perf_counter() - began)
        return response

    @app.exception_handler(RejectedRequestError)
    async def rejected(_: Request, exc: RejectedRequestError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    # The body is read by read_chat_request (for its limits and messages), so the schema
    # declares it here rather than FastAPI deriving it from a parameter.
    chat_body = {"required": True, "content": {"application/json": {"schema": CHAT_SCHEMA}}}

    @app.post(
        "/api/chat",
        response_model=ChatReply,
        responses=REJECTED,
        openapi_extra={"requestBody": chat_body},
    )
    async def chat(request: Request) -> ChatReply | JSONResponse:
        message = await read_chat_request(request)
        if settings.fault_latency_ms:
            await asyncio.sleep(settings.fault_latency_ms / 1000)
        if errors.should_fail():
            return error_response(
                500, "injected_fault", "injected error (CHATBOT_FAULT_ERROR_RATE)"
            )
        return ChatReply(reply=responder.reply(message), model=responder.model)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    def flapped_down() -> bool:
        if settings.fault_flap_s is None:
            return False
        return int((clock() - started) / settings.fault_flap_s) % 2 == 1

    def is_ready() -> bool:
        return phase is Phase.READY and not settings.fault_never_ready and not flapped_down()

    @app.get("/health/detailed")
    async def health_detailed() -> dict[str, Any]:
        checks = {
            "responder": {"status": "ok", "model": responder.model},
            "readiness": {"status": "ok" if is_ready() else "fail", "phase": phase.value},
        }
        healthy = all(check["status"] == "ok" for check in checks.values())
        return {
            "status": "ok" if healthy else "degraded",
            "version": __version__,
            "uptime_s": round(clock() - started, 3),
            "pid": os.getpid(),
            "checks": checks,
            "faults": settings.active_faults(),
        }

    @app.get(
        "/ready",
        responses={503: {"description": "starting or draining: send no traffic yet"}},
    )
    async def ready() -> JSONResponse:
        status = 200 if is_ready() else 503
        return JSONResponse({"ready": is_ready(), "phase": phase.value}, status_code=status)

    @app.get("/metrics", include_in_schema=False)  # Prometheus text, not part of the API
    async def prometheus_metrics() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return app


app = create_app()
