"""Service settings, read once from ``CHATBOT_*`` environment variables.

The fault knobs exist so that deploy safety (health checks, canary analysis, rollback) can be
tested against a real service. They are all off by default.
"""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

PREFIX = "CHATBOT_"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(default="echo-1", min_length=1)
    warmup_s: float = Field(default=0.0, ge=0, description="seconds /ready reports 'starting'")
    fault_error_rate: float = Field(default=0.0, ge=0, le=1, description="fraction answered 500")
    fault_latency_ms: int = Field(default=0, ge=0, description="added to every chat request")
    fault_crash_after_s: float | None = Field(default=None, gt=0, description="exit after start")
    fault_never_ready: bool = Field(default=False, description="/ready never reports ready")
    fault_flap_s: float | None = Field(
        default=None, gt=0, description="/ready alternates: ready this long, then not, and so on"
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        """Settings from ``CHATBOT_<FIELD>`` variables; unset or empty ones keep the default."""
        values = {
            name: raw
            for name in cls.model_fields
            if (raw := environ.get(PREFIX + name.upper(), "").strip())
        }
        return cls.model_validate(values)

    def active_faults(self) -> dict[str, float | int | bool]:
        faults: dict[str, float | int | bool] = {}
        if self.fault_error_rate:
            faults["error_rate"] = self.fault_error_rate
        if self.fault_latency_ms:
            faults["latency_ms"] = self.fault_latency_ms
        if self.fault_crash_after_s is not None:
            faults["crash_after_s"] = self.fault_crash_after_s
        if self.fault_never_ready:
            faults["never_ready"] = True
        if self.fault_flap_s is not None:
            faults["flap_s"] = self.fault_flap_s
        return faults
