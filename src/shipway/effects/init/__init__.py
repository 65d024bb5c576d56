"""``shipway init``: read the service's files, write the adopted ones, lock."""
