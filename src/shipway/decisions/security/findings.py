"""Findings and per-tool outcomes, in one shape whatever scanner produced them."""

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"  # the scanner could not tell: blocks like the worst, never like the least

    @property
    def rank(self) -> int:
        return _RANK[self]

    def blocks_at(self, threshold: "Severity") -> bool:
        return self.rank >= threshold.rank

    @classmethod
    def parse(cls, text: str | None) -> "Severity":
        """A scanner's severity word (HIGH, MODERATE, ...) as ours; unknown words are UNKNOWN."""
        word = (text or "").strip().lower()
        word = _SYNONYMS.get(word, word)
        return cls(word) if word in cls._value2member_map_ else cls.UNKNOWN


_RANK = {
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
    Severity.UNKNOWN: 5,
}
_SYNONYMS = {"moderate": "medium", "important": "high", "negligible": "low", "info": "low"}
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN)


@dataclass(frozen=True)
class Finding:
    """One thing a scanner found. Never carries source text: a secret could hide in it."""

    tool: str
    rule: str  # rule or advisory id: B105, DS-0002, aws-access-key-id, GHSA-..., license:GPL-3.0
    severity: Severity
    title: str
    path: str | None = None
    line: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.rule, *self.aliases)

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def describe(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.rule} ({self.tool}, {self.severity}){where}: {self.title}"

    def to_json(self) -> dict[str, object]:
        return {
            "tool": self.tool,
            "id": self.rule,
            "aliases": list(self.aliases),
            "severity": self.severity.value,
            "title": self.title,
            "path": self.path,
            "line": self.line,
        }


@dataclass(frozen=True)
class ToolReport:
    """What one scanner did: its findings, what it could not look at, or why it failed."""

    tool: str
    findings: tuple[Finding, ...] = ()
    unaudited: int = 0  # packages (or files) the tool could not audit
    unavailable: str = ""  # why it could not look, e.g. the advisory source is unreachable
    error: str = ""  # the tool itself failed: never a pass

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        return "could not audit" if self.unavailable else "ran"
