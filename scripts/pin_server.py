"""Write the server that releases get (gunicorn, uvicorn-worker) from this repository's lock.

uv run python scripts/pin_server.py        after changing the `server` dependency group
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "src" / "shipway" / "effects" / "release" / "server-requirements.txt"
EXPORT = [
    "uv",
    "export",
    "--frozen",
    "--only-group",
    "server",
    "--no-emit-project",
    "--no-emit-workspace",
    "--format",
    "requirements-txt",
    "--no-header",
    "--quiet",
]


def exported() -> str:
    return subprocess.run(EXPORT, cwd=ROOT, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    PINNED.write_text(exported(), encoding="utf-8")
    print(f"wrote {PINNED.relative_to(ROOT)}")
