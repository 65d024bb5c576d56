"""What the environment's supervisor runs, for tests: a program's pid, and that nothing of
an environment is left running after ``inv stop``."""

from pathlib import Path

from shipway.decisions.deploy.state import Process, Slot
from shipway.effects.deploy import processes, releases
from shipway.effects.deploy.environment import PORT_GRACE, LocalEnvironment
from shipway.effects.deploy.files import load_state
from tests.support.processes import wait_until


def pid_of(env: LocalEnvironment, program: str | None) -> int | None:
    info = env.supervisor.programs().get(program) if program is not None else None
    return info.pid if info is not None and info.pid else None


def slot_process(env: LocalEnvironment, slot: Slot) -> tuple[str | None, int | None]:
    """The program that runs ``slot`` and its pid now: equal twice, the same process served."""
    program = load_state(env.files).slot(slot).program
    return program, pid_of(env, program)


def router_pid(env: LocalEnvironment) -> int | None:
    return pid_of(env, load_state(env.files).router_program)


def markers(env: LocalEnvironment) -> list[str]:
    """Paths only the environment's own processes have on their command lines."""
    return [
        str(env.files.supervisor_config),
        str(env.files.router / "envoy.json"),
        *(str(releases.slot_pid_file(env.files, slot)) for slot in ("blue", "green")),
    ]


def assert_nothing_running(env: LocalEnvironment) -> None:
    state = load_state(env.files)
    assert state.router_program is None
    assert all(slot.program is None for slot in state.slots.values())
    assert not env.supervisor.running()
    assert env.supervisor.process() is None
    for marker in markers(env):
        assert processes.with_marker(marker) == [], f"a process with {marker} still runs"
    assert not env.files.control_socket.exists()
    # A process that has exited may hold its sockets a moment longer while the kernel closes
    # them (as check_router_ports allows for in a deploy).
    ports = env.config.ports
    wait_until(
        lambda: not any(processes.port_in_use("127.0.0.1", port) for port in ports),
        timeout=PORT_GRACE,
        what=f"ports {', '.join(map(str, ports))} of {env.name} to be free",
    )


def as_process(pid: int | None) -> Process:
    """The running process ``pid``, recorded so that ``processes.is_running`` tells whether
    that very process (not a later one with its pid) still runs."""
    assert pid is not None, "no pid: the program is not running"
    ticks = processes.start_ticks(pid)
    assert ticks is not None, f"process {pid} is not running"
    return Process(pid=pid, start_ticks=ticks, marker=processes.command_line(pid)[0])


def descendants(pid: int) -> set[int]:
    """The processes ``pid`` started, and theirs, to any depth."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
