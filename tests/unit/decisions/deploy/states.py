"""Environment states the state and reconcile tests start from."""

from shipway.decisions.deploy.state import EnvState, Operation, idle_slot

PROGRAM = "blue-000001"


def serving(version: str = "1.0", slot: str = "blue") -> EnvState:
    state = EnvState(history=[version]).routed_to(slot)  # type: ignore[arg-type]
    return state.with_slot(slot, version=version, phase="serving", program=PROGRAM)  # type: ignore[arg-type]


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
    return state.with_slot(slot, version=version, phase="starting", program=PROGRAM).model_copy(
        update={"operation": op}
    )
