"""The terminal: one rich console on stderr, so stdout stays free for machine-readable output."""

from rich.console import Console

console = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    console.print(f"[bold red]shipway:[/] {message}", markup=True, soft_wrap=True)
