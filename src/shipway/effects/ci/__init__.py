"""CI: workflow checks and the job's step summary."""
