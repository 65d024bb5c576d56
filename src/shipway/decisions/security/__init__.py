"""The security stage's decisions: what each scanner said, and what the gate makes of it."""
