"""The checking stages (nox sessions): the commands they run, their inputs, coverage."""
