"""Deterministic fault injection: the same settings give the same failures, request by request."""

from fractions import Fraction


class ErrorInjector:
    """Fails exactly ``rate`` of requests, spread evenly (a rate of 0.2 fails every 5th).

    Even spacing instead of random draws keeps short test runs honest: 100 requests at 20 %
    give exactly 20 failures, so a canary analysis window sees the configured rate.
    """

    def __init__(self, rate: float) -> None:
        self._rate = Fraction(str(rate))
        self._count = 0

    def should_fail(self) -> bool:
        before = self._count * self._rate
        self._count += 1
        return int(self._count * self._rate) > int(before)
