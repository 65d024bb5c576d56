"""The terminal: one rich console on stderr, so stdout stays free for machine-readable output."""

from rich.console import Console
from rich.markup import escape

console = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """A message as it is: '[project] name' is text, not rich markup."""
    console.print(f"[bold red]shipway:[/] {escape(message)}", markup=True, soft_wrap=True)
