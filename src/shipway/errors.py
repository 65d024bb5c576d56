"""The one exception users are meant to see: its message says what is wrong and what to do."""


class ShipwayError(Exception):
    """Bad input or a refused operation. Reported as one message and a non-zero exit."""
