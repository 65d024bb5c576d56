"""The entry layer: the bodies of nox sessions and invoke tasks. noxfile.py and tasks.py only
wire these to a session or task name; nothing below this layer imports it."""
