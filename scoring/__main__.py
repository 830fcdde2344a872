"""`python -m scoring` runs the qd274 command."""

from .entry import main

main()
