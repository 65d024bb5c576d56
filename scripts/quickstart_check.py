"""Try the README's Quickstart as a new user would: in a fresh clone, each command as written.

Usage: python3 scripts/quickstart_check.py [--keep]
Clones this repository's HEAD into a temporary directory, runs each Quickstart command there
with bash, and prints the exit status and duration of each. Exit status 1 if any failed.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quickstart_commands(readme: str) -> list[str]:
    """The commands of the fenced ``sh`` blocks in the README's Quickstart section."""
    section = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone for inspection")
    args = parser.parse_args()
    commands = quickstart_commands((REPO / "README.md").read_text(encoding="utf-8"))
    workdir = Path(tempfile.mkdtemp(prefix="shipway-quickstart-"))
    clone = workdir / "shipway"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    failed = False
    for command in commands:
        print(f"$ {command}", flush=True)
        started = time.monotonic()
        status = subprocess.run(["bash", "-c", command], cwd=clone, check=False).returncode
        print(f"-> exit {status} in {time.monotonic() - started:.1f}s", flush=True)
        failed |= status != 0
    if args.keep:
        print(f"clone kept at {clone}")
    else:
        shutil.rmtree(workdir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
