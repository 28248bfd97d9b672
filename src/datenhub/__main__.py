"""`python -m datenhub` runs the command line, as the `datenhub` script does (where the script is not on PATH)."""

from datenhub.cli import main

main()
