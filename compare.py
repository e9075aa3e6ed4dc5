#!/usr/bin/env python3
"""blockparity's command line. ``python compare.py --help``, or ``make compare ARGS="..."``."""

import sys

from harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
