"""Slack-compatible incoming-webhook notifications. A failing webhook never fails a deploy."""

from pathlib import Path

import httpx

from shipway.effects.console import console
from shipway.effects.deploy import secrets


def webhook_url(reference: str | None, root: Path) -> str | None:
    """The notification URL: as configured, or read from its env:/file: reference (a missing
    one fails, before anything changes)."""
    if reference is None or reference.startswith(("http://", "https://")):
        return reference
    return secrets.resolve({"notify": reference}, root)["notify"]


def notify(webhook: str | None, text: str) -> None:
    if not webhook:
        return
    try:
        response = httpx.post(webhook, json={"text": text}, timeout=5)
        response.raise_for_status()
    except httpx.HTTPError as error:
        # The URL is a credential (it is the webhook's secret): never print it.
        status = getattr(getattr(error, "response", None), "status_code", None)
        detail = f"HTTP {status}" if status else type(error).__name__
        console.print(f"[yellow]warning:[/] the notification webhook failed ({detail})")
