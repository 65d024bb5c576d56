"""The performance stage: the load generator and the run records."""
