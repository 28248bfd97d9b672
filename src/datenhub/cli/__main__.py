"""`python -m datenhub.cli` runs the command line (used by benchmarks to start servers)."""

from datenhub.cli import main

main()
