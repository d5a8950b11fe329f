"""Adversarial pass over `lutml` and `lutml serve` (issue 24): bad inputs and faults, a table.

Runs the issue's cases and more of the same kinds against `.venv/bin/lutml` in a scratch folder,
and against two `lutml serve` processes (the model and damaged copies of it; a 1 MB / 2 MP
limit), then prints a table: category, tried, clean, misbehaved. A command-line case is *clean*
when the command ends with the expected exit status, prints no traceback, says an error in one
line (``lutml <cmd>: error: ...``; argparse's usage errors excepted), never shows a temporary
file name, leaves no temporary file behind, prints what the case expects, stays within its
memory bound (peak RSS of the process, from wait4) and passes its own check of the result. A
web case is clean when every answer has the expected status (never 500), errors are JSON with
one message, no answer holds a traceback or a server path, and the server log gains no
traceback.

    .venv/bin/python scripts/adversarial_pass.py [--quick] [--keep DIR] [--only CATEGORY]
                                                 [--no-web] [--no-cli] [--json FILE]

--quick skips the slow command-line cases (256^3 LUTs, 30 x 24 MP stills, 11 interrupted 12 MP
fits). Every command runs with RLIMIT_AS = 8 GB so that a regression cannot take the machine
down. The cases live in scripts/adversarial/.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the tests' sample builders (tests/sample_helpers.py, tests/web_helpers.py) make some inputs
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from adversarial.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(__doc__))
