"""``python -m symact``: the same command line as ``symact``."""

import sys

from symact.cli import main

if __name__ == "__main__":
    sys.exit(main())
