"""Locust's stats CSV read as it is."""

import pytest

from shipway.decisions.perf.stats import FailureStats, parse_failures_csv, parse_stats_csv
from shipway.errors import ShipwayError
from tests.unit.decisions.perf.locust_csv import FAILURES, HEADER, NOTHING, STATS, stats


def test_rows_and_the_aggregated_total_are_read_as_locust_wrote_them() -> None:
    parsed = stats()
    chat, health = parsed.endpoints
    assert (chat.method, chat.name, chat.requests, chat.failures) == ("POST", "/api/chat", 455, 5)
    assert (chat.p50_ms, chat.p95_ms, chat.p99_ms) == (3, 8, 20)
    assert health.name == "/health"
    total = parsed.total
    assert (total.requests, total.failures, total.p95_ms, total.p99_ms) == (624, 5, 8, 19)
    assert total.rps == pytest.approx(33.02)
    assert total.error_rate == pytest.approx(5 / 624)


def test_a_run_without_requests_has_no_percentiles() -> None:
    total = stats(NOTHING).total
    assert (total.requests, total.p95_ms, total.error_rate) == (0, None, 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "lacks the columns Type, Name, Request Count"),
        (HEADER.replace(",95%", ",95th") + "\n", "lacks the columns 95%"),
        (f"{HEADER}\nGET,/health,1,0,3,3,1,3,1,1,0,3,3,3,3,3,3,3,3,3,3,3\n", "no Aggregated row"),
        (STATS.replace(",624,", ",many,"), "unreadable row"),
    ],
)
def test_a_csv_that_is_not_locusts_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ShipwayError, match=message):
        parse_stats_csv(text)


def test_failures_are_read_most_frequent_first_with_a_locustfiles_own_words() -> None:
    refused, boom = parse_failures_csv(FAILURES)
    assert refused == FailureStats(
        "GET", "/slow", "ConnectionRefusedError(111, 'Connection refused')", 7
    )
    assert boom == FailureStats("GET", "/boom", "answered 500, expected 200-299", 4)
    assert boom.summary() == "GET /boom: answered 500, expected 200-299 (4 times)"


def test_a_failures_file_without_rows_or_with_unreadable_counts_adds_nothing() -> None:
    assert parse_failures_csv("") == ()
    assert parse_failures_csv("Method,Name,Error,Occurrences\nGET,/,x,many\n") == ()
