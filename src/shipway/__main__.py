"""``python -m shipway``: the ``shipway`` command, run by the interpreter shipway is in."""

import sys

from shipway.entry.cli import main

sys.exit(main())
