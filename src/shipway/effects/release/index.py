"""A PyPI-compatible index as a second store: publish with uv, fetch with checksums checked."""

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from shipway.decisions.release.commands import publish
from shipway.decisions.release.manifest import FileKind, Manifest, sha256_of
from shipway.effects.command import ToolRunner
from shipway.errors import ShipwayError

DISTRIBUTIONS = (FileKind.WHEEL, FileKind.SDIST)
_LINK = re.compile(r"""href=["']([^"']+)["']""")


def publish_build(
    build: Path, manifest: Manifest, publish_url: str, index_url: str | None, runner: ToolRunner
) -> str:
    files = [build / f.path for f in manifest.files if f.kind in DISTRIBUTIONS]
    if not files:  # an application: `uv publish` without files would publish dist/*
        return f"nothing published: {manifest.name} {manifest.version} has no wheel or sdist"
    done = runner.run(publish(publish_url, index_url, files))
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ShipwayError(f"uv publish to {publish_url} failed: {detail[0]}")
    return f"published {manifest.name} {manifest.version} to {publish_url}"


def fetch_distributions(manifest: Manifest, index_url: str, destination: Path) -> list[Path]:
    """Download the manifest's wheel and sdist from the index; refuse any that differs."""
    page_url = urljoin(index_url.rstrip("/") + "/", f"{manifest.name}/")
    destination.mkdir(parents=True, exist_ok=True)
    fetched = []
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        page = client.get(page_url)
        if page.status_code != httpx.codes.OK:
            raise ShipwayError(
                f"{page_url}: HTTP {page.status_code}; is {manifest.name} on that index?"
            )
        links = {unquote(Path(urlsplit(href).path).name): href for href in _LINK.findall(page.text)}
        for entry in (f for f in manifest.files if f.kind in DISTRIBUTIONS):
            if entry.path not in links:
                raise ShipwayError(f"{entry.path} is not on {page_url}")
            data = client.get(urljoin(page_url, links[entry.path])).content
            if sha256_of(data) != entry.sha256:
                raise ShipwayError(
                    f"refusing {entry.path} from {index_url}: sha256 differs from the manifest"
                )
            (destination / entry.path).write_bytes(data)
            fetched.append(destination / entry.path)
    return fetched
