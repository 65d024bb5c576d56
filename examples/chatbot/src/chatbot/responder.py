"""The default responder: deterministic and offline, so tests and load profiles are repeatable."""

from typing import Protocol

GREETINGS = frozenset({"hi", "hello", "hey", "good morning", "good evening"})
PREVIEW_CHARS = 80


class Responder(Protocol):
    model: str

    def reply(self, message: str) -> str: ...


class EchoResponder:
    """Answers from the message alone: greetings, questions and statements each get a shape."""

    def __init__(self, model: str = "echo-1") -> None:
        self.model = model

    def reply(self, message: str) -> str:
        text = " ".join(message.split())
        preview = text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
        if text.lower().rstrip("!. ") in GREETINGS:
            return "Hello! I am the shipway reference chatbot. Ask me anything."
        if text.endswith("?"):
            return f"You asked: “{preview}” I answer offline, so here is an honest echo of it."
        words = len(text.split())
        return f"You said ({words} word{'s' if words != 1 else ''}): “{preview}”"
