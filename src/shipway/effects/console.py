"""The terminal: one rich console on stderr, so stdout stays free for machine-readable output."""

from rich.console import Console
from rich.markup import escape

from shipway.errors import ShipwayError

EXIT_REFUSED = 1  # the exit status of a refused operation (a ShipwayError)

console = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """A message as it is: '[project] name' is text, not rich markup."""
    console.print(f"[bold red]shipway:[/] {escape(message)}", markup=True, soft_wrap=True)


def report_refusal(problem: ShipwayError) -> int:
    """Say why an operation was refused, without a traceback; its exit status."""
    error(str(problem))
    return EXIT_REFUSED
