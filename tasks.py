"""The delivery stages of this repository's pipeline, as invoke tasks. Logic lives in shipway."""

from invoke.context import Context
from invoke.tasks import task

from shipway.effects import tasks as shipway_tasks

project = shipway_tasks.prepare(__file__)  # a bad [tool.shipway] stops here, before any task


@task(help={"json": "print JSON on stdout instead of a table"})
def config(c: Context, json: bool = False) -> None:
    """Show the validated [tool.shipway] configuration, defaults included."""
    shipway_tasks.show_config(project, as_json=json)
