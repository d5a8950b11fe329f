"""`python -m lutml.cli` is the `lutml` command."""

import sys

from lutml.cli import main

sys.exit(main())
