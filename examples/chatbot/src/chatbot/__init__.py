"""shipway's reference service: a small chat API with health, readiness, metrics and fault knobs."""

from importlib.metadata import version

__version__ = version("chatbot")
