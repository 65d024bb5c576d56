"""What an environment's processes expose: the TCP ports they listen on (from /proc), and
whether its state directory and admin socket are its owner's alone."""

import stat
from pathlib import Path

from shipway.decisions.deploy.state import SLOTS
from shipway.effects.deploy.environment import LocalEnvironment
from tests.support.supervised import descendants, router_pid, slot_process

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


def listening_ports(pids: set[int]) -> set[int]:
    """The TCP ports these processes (and their descendants) listen on."""
    sockets = _listening_sockets()
    ports = set()
    for pid in pids.union(*(descendants(pid) for pid in pids)):
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
    """The router's admin socket and the supervisor's control socket are 0600, the state
    directory 0700, and nothing in it is writable by group or others; the router listens on
    the environment's ports alone (its port, and its redirect and preview ports when it has
    them), the releases on their slots' loopback ports, and the supervisor on no TCP port at
    all."""
    for socket in (env.files.admin_socket, env.files.control_socket):
        assert stat.S_ISSOCK(socket.lstat().st_mode), socket
        assert mode(socket) == 0o600, socket
    assert mode(env.files.root) == 0o700
    for path in (env.files.state, env.files.audit, env.files.lock):
        assert mode(path) == 0o600, path
    # shipway's own files; releases/ and shared/ hold what uv and the service write (behind
    # the 0700 directory all the same).
    written = [
        *env.files.root.iterdir(),
        *env.files.router.rglob("*"),
        *env.files.supervisor.rglob("*"),
    ]
    for path in written:
        if path.name not in ("releases", "shared") and not path.is_symlink():
            assert mode(path) & 0o022 == 0, f"{path} is writable by others: {oct(mode(path))}"
    router = router_pid(env)
    assert router is not None
    extra = (env.config.http_redirect_port, env.config.preview_port)
    router_ports = {env.config.port} | {port for port in extra if port is not None}
    assert listening_ports({router}) == router_ports
    releases = {pid for slot in SLOTS if (pid := slot_process(env, slot)[1]) is not None}
    assert releases
    assert listening_ports(releases) <= set(env.config.slot_ports)
    everything = router_ports | listening_ports(releases)
    assert listening_ports({router, *releases}) == everything
    supervisor = env.supervisor.process()
    assert supervisor is not None
    assert listening_ports({supervisor.pid}) == everything  # its children's; none of its own
