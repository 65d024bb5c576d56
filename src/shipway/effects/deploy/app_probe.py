"""Run in a release's venv, from its working directory, as ``python -c <this source> APP``:
load the app the way gunicorn will and say whether it is a WSGI or an ASGI app.

Prints one JSON line last: ``{"kind": "wsgi" | "asgi" | null}`` or ``{"error": "..."}``.
Only the standard library and gunicorn (installed in every release) may be imported here.
"""

import importlib
import inspect
import json
import sys
import traceback
from pathlib import Path


def kind_of(app: object) -> str | None:
    """ASGI: an async callable; WSGI: a plain callable taking two positional arguments."""
    if not callable(app) or inspect.isclass(app):
        return None
    call = type(app).__call__  # an instance's own __call__ (a function's is a plain wrapper)
    if inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call):
        return "asgi"
    try:
        inspect.signature(app).bind(object(), object())
    except (TypeError, ValueError):
        return None
    return "wsgi"


def load(entry_point: str) -> dict[str, str | None]:
    sys.path.insert(0, str(Path.cwd()))  # as gunicorn does with --chdir
    try:
        app = importlib.import_module("gunicorn.util").import_app(entry_point)
    except BaseException as error:
        if type(error).__name__ == "AppImportError":  # gunicorn's own words are clear enough
            return {"error": str(error)}
        return {"error": traceback.format_exception_only(error)[-1].strip()}
    return {"kind": kind_of(app)}


if __name__ == "__main__":
    report = load(sys.argv[1])
    print(json.dumps(report))
    sys.exit(0 if "kind" in report else 1)
