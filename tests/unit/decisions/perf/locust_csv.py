"""Locust's stats CSV as the stats and gate tests read it."""

from shipway.decisions.perf.stats import LocustStats, parse_stats_csv

# The header and rows exactly as Locust 2.47 writes them (values of a real run).
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


STATS = f"""{HEADER}
POST,/api/chat,455,5,3,3.95,1.60,28.55,164.8,24.08,0.26,3,4,4,4,6,8,14,20,29,29,29
GET,/health,169,0,3,3.27,1.40,39.90,15.0,8.94,0.0,3,3,3,3,4,7,11,13,40,40,40
,Aggregated,624,5,3,3.77,1.40,39.90,124.2,33.02,0.26,3,3,4,4,6,8,13,19,40,40,40
"""


NOTHING = f"""{HEADER}
,Aggregated,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
"""


def stats(text: str = STATS) -> LocustStats:
    return parse_stats_csv(text)


# The failures CSV as Locust 2.47 writes it: a response.failure("...") of a locustfile, and a
# connection error Locust reported itself.
FAILURES = """Method,Name,Error,Occurrences,First Seen,Last Seen
GET,/boom,"CatchResponseError('answered 500, expected 200-299')",4,2026-11-23T01:11:52Z,2026-11-23T01:11:53Z
GET,/slow,"ConnectionRefusedError(111, 'Connection refused')",7,2026-11-23T01:11:52Z,2026-11-23T01:11:53Z
"""
