"""Vendor Chart.js from the npm registry into src/shipway/effects/report/vendor/ and print
the digest to pin in src/shipway/effects/report/pages.py.

    uv run python scripts/vendor_chartjs.py 4.6.1
"""

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "shipway" / "effects" / "report" / "vendor"
FILES = {
    "package/dist/chart.umd.min.js": "chart.umd.min.js",
    "package/LICENSE.md": "chart.js.LICENSE.md",
}


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        packed = subprocess.run(
            ["npm", "pack", f"chart.js@{version}", "--pack-destination", scratch],
            capture_output=True,
            text=True,
            check=True,
        )
        with tarfile.open(Path(scratch) / packed.stdout.strip().splitlines()[-1]) as archive:
            for member, name in FILES.items():
                source = archive.extractfile(member)
                if source is None:
                    sys.exit(f"chart.js@{version} has no {member}")
                (VENDOR / name).write_bytes(source.read())
    digest = hashlib.sha256((VENDOR / "chart.umd.min.js").read_bytes()).hexdigest()
    print(f'CHART_JS_VERSION = "{version}"\nCHART_JS_SHA256 = "{digest}"')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__))
