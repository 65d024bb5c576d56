"""Layer 2: pure functions from configuration and observed facts to plans and verdicts.

Nothing here starts a process, opens a socket or prints; everything here is unit-tested.
"""

Argv = list[str]  # a command line: what a decision returns and an effect runs
