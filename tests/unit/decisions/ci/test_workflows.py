"""Which workflow lines are allowed: run steps call nox or inv, actions are pinned."""

import pytest

from shipway.decisions.ci.workflows import Problem, check_workflow, command_problem

SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"  # pragma: allowlist secret (a commit)


@pytest.mark.parametrize(
    "command",
    [
        "nox -s lint",
        "inv deploy --env staging --yes",
        "invoke status --env prod",
        'uv run nox -s "$SESSION"',
        "uv run --locked --no-dev inv ci-matrix",
        "uv run -- nox -s coverage --no-dependencies",
        "uvx nox -s lint",
        "python -m nox -s lint",
        "python3 -m invoke deploy --env dev",
        "python3 -m uv run nox -s tests coverage",
        'uv run inv rollback --env "$DEPLOY_ENV"',
    ],
)
def test_nox_and_inv_calls_are_allowed(command: str) -> None:
    assert command_problem(command) is None


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("make deploy", "may only call nox or inv"),
        ("pytest -x", "may only call nox or inv"),
        ("uv sync --locked", "may only call nox or inv"),
        ("uv run --group lint nox", "may only call nox or inv"),  # option values are not guessed
        ("python -m pip install nox", "may only call nox or inv"),
        ("nox -s lint && curl https://example.com", "shell operator '&&'"),
        ("nox --list --json > sessions.json", "shell operator '>'"),
        ("nox --list --json | jq .", "shell operator '|'"),
        ("inv deploy --env $(cat env)", "command substitution"),
        ("inv deploy --env ${{ inputs.environment }}", "expression inside run"),
        ("nox -s 'unterminated", "cannot be split into words"),
    ],
)
def test_anything_else_is_rejected_with_the_reason(command: str, reason: str) -> None:
    problem = command_problem(command)
    assert problem is not None
    assert reason in problem


def workflow(steps: str, uses_comment: str = " # v5.0.0") -> str:
    return (
        "name: ci\n"
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - uses: actions/checkout@{SHA}{uses_comment}\n"
        f"{steps}"
    )


def test_a_thin_workflow_has_no_problems() -> None:
    steps = "      - run: uv run nox -s lint\n      - run: |\n          uv run nox -s typecheck\n"
    assert check_workflow("ci.yml", workflow(steps)) == []


def test_a_make_step_is_reported_with_file_and_line() -> None:
    text = workflow("      - run: uv run nox -s lint\n      - run: make deploy\n")
    [problem] = check_workflow(".github/workflows/ci.yml", text)
    assert problem.line == 9
    assert str(problem).startswith(".github/workflows/ci.yml:9: `make deploy`: run lines may")


def test_each_line_of_a_block_script_counts_and_continuations_join() -> None:
    steps = (
        "      - run: |\n"
        "          # a comment is fine\n"
        "          uv run nox -s lint \\\n"
        "            -- --fix\n"
        "\n"
        "          echo done\n"
    )
    [problem] = check_workflow("ci.yml", workflow(steps))
    assert (problem.line, problem.message) == (
        13,
        "`echo done`: run lines may only call "
        "nox or inv, optionally through `uv run`, "
        "`uvx`, `python -m` or `python3 -m uv run`",
    )


@pytest.mark.parametrize(
    ("uses", "reason"),
    [
        ("actions/checkout@v5 # v5.0.0", "pin the action to a full 40-hex commit SHA"),
        (f"actions/checkout@{SHA}", "say which version the SHA is in a comment"),
    ],
)
def test_actions_are_pinned_to_a_sha_with_its_version(uses: str, reason: str) -> None:
    text = f"jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {uses}\n"
    [problem] = check_workflow("w.yml", text)
    assert problem.line == 5
    assert reason in problem.message


def test_local_actions_and_reusable_workflows_need_no_pin() -> None:
    text = "jobs:\n  a:\n    uses: ./.github/workflows/deploy-env.yml\n"
    assert check_workflow("w.yml", text) == []


def test_broken_yaml_is_one_problem_at_its_line() -> None:
    [problem] = check_workflow("w.yml", "jobs:\n  a: [\n")
    assert problem.path == "w.yml"
    assert problem.message.startswith("not valid YAML")


def test_a_document_that_is_not_a_mapping_is_not_a_workflow() -> None:
    assert check_workflow("w.yml", "- a\n") == [
        Problem("w.yml", 1, "not a workflow: expected a mapping with `jobs:`")
    ]
