"""A gate's verdict: always with its numbers, so a reader never has to trust a bare 'passed'."""

import enum
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path


class Outcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105  # nosec B105 - a verdict, not a password
    FAIL = "fail"
    NO_DATA = "no data"  # the tool measured nothing: a failure, never a pass


class Bound(enum.StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


@dataclass(frozen=True)
class Verdict:
    gate: str
    outcome: Outcome
    threshold: float
    bound: Bound
    unit: str
    measured: float | None
    report: Path | None
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    @property
    def required(self) -> str:
        return f"{self.bound} {_number(self.threshold)}{self.unit}"

    @property
    def measured_text(self) -> str:
        return "—" if self.measured is None else f"{_number(self.measured)}{self.unit}"

    def summary(self) -> str:
        """One line: gate, outcome, measured value, threshold, report, detail."""
        line = f"{self.gate} gate: {self.outcome.upper()} — measured {self.measured_text}, "
        line += f"required {self.required}"
        if self.report is not None:
            line += f" (report: {self.report})"
        return line + (f"; {self.detail}" if self.detail else "")

    def to_json(self) -> dict[str, object]:
        return {
            "gate": self.gate,
            "outcome": self.outcome.value,
            "passed": self.passed,
            "threshold": self.threshold,
            "bound": self.bound.value,
            "unit": self.unit,
            "measured": self.measured,
            "report": None if self.report is None else str(self.report),
            "detail": self.detail,
        }


def _number(value: float) -> str:
    # Truncate rather than round, so 89.996 % never displays as a passing "90 %".
    truncated = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{truncated:f}".rstrip("0").rstrip(".")
