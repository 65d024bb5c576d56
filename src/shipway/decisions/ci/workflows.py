"""GitHub Actions workflows stay thin: every ``run:`` calls nox or inv, every action is pinned.

So CI runs exactly what a laptop runs (``nox -s …``, ``inv …``) and nothing else. A workflow
is checked from its text; each problem names the file and the line.
"""

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

# The programs a run line may call, and the launchers that may stand in front of them.
PROGRAMS = frozenset({"nox", "inv", "invoke"})
PYTHON_MODULES = frozenset({"nox", "invoke"})
PYTHONS = frozenset({"python", "python3"})
SHELL_PUNCTUATION = "();<>|&"  # what shlex splits into operator words
ALLOWED_RUN = "nox or inv, optionally through `uv run`, `uvx`, `python -m` or `python3 -m uv run`"

PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Scalar:
    """A string value of the workflow and the line (1-based) its content starts on."""

    value: str
    line: int


def check_workflow(path: str, text: str) -> list[Problem]:
    """Every problem of one workflow: unparsable YAML, run lines, unpinned actions."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return [Problem(path, line, f"not valid YAML: {error}")]
    if not isinstance(root, yaml.MappingNode):
        return [Problem(path, 1, "not a workflow: expected a mapping with `jobs:`")]
    lines = text.splitlines()
    problems = [
        Problem(path, line, message)
        for script in values(root, "run")
        for line, message in run_problems(script)
    ]
    for uses in values(root, "uses"):
        source = lines[uses.line - 1] if uses.line <= len(lines) else ""
        if message := uses_problem(uses.value, source):
            problems.append(Problem(path, uses.line, message))
    return sorted(problems, key=lambda problem: problem.line)


def values(root: yaml.MappingNode, key: str) -> Iterator[Scalar]:
    """The ``key:`` scalars of the jobs and of their steps."""
    for job in mapping_values(child(root, "jobs")):
        yield from scalars(job, key)
        steps = child(job, "steps")
        if isinstance(steps, yaml.SequenceNode):
            for step in steps.value:
                yield from scalars(step, key)


def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                found: yaml.Node = value
                return found
    return None


def mapping_values(node: yaml.Node | None) -> list[yaml.Node]:
    return [value for _, value in node.value] if isinstance(node, yaml.MappingNode) else []


def scalars(node: yaml.Node, key: str) -> Iterator[Scalar]:
    value = child(node, key)
    if isinstance(value, yaml.ScalarNode):
        # A block scalar (`run: |`) starts on the line after its indicator.
        block = value.style in ("|", ">")
        yield Scalar(str(value.value), value.start_mark.line + 1 + int(block))


def run_problems(script: Scalar) -> list[tuple[int, str]]:
    """(line, message) for each command of a run script that is not nox or inv."""
    return [
        (line, message)
        for line, command in commands(script)
        if (message := command_problem(command))
    ]


def commands(script: Scalar) -> list[tuple[int, str]]:
    """The script's commands with their lines: continuations joined, blanks and comments out."""
    found: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for offset, raw in enumerate(script.value.splitlines()):
        line = raw.strip()
        if pending is not None:
            start, text = pending
            line, pending = text + " " + line, None
        else:
            start = script.line + offset
            if not line or line.startswith("#"):
                continue
        if line.endswith("\\"):
            pending = (start, line[:-1].rstrip())
            continue
        found.append((start, line))
    if pending is not None:
        found.append(pending)
    return found


def command_problem(command: str) -> str | None:
    """Why this shell command may not be a run line, or None when it calls nox or inv."""
    shown = command if len(command) <= 60 else command[:57] + "..."
    if "${{" in command:
        return f'`{shown}`: expression inside run; pass the value through `env:` and use "$VAR"'
    if "$(" in command or "`" in command:
        return f"`{shown}`: command substitution; a run line is one nox or inv call"
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as error:
        return f"`{shown}`: cannot be split into words ({error})"
    operators = [t for t in tokens if t and not t.strip(SHELL_PUNCTUATION)]
    if operators:
        return f"`{shown}`: shell operator {operators[0]!r}; a run line is one nox or inv call"
    if program(tokens) is None:
        return f"`{shown}`: run lines may only call {ALLOWED_RUN}"
    return None


def program(tokens: list[str]) -> str | None:
    """The nox/inv program the words call, through the allowed launchers; None otherwise."""
    if not tokens:
        return None
    head, rest = tokens[0], tokens[1:]
    if head in PROGRAMS:
        return head
    if head in PYTHONS and rest[:1] == ["-m"] and len(rest) > 1:
        module = rest[1]
        if module in PYTHON_MODULES:
            return module
        return program(["uv", *rest[2:]]) if module == "uv" else None
    if head == "uv" and rest[:1] == ["run"]:
        return program(without_options(rest[1:]))
    if head == "uvx":
        return program(without_options(rest))
    return None


def without_options(tokens: list[str]) -> list[str]:
    """Drop leading ``--flag`` / ``--option=value`` words (and a ``--`` separator).

    Options that take a separate value word are not recognised, on purpose: the value would
    look like the program.
    """
    index = 0
    while index < len(tokens) and tokens[index].startswith("-"):
        index += 1
        if tokens[index - 1] == "--":
            break
    return tokens[index:]


def uses_problem(reference: str, source_line: str) -> str | None:
    """Actions are pinned to a full commit SHA, with the version it is in a comment."""
    if reference.startswith("./"):
        return None  # an action or reusable workflow of this repository
    if not PINNED_ACTION.match(reference):
        return f"`{reference}`: pin the action to a full 40-hex commit SHA (`@<sha> # vX.Y.Z`)"
    if not VERSION_COMMENT.search(source_line):
        return f"`{reference}`: say which version the SHA is in a comment (`# vX.Y.Z`)"
    return None
