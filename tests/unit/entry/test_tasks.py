import json

import pytest
from invoke.exceptions import Exit

from shipway.entry import tasks
from shipway.errors import ShipwayError
from tests.unit.entry.paths import REPO


def test_show_config_json_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    tasks.show_config(tasks.prepare(str(REPO / "tasks.py")), as_json=True)
    shown = json.loads(capsys.readouterr().out)
    assert shown["gates"]["coverage"] == 90.0
    assert shown["gates"]["perf"]["p95_ms"] == 500.0


def test_show_config_table_lists_flattened_keys(capsys: pytest.CaptureFixture[str]) -> None:
    tasks.show_config(tasks.prepare(str(REPO / "tasks.py")), as_json=False)
    out = capsys.readouterr().out
    assert "gates.coverage" in out
    assert '"examples/chatbot"' in out


def test_flatten_nested_tables() -> None:
    assert tasks.flatten({"a": 1, "b": {"c": [1], "d": {"e": None}}}) == [
        ("a", 1),
        ("b.c", [1]),
        ("b.d.e", None),
    ]


def test_a_refused_operation_exits_1_with_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Exit) as exited, tasks.reported():
        raise ShipwayError("no build of svc 1.0")
    assert exited.value.code == 1
    assert "no build of svc 1.0" in capsys.readouterr().err
