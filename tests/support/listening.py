"""What an environment's processes expose: the TCP ports they listen on (from /proc), and
whether its state directory and admin socket are its owner's alone."""

import stat
from pathlib import Path

from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state

LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def _listening_sockets() -> dict[int, int]:
    """Socket inode -> port of every listening TCP socket (IPv4 and IPv6)."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with Path(table).open(encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == LISTEN:
                    found[int(fields[9])] = int(fields[1].rsplit(":", 1)[1], 16)
    return found


def _with_descendants(pids: set[int]) -> set[int]:
    """The processes and their children (gunicorn's workers), to any depth."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat_line.rsplit(")", 1)[1].split()[1])
    found = set(pids)
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def listening_ports(pids: set[int]) -> set[int]:
    """The TCP ports these processes (and their descendants) listen on."""
    sockets = _listening_sockets()
    ports = set()
    for pid in _with_descendants(pids):
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = str(descriptor.readlink())
            except OSError:
                continue
            if target.startswith("socket:[") and int(target[8:-1]) in sockets:
                ports.add(sockets[int(target[8:-1])])
    return ports


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def assert_owner_only(env: LocalEnvironment) -> None:
    """The admin socket is 0600, the state directory 0700, and nothing in it is writable by
    group or others; the router listens on the environment's ports alone (its port, and its
    redirect and preview ports when it has them), the releases on their slots' loopback
    ports."""
    socket = env.files.admin_socket
    assert stat.S_ISSOCK(socket.lstat().st_mode), socket
    assert mode(socket) == 0o600
    assert mode(env.files.root) == 0o700
    for path in (env.files.state, env.files.audit, env.files.lock):
        assert mode(path) == 0o600, path
    # shipway's own files; releases/ and shared/ hold what uv and the service write (behind
    # the 0700 directory all the same).
    written = [*env.files.root.iterdir(), *env.files.router.rglob("*")]
    for path in written:
        if path.name not in ("releases", "shared") and not path.is_symlink():
            assert mode(path) & 0o022 == 0, f"{path} is writable by others: {oct(mode(path))}"
    state = load_state(env.files)
    assert state.router is not None
    extra = (env.config.http_redirect_port, env.config.preview_port)
    router_ports = {env.config.port} | {port for port in extra if port is not None}
    assert listening_ports({state.router.pid}) == router_ports
    releases = {s.process.pid for s in state.slots.values() if s.process is not None}
    assert releases
    assert listening_ports(releases) <= set(env.config.slot_ports)
    assert listening_ports({state.router.pid, *releases}) == router_ports | listening_ports(
        releases
    )
