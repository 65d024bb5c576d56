"""``shipway init``: what an existing service is, and the files that adopt shipway in it."""
