"""``inv push``'s image: the build's OCI archive copied by skopeo to each destination
(decisions/release/registry.py decides which, and whether a tag may be written).

``check`` reads everything first — the archive's digest and each destination's — and raises
every problem at once, before the caller pushes anything; ``copy`` then copies to the tags
that lack the image and reads each back. Nothing here reads or passes credentials: skopeo
uses its own login.
"""

from dataclasses import dataclass
from pathlib import Path

from shipway.decisions import Argv
from shipway.decisions.release import commands
from shipway.decisions.release import registry as rules
from shipway.decisions.release.registry import Action, Destination, Remote
from shipway.effects.command import ToolRunner
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class ImagePush:
    """A checked push: the archive, its digest, and what each destination needs."""

    source: str
    digest: str
    steps: tuple[tuple[Destination, Action], ...]


def planned_commands(archive: Path, destinations: list[Destination]) -> list[Argv]:
    """Every skopeo command of a push, in order (for --dry-run): read the archive and each
    destination, copy to each tag that lacks the image, read each copy back."""
    if not destinations:
        return []
    source = rules.source_reference(archive)
    reads = [commands.image_inspect(d.reference) for d in destinations]
    copies = [commands.image_copy(source, d.reference) for d in destinations]
    return [commands.image_inspect(source), *reads, *copies, *reads]


def remote(runner: ToolRunner, reference: str) -> Remote:
    done = runner.run(commands.image_inspect(reference), quiet=True)
    if done.returncode == 0:
        # Manifests are UTF-8 JSON; both sides of a comparison are read the same way.
        return Remote(digest=rules.digest_of(done.stdout.encode()))
    if rules.is_absent(done.stderr):
        return Remote(absent=True)
    return Remote(error=rules.reason(done.last_line))


def check(runner: ToolRunner, archive: Path, destinations: list[Destination]) -> ImagePush:
    """What a push of ``archive`` to ``destinations`` will do; a missing skopeo, an unreadable
    archive, an unreachable registry or a tag holding another image is refused, all at once."""
    if runner.which(rules.TOOL) is None:
        raise ShipwayError(rules.missing_tool())
    source = rules.source_reference(archive)
    local = runner.run(commands.image_inspect(source), quiet=True)
    if local.returncode != 0:
        why = rules.reason(local.last_line)
        raise ShipwayError(
            f"skopeo cannot read the build's image archive {archive}: {why}; build it again "
            "with `inv build --image`"
        )
    digest = rules.digest_of(local.stdout.encode())
    steps, problems = [], []
    for destination in destinations:
        found = remote(runner, destination.reference)
        try:
            steps.append((destination, rules.decide(destination, digest, found)))
        except ShipwayError as error:
            problems.append(str(error))
    if problems:
        raise ShipwayError("\n".join(problems))
    return ImagePush(source, digest, tuple(steps))


def copy(runner: ToolRunner, push: ImagePush) -> list[str]:
    """Copy to each destination that lacks the image and read it back; what was done, line by
    line. A failure names what was pushed before it and what was not."""
    done: list[str] = []
    for index, (destination, action) in enumerate(push.steps):
        if action is Action.KEEP:
            done.append(f"{destination.describe()} already holds this image ({push.digest})")
            continue
        copied = runner.run(commands.image_copy(push.source, destination.reference))
        problem = (
            f"skopeo could not push to {destination.describe()}: {rules.reason(copied.last_line)}"
            if copied.returncode != 0
            else rules.pushed(destination, push.digest, remote(runner, destination.reference))
        )
        if problem:
            rest = [d.reference for d, _ in push.steps[index + 1 :]]
            raise ShipwayError(
                problem
                + "".join(f"\n  done: {line}" for line in done)
                + "".join(f"\n  not pushed: {reference}" for reference in rest)
            )
        done.append(f"pushed the image to {destination.describe()} ({push.digest})")
    return done
