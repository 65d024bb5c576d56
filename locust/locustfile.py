"""Load profile of the reference service (examples/chatbot), modeled on how clients use it.

A user is a chat client: it checks the service's health, then sends three messages, reading
each reply and thinking before the next, and starts over. So chat and health requests come
exactly 3 : 1, in the same order every run, and even the shortest run sends both. Message
sizes follow a chat workload: mostly short questions, some paragraphs, a few long pasted texts
(always below the service's 4 KB limit, so every request is one the service should answer
with 200).

Run by ``nox -s perf`` (shipway builds the command line from [tool.shipway.perf]); by hand:

    locust -f locust/locustfile.py --headless -H http://127.0.0.1:8400 -u 20 -r 10 -t 20s

``--think-time MIN-MAX`` (seconds, default 0.2-1.0) sets the pause between a user's requests;
``--think-time 0`` makes every user send as fast as it can (capacity measurements).
"""

import random
from typing import Any

from locust import FastHttpUser, SequentialTaskSet, events, task
from locust.argument_parser import LocustArgumentParser

# (weight, shortest, longest) message length in characters: questions, paragraphs, pastes.
MESSAGE_SIZES = ((70, 12, 120), (25, 200, 800), (5, 1500, 3500))
VOCABULARY = (
    "deploy release canary rollback latency budget error rate request service health check "
    "router worker process queue retry timeout token context answer question summary please "
    "why how when what does the this a an of to in for on with and or not is are was"
)
WORDS = VOCABULARY.split()


def add_think_time(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--think-time",
        default="0.2-1.0",
        help="seconds a user pauses between requests, MIN-MAX or one number (0: no pause)",
    )


events.init_command_line_parser.add_listener(add_think_time)  # type: ignore[no-untyped-call]


def think_range(option: str) -> tuple[float, float]:
    low, _, high = option.partition("-")
    return float(low), float(high or low)


def message(rng: random.Random) -> str:
    """A chat message of a realistic length: words until the drawn length is reached."""
    weights = [weight for weight, _, _ in MESSAGE_SIZES]
    _, shortest, longest = rng.choices(MESSAGE_SIZES, weights=weights)[0]
    length = rng.randint(shortest, longest)
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length].strip() + "?"


class Conversation(SequentialTaskSet):
    """One round of a client: a health check, then three messages (tasks run in this order)."""

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311  # nosec B311 - test data, not secrets

    @task
    def health(self) -> None:
        self.client.get("/health")

    @task(3)  # in a SequentialTaskSet, a weight repeats the task in place
    def chat(self) -> None:
        with self.client.post(
            "/api/chat", json={"message": message(self.rng)}, catch_response=True
        ) as response:
            body: Any = response.json() if response.status_code == 200 else None
            if response.status_code == 200 and not (isinstance(body, dict) and body.get("reply")):
                response.failure("200 without a reply")


class ChatClient(FastHttpUser):
    """One client of the chat API."""

    tasks = [Conversation]  # noqa: RUF012  # Locust's own attribute, a list by its API

    def wait_time(self) -> float:
        low, high = think_range(self.environment.parsed_options.think_time)
        return random.uniform(low, high)  # noqa: S311  # nosec B311 - pacing, not security
