"""Ways to start the command line other than the `datenhub` script."""

from __future__ import annotations

import subprocess
import sys


def test_python_m_datenhub_runs_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "datenhub", "hours", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "python -m datenhub hours" in done.stdout  # Click names the program as it was started
