"""`python -m scoring` runs the qd274 command."""

from .cli import main

main()
