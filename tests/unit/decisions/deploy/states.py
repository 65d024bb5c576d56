"""Environment states the state and reconcile tests start from."""

from shipway.decisions.deploy.state import EnvState, Operation, Process, idle_slot

PROC = Process(pid=1, start_ticks=1, marker="m")


def serving(version: str = "1.0", slot: str = "blue") -> EnvState:
    state = EnvState(history=[version]).routed_to(slot)  # type: ignore[arg-type]
    return state.with_slot(slot, version=version, phase="serving", process=PROC)  # type: ignore[arg-type]


def deploying(state: EnvState, version: str = "2.0", step: str = "ready") -> EnvState:
    slot = idle_slot(state)
    op = Operation(
        id="x",
        action="deploy",
        version=version,
        from_version=state.serving_version,
        slot=slot,
        step=step,
        started=0,
        who="me@host",
    )
    return state.with_slot(slot, version=version, phase="starting", process=PROC).model_copy(
        update={"operation": op}
    )
