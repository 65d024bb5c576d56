import os
import stat
from pathlib import Path

from shipway.effects.json_files import write_atomically


def test_a_secret_file_has_its_mode_whatever_the_umask_or_a_leftover(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    leftover = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    leftover.write_text("old")
    leftover.chmod(0o666)
    write_atomically(path, "{}", mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "{}"
