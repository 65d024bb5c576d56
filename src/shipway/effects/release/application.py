"""An application artifact: chosen files of the service, as a reproducible ``.tar.gz``.

Entries are sorted, with no directory entries; each is a regular file (links are followed),
mode 0644 or 0755, owner 0:0 without names, and mtime ``SOURCE_DATE_EPOCH``, as is the gzip
header's: the same commit always gives the same bytes. It is unpacked with tarfile's ``data``
filter, which refuses absolute paths, ``..`` and links that leave the target.
"""

import gzip
import stat
import tarfile
from collections.abc import Sequence
from pathlib import Path

from shipway.errors import ShipwayError


def write_archive(directory: Path, members: Sequence[str], archive: Path, mtime: int) -> None:
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in members:
            path = directory / name
            with path.open("rb") as content:
                tar.addfile(entry(name, path, mtime), content)


def entry(name: str, path: Path, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    status = path.stat()
    info.size = status.st_size
    info.mode = 0o755 if status.st_mode & stat.S_IXUSR else 0o644
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def unpack_archive(archive: Path, destination: Path) -> None:
    """Unpack into ``destination``; an entry that would land outside it is refused."""
    destination.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(destination, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise ShipwayError(f"cannot unpack {archive.name} into {destination}: {error}") from None
