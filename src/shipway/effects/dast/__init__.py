"""The DAST stage's I/O: the service's schema, the scanners, the reports."""
