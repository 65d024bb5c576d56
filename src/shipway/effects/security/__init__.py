"""The security stage: the advisory database client."""
