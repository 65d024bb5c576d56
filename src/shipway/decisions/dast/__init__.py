"""The DAST stage's decisions: arguments, commands, findings, reports; no I/O."""
