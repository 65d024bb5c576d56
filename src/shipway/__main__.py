"""``python -m shipway``: the ``shipway`` command, run by the interpreter shipway is in."""

import sys

from shipway.entry.cli import main

if __name__ == "__main__":
    sys.exit(main())
