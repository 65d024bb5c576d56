"""The checking stages: the stage cache and the interpreters of the test matrix."""
