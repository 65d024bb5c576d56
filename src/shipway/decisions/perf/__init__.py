"""The performance stage's decisions: its options, Locust's command line, Locust's statistics,
the SLO gate and the comparison with a stored baseline. Pure: no processes, no files."""
