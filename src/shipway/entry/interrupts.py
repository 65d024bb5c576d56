"""A SIGTERM handled like Ctrl-C, for commands that must unwind (and clean up) when a CI job is
cancelled or a supervisor stops them: ``nox -s perf``, a deploy running with ``--detach``."""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def interrupted_by_sigterm() -> Iterator[None]:
    """A SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so every finally block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
