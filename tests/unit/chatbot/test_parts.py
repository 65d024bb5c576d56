import pytest
from pydantic import ValidationError

from chatbot.faults import ErrorInjector
from chatbot.responder import EchoResponder
from chatbot.settings import Settings


@pytest.mark.parametrize(
    ("rate", "requests", "failures"),
    [(0, 100, 0), (0.2, 100, 20), (0.05, 40, 2), (1, 7, 7), (0.1, 10, 1)],
)
def test_error_injector_fails_exactly_the_rate(rate: float, requests: int, failures: int) -> None:
    injector = ErrorInjector(rate)
    assert sum(injector.should_fail() for _ in range(requests)) == failures


def test_error_injector_spreads_failures_evenly() -> None:
    injector = ErrorInjector(0.25)
    assert [injector.should_fail() for _ in range(8)] == [False, False, False, True] * 2


def test_settings_from_env_reads_prefixed_variables() -> None:
    settings = Settings.from_env(
        {
            "CHATBOT_FAULT_ERROR_RATE": "0.2",
            "CHATBOT_FAULT_LATENCY_MS": "3000",
            "CHATBOT_FAULT_CRASH_AFTER_S": "1.5",
            "CHATBOT_FAULT_NEVER_READY": "true",
            "CHATBOT_FAULT_FLAP_S": "2",
            "CHATBOT_MODEL": "",
            "UNRELATED": "x",
        }
    )
    assert settings.active_faults() == {
        "error_rate": 0.2,
        "latency_ms": 3000,
        "crash_after_s": 1.5,
        "never_ready": True,
        "flap_s": 2.0,
    }
    assert settings.model == "echo-1"


def test_settings_defaults_have_no_faults() -> None:
    assert Settings.from_env({}).active_faults() == {}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHATBOT_FAULT_ERROR_RATE", "1.5"),
        ("CHATBOT_FAULT_LATENCY_MS", "-1"),
        ("CHATBOT_WARMUP_S", "soon"),
    ],
)
def test_bad_settings_are_rejected(name: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("Hello!", "Hello! I am the shipway reference chatbot. Ask me anything."),
        ("is it up?", "You asked: “is it up?” I answer offline, so here is an honest echo of it."),
        ("deploy  the\nthing", "You said (3 words): “deploy the thing”"),
        ("one", "You said (1 word): “one”"),
    ],
)
def test_echo_responder(message: str, reply: str) -> None:
    assert EchoResponder().reply(message) == reply


def test_echo_responder_shortens_long_messages() -> None:
    reply = EchoResponder().reply("word " * 100)
    assert reply.endswith("…”")
    assert len(reply) < 120
