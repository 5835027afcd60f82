"""`python -m hmeimim` runs the command line."""

from hmeimim.cli import main

main()
