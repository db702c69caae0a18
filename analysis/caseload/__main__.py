"""python3 -m caseload report|export ... (the command line is in caseload.cli)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
